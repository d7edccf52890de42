/**
 * Alerts over real HTTP on the real Docker engine: a sink on 127.0.0.1 receives the webhooks of
 * each condition and verifies them with the standardwebhooks library's Webhook.verify; a 500 is
 * retried (ALERT_RETRY_SECONDS=1,1); two failures of a streak send one alert, a success its
 * recovery; an array whose children all fail sends one alert, its parent's; a budget refusal raises BUDGET once; a schedule slot that started no run raises
 * MISSED_SLOT; a mute logs alerts without sending them; and the delivery log shows each attempt.
 * Prices as in cost-replay.test.ts: 0.25 vCPU / 512 MiB costs $0.18 a minimum minute.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRelease } from '../support/docker.js';
import { sampleApp, waitFor, type AppCreateBody } from '../support/fixtures.js';
import { signedIn, startServer, tempDataDir, waitForTerminal, type Client, type RunningServer } from '../support/server.js';
import { startWebhookSink, verified, type Received, type WebhookSink } from '../support/webhook-sink.js';

interface Sent {
  type: string;
  alertId: string;
  runId?: string;
  appId?: string;
  scheduleId?: string;
  scheduledTime?: string;
  failures?: number;
  summary: string;
}

async function app(client: Client, body: Partial<AppCreateBody>): Promise<string> {
  const reply = await client.post('/apps', sampleApp(body));
  expect(reply.status).toBe(201);
  return reply.body.appId;
}

async function finished(client: Client, appId: string, expected?: string) {
  const reply = await client.post(`/apps/${appId}/runs`);
  expect(reply.status).toBe(202);
  const run = await waitForTerminal(client, reply.body.runId);
  if (expected) expect(run.status).toBe(expected);
  return run;
}

describe('alerts', () => {
  let server: RunningServer;
  let sink: WebhookSink;

  /** A rule whose webhook is the sink at /`path`; returns the rule with its secret. */
  async function rule(client: Client, path: string, body: object) {
    const reply = await client.post('/alerts', { webhook: { url: `${sink.url}/${path}` }, ...body });
    expect(reply.status).toBe(201);
    expect(reply.body.webhookSecret).toMatch(/^whsec_/);
    return reply.body as { alertId: string; webhookSecret: string };
  }

  /** What the sink received at /`path` and answered 2xx, verified. */
  const delivered = (path: string, secret: string): Sent[] =>
    sink.received.filter((r) => r.path === `/${path}` && r.status < 300).map((r) => verified<Sent>(r, secret));

  const at = (path: string): Received[] => sink.received.filter((r) => r.path === `/${path}`);

  beforeAll(async () => {
    sink = await startWebhookSink();
    server = await startServer({
      env: { ALERT_RETRY_SECONDS: '1,1', FARGATE_PRICE_VCPU_HOUR: '36', FARGATE_PRICE_GB_HOUR: '3.6', MONTHLY_BUDGET_USD: '1' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.close();
  });

  it('sends signed RUN_FAILED (one per failed run), RUN_TIMED_OUT and LAUNCH_FAILED alerts; the secret is shown once', async () => {
    const alice = await signedIn(server.url);
    const failing = await app(alice, { command: ['false'] });
    const slow = await app(alice, { command: ['sleep', '60'], timeoutSeconds: 1 });
    const missing = await app(alice, { image: 'containerizer/does-not-exist:1' });
    const { alertId, webhookSecret } = await rule(alice, 'runs', {
      conditions: [{ type: 'RUN_FAILED' }, { type: 'RUN_TIMED_OUT' }, { type: 'LAUNCH_FAILED' }],
    });
    expect((await alice.get(`/alerts/${alertId}`)).body).not.toHaveProperty('webhookSecret');
    expect(JSON.stringify((await alice.get('/alerts')).body)).not.toContain(webhookSecret);

    const first = await finished(alice, failing, 'FAILED');
    const second = await finished(alice, failing, 'FAILED');
    const timedOut = await finished(alice, slow, 'TIMED_OUT');
    const never = await finished(alice, missing, 'FAILED');
    const sent = await waitFor(async () => {
      const got = delivered('runs', webhookSecret);
      return got.length >= 4 ? got : undefined;
    });
    expect(sent.map((e) => `${e.type} ${e.runId}`).sort()).toEqual(
      [`RUN_FAILED ${first.runId}`, `RUN_FAILED ${second.runId}`, `RUN_TIMED_OUT ${timedOut.runId}`, `LAUNCH_FAILED ${never.runId}`].sort(),
    );
    expect(sent.every((e) => e.alertId === alertId)).toBe(true);
    const headers = at('runs')[0]!.headers;
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(headers['webhook-id']).toMatch(/^msg_/);
    // Another owner cannot see the rule.
    const mallory = await signedIn(server.url);
    expect((await mallory.get(`/alerts/${alertId}`)).status).toBe(404);
    expect((await mallory.get(`/alerts/${alertId}/deliveries`)).status).toBe(404);
  });

  it('retries a delivery the receiver answered 500, with the same webhook-id, and logs each attempt', async () => {
    const bob = await signedIn(server.url);
    const failing = await app(bob, { command: ['false'] });
    sink.respond = (request) => (request.path === '/retry' && at('retry').length === 0 ? 500 : 200);
    const { alertId, webhookSecret } = await rule(bob, 'retry', { appId: failing, conditions: [{ type: 'RUN_FAILED' }] });
    const run = await finished(bob, failing, 'FAILED');
    await waitFor(async () => (delivered('retry', webhookSecret).length === 1 ? true : undefined));
    const [refused, accepted] = at('retry');
    expect(refused!.status).toBe(500);
    expect(accepted!.headers['webhook-id']).toBe(refused!.headers['webhook-id']);
    expect(verified<Sent>(accepted!, webhookSecret)).toMatchObject({ type: 'RUN_FAILED', runId: run.runId });
    const log = (await bob.get(`/alerts/${alertId}/deliveries`)).body.items;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'DELIVERED', deliveryId: refused!.headers['webhook-id'] });
    expect(log[0].attempts.map((a: { attempt: number; statusCode: number }) => `${a.attempt}:${a.statusCode}`)).toEqual(['1:500', '2:200']);

    // Redelivery from the log: one more attempt, the same id.
    const again = await bob.post(`/alerts/${alertId}/deliveries/${log[0].deliveryId}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body.attempts.at(-1)).toMatchObject({ attempt: 3, statusCode: 200, redelivery: true });
    expect(at('retry').at(-1)!.headers['webhook-id']).toBe(log[0].deliveryId);
    sink.respond = () => 200;
  });

  it('FAILURE_STREAK: one alert for failures in a row while the streak holds, then the recovery', async () => {
    const carol = await signedIn(server.url);
    const flaky = await app(carol, { command: ['sh', '-c', 'test -e /nonexistent'] });
    const { webhookSecret } = await rule(carol, 'streak', { appId: flaky, conditions: [{ type: 'FAILURE_STREAK', count: 2 }] });
    for (let i = 0; i < 3; i++) await finished(carol, flaky, 'FAILED');
    await waitFor(async () => (delivered('streak', webhookSecret).length >= 1 ? true : undefined));
    const patched = await carol.patch(`/apps/${flaky}`, { command: ['true'] });
    expect(patched.status).toBe(200);
    await finished(carol, flaky, 'SUCCEEDED');
    const sent = await waitFor(async () => {
      const got = delivered('streak', webhookSecret);
      return got.some((e) => e.type === 'FAILURE_STREAK_RECOVERED') ? got : undefined;
    });
    expect(sent.map((e) => e.type)).toEqual(['FAILURE_STREAK', 'FAILURE_STREAK_RECOVERED']);
    expect(sent[0]!.failures).toBe(2);
    expect(sent[1]!.failures).toBe(3);
  });

  it('an array whose children all fail raises one RUN_FAILED, its parent’s, with the counts (no storm of one per child)', async () => {
    const dave = await signedIn(server.url);
    const failing = await app(dave, { command: ['false'] });
    const { alertId, webhookSecret } = await rule(dave, 'array', { appId: failing, conditions: [{ type: 'RUN_FAILED' }] });
    // Three children cost $0.54 at these prices, under the $1 budget.
    const created = await dave.post(`/apps/${failing}/runs`, { arrayProperties: { size: 3 } });
    expect(created.status).toBe(202);
    const parent = await waitForTerminal(dave, created.body.runId);
    expect(parent.status).toBe('FAILED');
    const sent = await waitFor(async () => {
      const got = delivered('array', webhookSecret);
      return got.length >= 1 ? got : undefined;
    });
    // Every child has settled (its alerts are written before its container is released): none raised one.
    const children = (await dave.get(`/runs/${parent.runId}/children`)).body.items as { runId: string; status: string }[];
    expect(children.map((child) => child.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    for (const child of children) await waitForRelease(child.runId);
    const log = (await dave.get(`/alerts/${alertId}/deliveries`)).body.items as { event: Sent & { arrayProperties?: object } }[];
    expect(log.map((d) => `${d.event.type} ${d.event.runId}`)).toEqual([`RUN_FAILED ${parent.runId}`]);
    expect(log[0]!.event.arrayProperties).toEqual({ size: 3, statusSummary: { SUCCEEDED: 0, FAILED: 3, STOPPED: 0, TIMED_OUT: 0 } });
    expect(sent.map((e) => e.runId)).toEqual([parent.runId]);
  });

  it('BUDGET fires when the monthly budget refuses a run, once while it holds; a Slack body is {text}', async () => {
    const dave = await signedIn(server.url);
    // $0.72 a run: the third run finds $1.44 ≥ $1.
    const appId = await app(dave, { cpu: 1, memoryMiB: 2048 });
    const { webhookSecret } = await rule(dave, 'budget', { conditions: [{ type: 'BUDGET' }], webhook: { url: `${sink.url}/budget`, format: 'slack' } });
    for (let i = 0; i < 2; i++) await finished(dave, appId, 'SUCCEEDED');
    expect((await dave.post(`/apps/${appId}/runs`)).status).toBe(402);
    expect((await dave.post(`/apps/${appId}/runs`)).status).toBe(402);
    const [sent] = await waitFor(async () => {
      const got = delivered('budget', webhookSecret);
      return got.length ? got : undefined;
    });
    expect((sent as unknown as { text: string }).text).toContain('Monthly budget reached');
    // The second refusal sent nothing more: the rule's log holds one delivery.
    const { body: rules } = await dave.get('/alerts');
    expect((await dave.get(`/alerts/${rules.items[0].alertId}/deliveries`)).body.items).toHaveLength(1);
  });

  it('a muted rule logs alerts as MUTED without sending them; a test send goes out even so', async () => {
    const erin = await signedIn(server.url);
    const failing = await app(erin, { command: ['false'] });
    const { alertId, webhookSecret } = await rule(erin, 'muted', {
      appId: failing,
      conditions: [{ type: 'RUN_FAILED' }],
      mutedUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await finished(erin, failing, 'FAILED');
    const log = await waitFor(async () => {
      const items = (await erin.get(`/alerts/${alertId}/deliveries`)).body.items;
      return items.length ? items : undefined;
    });
    expect(log[0]).toMatchObject({ status: 'MUTED', attempts: [] });
    const test = await erin.post(`/alerts/${alertId}/test`);
    expect(test.body).toMatchObject({ status: 'DELIVERED', event: { type: 'TEST' } });
    expect(delivered('muted', webhookSecret).map((e) => e.type)).toEqual(['TEST']);
  });

  it('refuses webhooks to private and link-local addresses even in dev mode (loopback is allowed here)', async () => {
    const frank = await signedIn(server.url);
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:192.168.1.1]/',
      'ftp://example.com/',
      'http://user:pw@127.0.0.1/',
    ]) {
      const reply = await frank.post('/alerts', { conditions: [{ type: 'RUN_FAILED' }], webhook: { url } });
      expect(reply.status, url).toBe(400);
      expect(reply.body.errors[0].field).toBe('webhook.url');
    }
    const other = await signedIn(server.url);
    const theirs = await app(other, {});
    expect((await frank.post('/alerts', { appId: theirs, conditions: [{ type: 'RUN_FAILED' }], webhook: { url: `${sink.url}/x` } })).status).toBe(404);
  });

  it('LONG_RUN: a run longer than factor × the p95 of recent runs raises one alert', async () => {
    const gina = await signedIn(server.url);
    const appId = await app(gina, { command: ['true'] });
    for (let i = 0; i < 3; i++) await finished(gina, appId, 'SUCCEEDED');
    const { webhookSecret } = await rule(gina, 'long', { appId, conditions: [{ type: 'LONG_RUN', factor: 2 }] });
    const long = await gina.post(`/apps/${appId}/runs`, { command: ['sleep', '120'] });
    expect(long.status).toBe(202);
    const [sent] = await waitFor(async () => {
      const got = delivered('long', webhookSecret);
      return got.length ? got : undefined;
    });
    expect(sent).toMatchObject({ type: 'LONG_RUN', runId: long.body.runId });
    await gina.post(`/runs/${long.body.runId}/stop`, { graceSeconds: 0 });
  });
});

describe('MISSED_SLOT', () => {
  let server: RunningServer;
  let sink: WebhookSink;
  beforeAll(async () => {
    sink = await startWebhookSink();
    // One active run per owner: a slot that comes while one runs is SKIPPED, and starts no run.
    server = await startServer({ env: { MAX_ACTIVE_RUNS_PER_USER: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.close();
  });

  it('fires when a schedule slot passes with no run started within the grace', async () => {
    const hank = await signedIn(server.url);
    const appId = await app(hank, { command: ['sleep', '120'] });
    const busy = await hank.post(`/apps/${appId}/runs`);
    expect(busy.status).toBe(202);
    // A one-time slot a few seconds ahead, in UTC.
    const slot = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
    const expression = `at(${slot.toISOString().slice(0, 19)})`;
    const schedule = await hank.post(`/apps/${appId}/schedules`, { expression });
    expect(schedule.status).toBe(201);
    const created = await hank.post('/alerts', {
      scheduleId: schedule.body.scheduleId,
      conditions: [{ type: 'MISSED_SLOT', graceSeconds: 1 }],
      webhook: { url: `${sink.url}/missed` },
    });
    expect(created.status).toBe(201);
    const [sent] = await waitFor(async () => {
      const got = sink.received.filter((r) => r.path === '/missed').map((r) => verified<Sent>(r, created.body.webhookSecret));
      return got.length ? got : undefined;
    });
    expect(sent).toMatchObject({ type: 'MISSED_SLOT', scheduleId: schedule.body.scheduleId, scheduledTime: slot.toISOString() });
    expect(sent!.summary).toContain('no run started');
    await hank.post(`/runs/${busy.body.runId}/stop`, { graceSeconds: 0 });
  });
});

describe('restart', () => {
  let server: RunningServer | undefined;
  let sink: WebhookSink;
  const dataDir = tempDataDir();
  beforeAll(async () => {
    sink = await startWebhookSink();
  });
  afterAll(async () => {
    await server?.stop();
    await sink?.close();
  });

  it('a pending delivery survives a crash: the next process sends it from the outbox', async () => {
    // The sink refuses until the server has crashed; the retry is due 3 s after the refused attempt.
    let crashed = false;
    sink.respond = () => (crashed ? 200 : 500);
    server = await startServer({ dataDir, env: { ALERT_RETRY_SECONDS: '3,3,3' } });
    const ivy = await signedIn(server.url);
    const failing = await app(ivy, { command: ['false'] });
    const { body: created } = await ivy.post('/alerts', { appId: failing, conditions: [{ type: 'RUN_FAILED' }], webhook: { url: `${sink.url}/restart` } });
    const run = await finished(ivy, failing, 'FAILED');
    await waitFor(async () => (sink.received.some((r) => r.path === '/restart') ? true : undefined));
    await server.stop('SIGKILL');
    crashed = true;
    server = await startServer({ dataDir, env: { ALERT_RETRY_SECONDS: '3,3,3' } });
    const sent = await waitFor(async () => {
      const ok = sink.received.filter((r) => r.path === '/restart' && r.status === 200);
      return ok.length ? ok : undefined;
    });
    expect(sent).toHaveLength(1);
    expect(verified<Sent>(sent[0]!, created.webhookSecret)).toMatchObject({ type: 'RUN_FAILED', runId: run.runId });
  });
});
