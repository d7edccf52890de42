import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { sourceIp } from '../../shared/lambda/client-address.js';

describe("the api function's client address", () => {
  it("is API Gateway's requestContext.http.sourceIp, never the caller's X-Forwarded-For", async () => {
    const app = new Hono().get('/ip', (c) => c.text(sourceIp(c) ?? 'unknown'));
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/ip',
      rawQueryString: '',
      headers: { 'x-forwarded-for': '10.0.0.1', host: 'api.example.com' },
      requestContext: { http: { method: 'GET', path: '/ip', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl' }, domainName: 'api.example.com' },
      isBase64Encoded: false,
    };
    const res = (await handle(app)(event as never)) as { body: string };
    expect(res.body).toBe('203.0.113.7');
  });
});
