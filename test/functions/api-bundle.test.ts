import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../shared/logger.js';
import { API_BUNDLE_BUDGET_KIB, bundleFunction, httpEvent, startCloud, type Bundle, type Cloud, type HttpResult } from './support.js';

let cloud: Cloud;
let outDir: string;
let bundle: Bundle;
let handler: (event: unknown) => Promise<HttpResult>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // The bundle carries its own copy of the SDK, so the mocks do not reach it: it talks to dynalite.
  cloud = await startCloud();
  outDir = mkdtempSync(join(tmpdir(), 'containerizer-api-bundle-'));
  bundle = await bundleFunction('api', outDir);
  // As deployed, functions/api.ts composes the platform from process.env when it is imported.
  Object.assign(process.env, cloud.env);
  ({ handler } = await import(pathToFileURL(bundle.file).href));
});
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await cloud?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { ...result, json: JSON.parse(result.body) };
}

describe('the api function, bundled as deployed', () => {
  it('stays within its size budget', () => {
    logger.info('api bundle size', { bytes: bundle.bytes, kib: Math.round(bundle.bytes / 102.4) / 10, budgetKiB: API_BUNDLE_BUDGET_KIB });
    expect(bundle.bytes).toBeLessThanOrEqual(API_BUNDLE_BUDGET_KIB * 1024);
  });

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
