/**
 * Nothing a user sends takes the platform down, and the abuse limits answer as documented:
 * each input that used to crash the server or answer 500 is sent, then the server must still
 * answer and a restart must still start; the per-user quotas (409 apps, 429 runs) and the
 * sign-in limits (429 with Retry-After, lockout, registration policy) are exercised on the real
 * dev server with small settings.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/store/dynalite.js';
import { indexAttributes, indexKeys, keys } from '../../shared/table.js';
import { PASSWORD, sampleApp, waitFor } from '../support/fixtures.js';
import { Client, startServer, tempDataDir, waitForStatus, waitForTerminal, type Reply, type RunningServer } from '../support/server.js';

const DOMAIN = 'example.com';
const INVITE = 'open-sesame';
const LIMITS = {
  MAX_APPS_PER_USER: '3',
  MAX_ACTIVE_RUNS_PER_USER: '1',
  LOGIN_ATTEMPTS_PER_MINUTE: '20',
  LOGIN_FAILURES_BEFORE_LOCKOUT: '3',
  REGISTRATIONS_PER_HOUR: '6',
  REFRESHES_PER_MINUTE: '3',
  REGISTRATION_EMAIL_DOMAINS: DOMAIN,
  REGISTRATION_INVITE_CODES: INVITE,
};

let accounts = 0;
const newEmail = () => `limits${++accounts}-${Date.now()}@${DOMAIN}`;

/** Sends `send` until it answers 429 (at most `tries` times) and returns that reply; fixed windows may roll over once in between. */
async function until429(send: () => Promise<Reply>, tries: number): Promise<Reply> {
  for (let i = 0; i < tries; i++) {
    const reply = await send();
    if (reply.status === 429) return reply;
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
  }
  throw new Error(`no 429 in ${tries} requests`);
}

/**
 * POSTs `body` and resolves with the response as soon as it comes: a 413 is sent before the
 * body is read, and the server may close the connection while the rest is still being sent.
 */
function postWithoutWaiting(url: string, token: string, body: string): Promise<{ status: number; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode!, contentType: res.headers['content-type'] });
    });
    req.on('error', (err) => setTimeout(() => reject(err), 2000).unref());
    req.end(body);
  });
}

function expectRetryAfter(reply: Reply, maxSeconds: number): void {
  expect(reply.status).toBe(429);
  expect(reply.headers.get('content-type')).toBe('application/problem+json');
  const seconds = Number(reply.headers.get('retry-after'));
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(maxSeconds);
}

