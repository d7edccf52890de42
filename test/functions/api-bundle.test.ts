import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, startCloud, type Cloud } from './support.js';

/** What API Gateway gets back from the function (payload format 2.0). */
interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

let cloud: Cloud;
let outDir: string;
let handler: (event: unknown) => Promise<HttpResult>;

beforeAll(async () => {
  // The bundle carries its own copy of the SDK, so the mocks do not reach it: it talks to dynalite.
  cloud = await startCloud();
  outDir = mkdtempSync(join(tmpdir(), 'containerizer-api-bundle-'));
  const { file } = await bundleFunction('api', outDir);
  ({ handler } = await import(pathToFileURL(file).href));
});
afterAll(async () => {
  await cloud?.close();
  rmSync(outDir, { recursive: true, force: true });
});

const DOMAIN = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';

/**
 * An API Gateway HTTP API request, payload format 2.0 (AWS docs, "Create AWS Lambda proxy
 * integrations for HTTP APIs"), as the `$default` route delivers it.
 */
function httpEvent(method: string, path: string, options: { body?: unknown; token?: string; query?: string } = {}) {
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: DOMAIN,
    'user-agent': 'curl/8.5.0',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers,
    requestContext: {
      accountId: '111122223333',
      apiId: 'a1b2c3d4e5',
      domainName: DOMAIN,
      domainPrefix: 'a1b2c3d4e5',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: '01/May/2024:12:00:00 +0000',
      timeEpoch: 1714564800000,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
}

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { ...result, json: JSON.parse(result.body) };
}

describe('the api function, bundled as deployed', () => {
  it('answers its health check from DynamoDB', async () => {
    const res = await call('GET', '/health');
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ status: 'ok', checks: { store: { ok: true } } });
  });

  it('registers, signs in, creates an app and lists it with the bearer token', async () => {
    const credentials = { email: 'Alice@Example.com', password: 'correct horse battery' };

    const registered = await call('POST', '/auth/register', { body: credentials });
    expect(registered.statusCode).toBe(201);
    expect(registered.json).toEqual({ userId: expect.any(String), email: 'alice@example.com', role: 'user', createdAt: expect.any(String) });

    const login = await call('POST', '/auth/login', { body: credentials });
    expect(login.statusCode).toBe(200);
    expect(login.json).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const token: string = login.json.accessToken;

    const unauthenticated = await call('GET', '/apps');
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['content-type']).toBe('application/problem+json');

    const created = await call('POST', '/apps', {
      token,
      body: { name: 'nightly-report', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['sh', '-c', 'echo hello'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers).toMatchObject({ etag: '"v1"', location: `/apps/${created.json.appId}` });
    expect(created.json).toMatchObject({
      ownerId: registered.json.userId,
      name: 'nightly-report',
      image: 'public.ecr.aws/docker/library/busybox:1.36',
      command: ['sh', '-c', 'echo hello'],
      env: {},
      cpu: 0.25,
      memoryMiB: 512,
      timeoutSeconds: 3600,
      retry: { maxAttempts: 1 },
      version: 1,
    });

    const listed = await call('GET', '/apps', { token, query: 'limit=10' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json).toEqual({ items: [created.json] });
  });
});
