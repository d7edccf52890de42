/** Auth over real HTTP: accounts, tokens, rotation, the bearer requirement, public routes. */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { adminCommand, Client, signedIn, startServer, type RunningServer } from '../support/server.js';

describe('auth', () => {
  let server: RunningServer;
  let anon: Client;
  const password = PASSWORD;

  beforeAll(async () => {
    server = await startServer({ env: { JWT_SECRET: 'test-secret-that-is-long-enough-1234567890', ADMIN_EMAILS: 'boss@example.com' } });
    anon = new Client(server.url);
  });
  afterAll(() => server.stop());

  it('registers once per email, logs in, and tells who is signed in', async () => {
    const reg = await anon.post('/auth/register', { email: 'Ann@Example.com', password });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email: 'ann@example.com', role: 'user' });
    expect(reg.body).not.toHaveProperty('passwordHash');

    const again = await anon.post('/auth/register', { email: 'ann@example.com', password });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');

    const login = await anon.post('/auth/login', { email: 'ann@example.com', password });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await new Client(server.url, login.body.accessToken).get('/auth/me');
    expect(me.body).toEqual(reg.body);

    const [, payload] = login.body.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(Object.keys(claims)).toEqual(expect.arrayContaining(['iss', 'aud', 'sub', 'iat', 'exp', 'jti']));
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('refuses a wrong password and an unknown email the same way', async () => {
    await anon.post('/auth/register', { email: 'bob@example.com', password });
    const wrong = await anon.post('/auth/login', { email: 'bob@example.com', password: 'not the password' });
    const unknown = await anon.post('/auth/login', { email: 'nobody@example.com', password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('rotates refresh tokens: each works once', async () => {
    await anon.post('/auth/register', { email: 'cat@example.com', password });
    const login = await anon.post('/auth/login', { email: 'cat@example.com', password });
    const first = await anon.post('/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(login.body.refreshToken);
    const replay = await anon.post('/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(replay.status).toBe(401);
    const next = await anon.post('/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(next.status).toBe(200);
    // An access token is not a refresh token, nor the other way round.
    expect((await anon.post('/auth/refresh', { refreshToken: next.body.accessToken })).status).toBe(401);
    expect((await new Client(server.url, next.body.refreshToken).get('/auth/me')).status).toBe(401);
  });

  it('requires a valid bearer token on every other route', async () => {
    const none = await anon.get('/apps');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="containerizer"');
    expect(none.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });

    const garbage = await new Client(server.url, 'not-a-jwt').get('/apps');
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toContain('error="invalid_token"');

    // Right claims, wrong algorithm: "none" and foreign keys are refused (algorithms are pinned).
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: 'containerizer-local', aud: 'containerizer', token_use: 'access' })).toString('base64url')}.`;
    expect((await new Client(server.url, unsigned).get('/apps')).status).toBe(401);
    const forged = await new SignJWT({ token_use: 'access', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setJti('j')
      .setIssuer('containerizer-local')
      .setAudience('containerizer')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('some-other-secret-that-is-long-enough-123'));
    expect((await new Client(server.url, forged).get('/apps')).status).toBe(401);
    const expired = await new SignJWT({ token_use: 'access' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setJti('j')
      .setIssuer('containerizer-local')
      .setAudience('containerizer')
      .setIssuedAt(1_000_000)
      .setExpirationTime(1_000_900)
      .sign(new TextEncoder().encode('test-secret-that-is-long-enough-1234567890'));
    const old = await new Client(server.url, expired).get('/apps');
    expect(old.status).toBe(401);
    expect(old.body.detail).toContain('exp');
  });

  it("gives the admin role by the operator's command, not to whoever registers an address named in ADMIN_EMAILS", async () => {
    const boss = await signedIn(server.url, 'boss@example.com');
    expect((await boss.get('/auth/me')).body.role).toBe('user');
    expect((await adminCommand(server.dataDir, 'grant', 'boss@example.com')).code).toBe(0);
    boss.token = (await boss.post('/auth/login', { email: 'boss@example.com', password: PASSWORD })).body.accessToken;
    expect((await boss.get('/auth/me')).body.role).toBe('admin');
  });

  it('rejects bad credentials input with a problem document naming the fields', async () => {
    const bad = await anon.post('/auth/register', { email: 'not-an-email', password: 'short', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'extra', 'password']);
    const malformed = await anon.post('/auth/login', '{"email":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
  });

  it('serves health and an OpenAPI document that describes every route, without a token', async () => {
    const health = await anon.get('/health');
    expect(health.body).toEqual({ status: 'ok', checks: { store: { ok: true }, docker: { ok: true } } });
    const doc = await anon.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/admin/gc',
      '/alerts',
      '/alerts/{alertId}',
      '/alerts/{alertId}/deliveries',
      '/alerts/{alertId}/deliveries/{deliveryId}/redeliver',
      '/alerts/{alertId}/secret',
      '/alerts/{alertId}/test',
      '/apps',
      '/apps/{appId}',
      '/apps/{appId}/metrics',
      '/apps/{appId}/runs',
      '/apps/{appId}/schedules',
      '/apps/{appId}/versions',
      '/apps/{appId}/versions/{version}/diff',
      '/auth/login',
      '/auth/me',
      '/auth/refresh',
      '/auth/register',
      '/costs',
      '/health',
      '/images',
      '/images/{imageId}',
      '/images/{imageId}/builds',
      '/images/{imageId}/builds/{number}',
      '/images/{imageId}/builds/{number}/logs',
      '/images/{imageId}/files/{path}',
      '/images/{imageId}/versions',
      '/runs',
      '/runs/{runId}',
      '/runs/{runId}/children',
      '/runs/{runId}/history',
      '/runs/{runId}/kill',
      '/runs/{runId}/logs',
      '/runs/{runId}/replay',
      '/runs/{runId}/result',
      '/runs/{runId}/stop',
      '/schedules',
      '/schedules/preview',
      '/schedules/{scheduleId}',
      '/schedules/{scheduleId}/fires',
      '/schedules/{scheduleId}/next',
      '/secrets',
      '/secrets/{name}',
    ]);
    expect(doc.body.components.securitySchemes.Bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const user = await signedIn(server.url);
    const unknown = await user.get('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('no route for GET /nope');
  });
});