describe('limits and hostile input', () => {
  const dataDir = tempDataDir();
  let server: RunningServer;
  let alice: Client;
  let bob: Client;
  let aliceRefresh: string;

  async function account(): Promise<{ client: Client; refreshToken: string; email: string }> {
    const client = new Client(server.url);
    const email = newEmail();
    const reg = await client.post('/auth/register', { email, password: PASSWORD, inviteCode: INVITE });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const login = await client.post('/auth/login', { email, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    client.token = login.body.accessToken;
    return { client, refreshToken: login.body.refreshToken, email };
  }

  beforeAll(async () => {
    server = await startServer({ dataDir, env: LIMITS });
    const a = await account();
    alice = a.client;
    aliceRefresh = a.refreshToken;
    bob = (await account()).client;
  }, 120_000);
  afterAll(() => server?.stop());

  describe('input that used to crash the server or answer 500', () => {
    it('refuses a schedule whose fire times are out of range', async () => {
      const { body: app } = await alice.post('/apps', sampleApp());
      const reply = await alice.post(`/apps/${app.appId}/schedules`, { expression: 'rate(99999999999999 days)' });
      expect(reply.status).toBe(400);
      expect(reply.body.errors[0]).toMatchObject({ field: 'expression' });
      expect((await alice.delete(`/apps/${app.appId}`)).status).toBe(204);
    });

    it('answers odd ids with 404, never touching the store', async () => {
      for (const id of ['x'.repeat(3000), '..', '%2E%2E%2F..', 'ÿ'.repeat(600), '01NOPE', '0'.repeat(26) + 'Z']) {
        for (const path of [
          `/apps/${id}`,
          `/runs/${id}`,
          `/schedules/${id}`,
          `/runs/${id}/logs`,
          `/schedules/${id}/fires`,
          `/alerts/${id}`,
          `/alerts/${id}/deliveries`,
        ]) {
          const reply = await alice.get(path);
          expect(reply.status, path).toBe(404);
        }
        // The fuzz found this one: a 3000-character alert id reached DynamoDB (a key past its 2048 bytes) and answered 500.
        expect((await alice.post(`/alerts/${id}/test`)).status).toBe(404);
      }
      expect((await alice.get(`/runs?appId=${'x'.repeat(3000)}`)).status).toBe(404);
    });

    it("answers another listing's or another user's cursor, and dates a ULID cannot hold, with 400", async () => {
      for (const name of ['c1', 'c2']) expect((await alice.post('/apps', sampleApp({ name }))).status).toBe(201);
      const page = await alice.get('/apps?limit=1');
      expect(page.body.nextCursor).toBeDefined();
      const cursor = encodeURIComponent(page.body.nextCursor);
      expect((await alice.get(`/apps?limit=1&cursor=${cursor}`)).status).toBe(200);
      const foreign = await bob.get(`/apps?limit=1&cursor=${cursor}`);
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors).toEqual([{ field: 'cursor', message: 'not a cursor returned by this API' }]);
      expect((await alice.get(`/runs?cursor=${cursor}`)).status).toBe(400);
      expect((await alice.get(`/schedules?cursor=${cursor}`)).status).toBe(400);
      const forged = Buffer.from(JSON.stringify({ pk: 'x'.repeat(5000), sk: 'y' })).toString('base64url');
      expect((await alice.get(`/apps?cursor=${forged}`)).status).toBe(400);
      expect((await alice.get('/runs?from=1969-12-31T23:59:59Z')).status).toBe(400);
      expect((await alice.get('/runs?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z')).status).toBe(400);
      expect((await alice.get('/runs?to=9999-12-31T23:59:59Z')).status).toBe(200);
    });

    it('refuses image names that are not Docker references, env and commands a run item cannot hold, and bodies over 1 MiB', async () => {
      for (const image of ['..', '../x', 'http://example.com/x', 'Upper', 'a b', 'x:tag:tag']) {
        const reply = await alice.post('/apps', sampleApp({ image }));
        expect(reply.status, image).toBe(400);
        expect(reply.body.errors[0].field).toBe('image');
      }
      const bigEnv = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`K${i}`, 'v'.repeat(30_000)]));
      expect((await alice.post('/apps', sampleApp({ env: bigEnv }))).status).toBe(400);
      expect((await alice.post('/apps', sampleApp({ command: Array.from({ length: 200 }, () => 'c'.repeat(4000)) }))).status).toBe(400);
      const tooLarge = await postWithoutWaiting(`${server.url}/apps`, alice.token!, 'x'.repeat(2 * 1024 * 1024));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.contentType).toBe('application/problem+json');
      // The app's env and a run's override together must fit too.
      const { body: app } = await alice.post('/apps', sampleApp({ env: { A: 'a'.repeat(30_000), B: 'b'.repeat(30_000), C: 'c'.repeat(30_000) } }));
      const overflow = await alice.post(`/apps/${app.appId}/runs`, { env: { D: 'd'.repeat(30_000), E: 'e'.repeat(30_000) } });
      expect(overflow.status).toBe(400);
      expect(overflow.body.errors[0].field).toBe('env');
      for (const appId of [app.appId]) await alice.delete(`/apps/${appId}`);
    });

    it('still answers, and a restart with a stored schedule that cannot fire still starts and disables it with the reason', { timeout: 240_000 }, async () => {
      expect((await alice.get('/health')).status).toBe(200);
      const { body: app } = await alice.post('/apps', sampleApp({ name: 'sched-host' }));
      const { body: schedule } = await alice.post(`/apps/${app.appId}/schedules`, { expression: 'rate(1 day)' });
      await server.stop();

      // An item as an older version accepted it: a rate whose next fire lies beyond the Date range.
      const dynamo = await startDynalite(join(dataDir, 'dynamodb'), 'containerizer');
      try {
        const stored = { ...schedule, expression: 'rate(99999999999999 days)' };
        const item = {
          ...keys.schedule(schedule.scheduleId),
          ...indexAttributes(schedule.scheduleId, indexKeys.schedulesOfApp(app.appId), indexKeys.schedulesOfOwner(schedule.ownerId), indexKeys.allSchedules()),
          ...stored,
        };
        await dynamo.db.doc.send(new PutCommand({ TableName: dynamo.db.tableName, Item: item }));
      } finally {
        await dynamo.close();
      }

      server = await startServer({ dataDir, env: LIMITS });
      alice = new Client(server.url, alice.token);
      const disabled = await waitFor(
        async () => {
          const { body } = await alice.get(`/schedules/${schedule.scheduleId}`);
          return body.enabled === false ? body : undefined;
        },
        30_000,
        'the broken schedule to be disabled',
      ).catch((err) => {
        throw new Error(`${err.message}\n${server.output()}`);
      });
      expect(disabled.disabledReason).toMatch(/rate\(99999999999999 days\).*3650 days/);
      expect((await alice.get('/health')).status).toBe(200);
      expect((await alice.delete(`/apps/${app.appId}`)).status).toBe(204);
    });
  });

  describe('per-user quotas', () => {
    it('refuses an app past MAX_APPS_PER_USER with a 409, also when the creates race', async () => {
      const { client: carol } = await account();
      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => carol.post('/apps', sampleApp({ name: `race-${i}` }))));
      const created = replies.filter((r) => r.status === 201);
      expect(created.length).toBeLessThanOrEqual(3);
      for (const reply of replies.filter((r) => r.status !== 201)) expect(reply.status).toBe(409);
      while ((await carol.get('/apps')).body.items.length < 3) expect((await carol.post('/apps', sampleApp())).status).toBe(201);
      const over = await carol.post('/apps', sampleApp());
      expect(over.status).toBe(409);
      expect(over.body.detail).toMatch(/you have 3 apps, the most one user may have/);
      expect((await carol.get('/apps')).body.items).toHaveLength(3);
    });

    it(
      'refuses a run past MAX_ACTIVE_RUNS_PER_USER with a 429 and Retry-After, also when the starts race, and takes one again once a run ends',
      { timeout: 120_000 },
      async () => {
        const { client: dave } = await account();
        const { body: app } = await dave.post('/apps', sampleApp({ command: ['sleep', '600'] }));
        const replies = await Promise.all(Array.from({ length: 5 }, () => dave.post(`/apps/${app.appId}/runs`)));
        const accepted = replies.filter((r) => r.status === 202);
        expect(accepted.length).toBeLessThanOrEqual(1);
        for (const reply of replies.filter((r) => r.status !== 202)) expectRetryAfter(reply, 60);
        const first = accepted[0] ?? (await dave.post(`/apps/${app.appId}/runs`));
        expect(first.status).toBe(202);
        await waitForStatus(dave, first.body.runId, 'RUNNING');
        const refused = await dave.post(`/apps/${app.appId}/runs`);
        expectRetryAfter(refused, 60);
        expect(refused.body.detail).toMatch(/at most 1 may be/);
        // Refused runs leave nothing behind.
        expect((await dave.get(`/runs?appId=${app.appId}`)).body.items).toHaveLength(1);
        await dave.post(`/runs/${first.body.runId}/kill`);
        await waitForTerminal(dave, first.body.runId);
        const next = await dave.post(`/apps/${app.appId}/runs`);
        expect(next.status).toBe(202);
        await dave.post(`/runs/${next.body.runId}/kill`);
        await waitForTerminal(dave, next.body.runId);
      },
    );
  });

  describe('sign-in limits', () => {
    it('restricts registration to the e-mail domain and the invite code', async () => {
      const client = new Client(server.url);
      const wrongDomain = await client.post('/auth/register', { email: `x${Date.now()}@elsewhere.org`, password: PASSWORD, inviteCode: INVITE });
      expect(wrongDomain.status).toBe(403);
      expect(wrongDomain.body.detail).toMatch(/example\.com only/);
      const noInvite = await client.post('/auth/register', { email: newEmail(), password: PASSWORD });
      expect(noInvite.status).toBe(403);
      expect((await client.post('/auth/register', { email: newEmail(), password: PASSWORD, inviteCode: 'guess' })).status).toBe(403);
    });

    it('locks an account after LOGIN_FAILURES_BEFORE_LOCKOUT failed sign-ins, even for the right password', async () => {
      const { email } = await account();
      const client = new Client(server.url);
      const locked = await until429(() => client.post('/auth/login', { email, password: 'wrong password!' }), 8);
      expect(locked.body.detail).toMatch(/locked after 3 failed sign-ins/);
      const right = await client.post('/auth/login', { email, password: PASSWORD });
      expectRetryAfter(right, 15 * 60);
      expect(right.body.detail).toMatch(/locked/);
      // An unknown account locks the same way: the answer tells nothing about which accounts exist.
      const nobody = newEmail();
      const unknown = await until429(() => client.post('/auth/login', { email: nobody, password: 'wrong password!' }), 8);
      expect(unknown.body.detail).toMatch(/locked after 3 failed sign-ins/);
    });

    it('limits refreshes per account and per address with 429 and Retry-After', async () => {
      let token = aliceRefresh;
      const reply = await until429(async () => {
        const r = await alice.post('/auth/refresh', { refreshToken: token });
        if (r.status === 200) token = r.body.refreshToken;
        return r;
      }, 8);
      expectRetryAfter(reply, 60);
      expect(reply.body.detail).toMatch(/token refreshes/);
    });

    it('limits login attempts per address with 429 and Retry-After', async () => {
      const client = new Client(server.url);
      const reply = await until429(() => client.post('/auth/login', { email: newEmail(), password: 'wrong password!' }), 45);
      expectRetryAfter(reply, 60);
    });

    it('limits registrations per address with 429 and Retry-After', async () => {
      const client = new Client(server.url);
      const reply = await until429(() => client.post('/auth/register', { email: newEmail(), password: PASSWORD, inviteCode: INVITE }), 10);
      expectRetryAfter(reply, 3600);
      expect(reply.body.detail).toMatch(/registrations from your address/);
      expect((await client.get('/health')).status).toBe(200);
    });
  });
});
