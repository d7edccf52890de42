/** Tokens of an external OpenID provider, verified through its JWKS (served here on loopback). */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

describe('OpenID provider tokens', () => {
  let jwks: Server;
  let server: RunningServer;
  let sign: (claims: { aud?: string; iss?: string; sub?: string; email_verified?: unknown }) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    sign = ({ aud = 'containerizer-api', iss = 'https://idp.example.com', sub = 'idp-user-7', email_verified = true }) =>
      new SignJWT({ email: 'Dana@Example.com', ...(email_verified !== 'omitted' && { email_verified }) })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    server = await startServer({
      env: {
        OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
        OIDC_ISSUER: 'https://idp.example.com',
        OIDC_AUDIENCE: 'containerizer-api',
        ADMIN_EMAILS: 'dana@example.com',
        ADMIN_USER_IDS: 'oidc:idp-admin-9',
      },
    });
  });
  afterAll(async () => {
    await server.stop();
    jwks.close();
  });

  it("accepts the provider's tokens and maps their subject and email", async () => {
    const me = await new Client(server.url, await sign({})).get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userId: 'oidc:idp-user-7', email: 'dana@example.com', role: 'admin' });
  });

  it('gives the admin role from ADMIN_EMAILS only with email_verified true, and from ADMIN_USER_IDS by subject', async () => {
    for (const email_verified of [false, 'true', 'omitted']) {
      const me = await new Client(server.url, await sign({ sub: 'idp-user-8', email_verified })).get('/auth/me');
      expect(me.body, `email_verified ${String(email_verified)}`).toMatchObject({ userId: 'oidc:idp-user-8', role: 'user' });
    }
    const bySubject = await new Client(server.url, await sign({ sub: 'idp-admin-9', email_verified: false })).get('/auth/me');
    expect(bySubject.body).toMatchObject({ userId: 'oidc:idp-admin-9', role: 'admin' });
  });

  it('refuses a token for another audience', async () => {
    const reply = await new Client(server.url, await sign({ aud: 'someone-else' })).get('/auth/me');
    expect(reply.status).toBe(401);
    expect(reply.body.detail).toContain('aud');
  });
});
