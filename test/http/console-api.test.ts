/**
 * What the web console needs of the API beyond its routes: CORS for a page on another origin
 * (a preflight answered before auth, headers on every answer, the follow's Last-Event-ID allowed),
 * the schedule preview, and dev mode's console site in front of the API leaving every API answer as it was.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../shared/env-reader.js';
import { createApi } from '../../shared/http/app.js';
import type { Platform } from '../../shared/platform.js';
import { readCorsOrigins } from '../../shared/settings.js';
import { withConsole } from '../../local/console-site.js';

const CONSOLE = 'https://console.example.com';
/** Only auth is touched by these routes: any bearer token is this user. */
const platform = { auth: { verify: async () => ({ userId: 'u1', email: 'u1@example.com', role: 'user' }) } } as unknown as Platform;
const api = (corsOrigins?: string[]) => createApi(platform, { healthChecks: {}, clientAddress: () => undefined, corsOrigins });

describe('CORS for the console', () => {
  it('answers a preflight of a log follow before auth, allowing the headers a follow sends', async () => {
    const res = await api([CONSOLE]).request('/runs/01J0000000000000000000000/logs', {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,last-event-id,accept' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const header of ['authorization', 'last-event-id', 'if-match', 'content-type']) expect(allowed).toContain(header);
  });

  it('puts the CORS headers on a 401 too, so the page can tell an expired session', async () => {
    const res = await api([CONSOLE]).request('/runs', { headers: { origin: CONSOLE } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(res.headers.get('access-control-expose-headers')!.toLowerCase()).toContain('etag');
  });

  it('allows no other origin, and none at all when unset', async () => {
    const other = await api([CONSOLE]).request('/runs', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const unset = await api().request('/runs', { method: 'OPTIONS', headers: { origin: CONSOLE, 'access-control-request-method': 'GET' } });
    expect(unset.headers.get('access-control-allow-origin')).toBeNull();
    expect(unset.status).toBe(401);
  });

  it('reads CORS_ALLOWED_ORIGINS as origins and refuses anything else', () => {
    expect(readCorsOrigins({ CORS_ALLOWED_ORIGINS: `${CONSOLE}, http://localhost:5173/` })).toEqual([CONSOLE, 'http://localhost:5173']);
    expect(readCorsOrigins({})).toEqual([]);
    expect(() => readCorsOrigins({ CORS_ALLOWED_ORIGINS: 'https://console.example.com/app' })).toThrow(ConfigurationError);
    expect(() => readCorsOrigins({ CORS_ALLOWED_ORIGINS: '*' })).toThrow(/CORS_ALLOWED_ORIGINS/);
  });
});

describe('POST /schedules/preview', () => {
  const preview = (body: unknown) =>
    api().request('/schedules/preview', {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('lists the next fire times of an expression without saving it', async () => {
    const res = await preview({ expression: 'cron(0 9 ? * MON-FRI *)', count: 3 });
    expect(res.status).toBe(200);
    const { times } = (await res.json()) as { times: string[] };
    expect(times).toHaveLength(3);
    for (const time of times) {
      expect(new Date(time).getUTCHours()).toBe(9);
      expect([0, 6]).not.toContain(new Date(time).getUTCDay());
    }
    expect(Date.parse(times[0]!)).toBeGreaterThan(Date.now());
  });

  it('names the expression when it is wrong', async () => {
    const res = await preview({ expression: 'cron(61 * * * ? *)' });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toContain('expression');
  });
});

describe("dev mode's console site", () => {
  const dist = mkdtempSync(join(tmpdir(), 'containerizer-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Containerizer</title><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  const site = withConsole(api(), dist);
  const get = (path: string, headers: Record<string, string> = {}) => site(new Request(`http://localhost${path}`, { headers }));
  const PAGE = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  it("serves index.html to a browser opening any console page, even one that shares an API route's path", async () => {
    for (const path of ['/', '/runs', '/runs/01J0000000000000000000000', '/apps/new', '/nowhere']) {
      const res = await get(path, PAGE);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('serves the hashed assets for a year', async () => {
    const res = await get('/assets/index-abc.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    // A file the bundle does not have is the API's to answer, as before (a 401 without a token).
    expect((await get('/assets/missing.js')).headers.get('content-type')).toContain('application/problem+json');
  });

  it('leaves every API answer as it was: a token, no text/html, or a public document goes to the API', async () => {
    const unauthorized = await get('/runs');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toContain('application/problem+json');
    const notFound = await get('/nowhere', { authorization: 'Bearer t', ...PAGE });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('application/problem+json');
    expect((await get('/', { accept: '*/*' })).status).toBe(401);
    const doc = await get('/openapi.json', PAGE);
    expect(doc.headers.get('content-type')).toContain('application/json');
  });
});
