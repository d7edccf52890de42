/**
 * Schedules: the API over real HTTP (a real fire within a minute), and the fire service
 * in process for overlap policies and idempotency, on dynalite and the real Docker engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../local/config.js';
import { startServer as startInProcess, type LocalServer } from '../../local/server.js';
import type { Principal } from '../../shared/domain.js';
import { AppCreate } from '../../shared/schemas.js';
import { sampleApp, waitFor } from '../support/fixtures.js';
import { signedIn, startServer, tempDataDir, waitForTerminal, type Client, type RunningServer } from '../support/server.js';

describe('schedules over HTTP', () => {
  let server: RunningServer;
  let alice: Client;
  let appId: string;

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
    appId = (await alice.post('/apps', sampleApp({ name: 'ticker', command: ['echo', 'tick'] }))).body.appId;
  });
  afterAll(() => server.stop());

  it('validates EventBridge expressions and names the bad field', async () => {
    for (const expression of ['cron(* * * * * *)', 'cron(0 12 * * ?)', 'rate(1 minutes)', 'rate(0 minutes)', 'every day', 'cron(0 25 ? * * *)']) {
      const reply = await alice.post(`/apps/${appId}/schedules`, { expression });
      expect(reply.status, expression).toBe(400);
      expect(reply.body.errors[0].field).toBe('expression');
    }
    const policy = await alice.post(`/apps/${appId}/schedules`, { expression: 'rate(5 minutes)', overlapPolicy: 'Sometimes' });
    expect(policy.body.errors.map((e: { field: string }) => e.field)).toEqual(['overlapPolicy']);
  });

  it('previews fire times in UTC with EventBridge day-of-week numbering (2 = Monday)', async () => {
    const { body: schedule } = await alice.post(`/apps/${appId}/schedules`, { expression: 'cron(30 9 ? * 2 *)', enabled: false });
    const next = await alice.get(`/schedules/${schedule.scheduleId}/next?count=3`);
    expect(next.body.times).toHaveLength(3);
    for (const time of next.body.times) {
      const d = new Date(time);
      expect([d.getUTCDay(), d.getUTCHours(), d.getUTCMinutes()]).toEqual([1, 9, 30]);
    }
    expect(new Date(next.body.times[1]).getTime() - new Date(next.body.times[0]).getTime()).toBe(7 * 86_400_000);
  });

  it('lists, suspends, updates and deletes schedules; hides them from others', async () => {
    const { body: schedule } = await alice.post(`/apps/${appId}/schedules`, { expression: 'rate(1 hour)', overrides: { env: { MODE: 'nightly' } } });
    expect(schedule).toMatchObject({ enabled: true, overlapPolicy: 'Allow', overrides: { env: { MODE: 'nightly' } } });
    expect((await alice.get(`/apps/${appId}/schedules`)).body.items.map((s: { scheduleId: string }) => s.scheduleId)).toContain(schedule.scheduleId);
    const suspended = await alice.patch(`/schedules/${schedule.scheduleId}`, { enabled: false });
    expect(suspended.body.enabled).toBe(false);
    const bob = await signedIn(server.url);
    expect((await bob.get(`/schedules/${schedule.scheduleId}`)).status).toBe(404);
    expect((await bob.delete(`/schedules/${schedule.scheduleId}`)).status).toBe(404);
    expect((await bob.get('/schedules')).body.items).toEqual([]);
    expect((await alice.delete(`/schedules/${schedule.scheduleId}`)).status).toBe(204);
    expect((await alice.get(`/schedules/${schedule.scheduleId}`)).status).toBe(404);
  });

  // A fire comes within a minute; the rest of the budget is for a loaded machine.
  it('fires on time and starts a run with trigger "schedule"', { timeout: 240_000 }, async () => {
    const { body: schedule } = await alice.post(`/apps/${appId}/schedules`, { expression: 'cron(* * * * ? *)' });
    const run = await waitFor(
      async () => (await alice.get(`/runs?appId=${appId}`)).body.items.find((r: { scheduleId?: string }) => r.scheduleId === schedule.scheduleId),
      120_000,
      'the schedule to fire',
    );
    expect(run.trigger).toBe('schedule');
    expect(new Date(run.scheduledTime).getUTCSeconds()).toBe(0);
    expect(await waitForTerminal(alice, run.runId)).toMatchObject({ status: 'SUCCEEDED' });
    const fires = await alice.get(`/schedules/${schedule.scheduleId}/fires`);
    expect(fires.body.items[0]).toMatchObject({ outcome: 'STARTED', runId: run.runId, scheduledTime: run.scheduledTime });
    await alice.delete(`/schedules/${schedule.scheduleId}`);
  });

  it('deleting an app deletes its schedules', async () => {
    const { body: doomed } = await alice.post('/apps', sampleApp({ name: 'doomed' }));
    const { body: schedule } = await alice.post(`/apps/${doomed.appId}/schedules`, { expression: 'rate(1 day)' });
    expect((await alice.delete(`/apps/${doomed.appId}`)).status).toBe(204);
    expect((await alice.get(`/schedules/${schedule.scheduleId}`)).status).toBe(404);
  });
});

describe('schedule fires (in process)', () => {
  let server: LocalServer;
  const owner: Principal = { userId: 'owner-1', role: 'user' };

  beforeAll(async () => {
    server = await startInProcess({ ...loadConfig({ DATA_DIR: tempDataDir() }), port: 0 });
  });
  afterAll(() => server.close());

  async function scheduleOf(overlapPolicy: 'Allow' | 'Forbid' | 'Replace', command: string[]) {
    const { platform } = server;
    const app = await platform.apps.create(owner, AppCreate.parse(sampleApp({ name: `s-${overlapPolicy}-${Date.now()}`, command, timeoutSeconds: 600 })));
    // rate(1 day) will not fire during the test: the fires below are the test's own.
    const schedule = await platform.schedules.create(owner, app.appId, { expression: 'rate(1 day)', enabled: true, overlapPolicy, overrides: {} });
    return { app, schedule };
  }

  /** Kills a run and waits until it is settled, so no container outlives the test. */
  async function killAndWait(runId: string) {
    await server.platform.runs.stop(owner, runId, { graceSeconds: 0, kill: true });
    await waitFor(async () => ((await server.platform.runs.get(owner, runId)).status === 'STOPPED' ? true : undefined));
  }

  const runsOf = async (appId: string) => (await server.platform.runs.list(owner, { appId, limit: 100 })).items;

  it('is idempotent on (schedule, scheduled time): a repeated fire starts one run', async () => {
    const { app, schedule } = await scheduleOf('Allow', ['true']);
    const at = new Date('2030-01-01T00:00:00Z');
    const [a, b] = await Promise.all([server.platform.schedules.fire(schedule.scheduleId, at), server.platform.schedules.fire(schedule.scheduleId, at)]);
    const again = await server.platform.schedules.fire(schedule.scheduleId, at);
    expect(a!.runId).toBeDefined();
    expect(b!.runId).toBe(a!.runId);
    expect(again!.runId).toBe(a!.runId);
    expect((await runsOf(app.appId)).map((r) => r.runId)).toEqual([a!.runId]);
  });

  it('Forbid skips a fire while a run of the schedule is active, and records the skip', async () => {
    const { app, schedule } = await scheduleOf('Forbid', ['sleep', '600']);
    const first = await server.platform.schedules.fire(schedule.scheduleId, new Date('2030-01-01T00:00:00Z'));
    const second = await server.platform.schedules.fire(schedule.scheduleId, new Date('2030-01-01T00:01:00Z'));
    expect(first!.outcome).toBe('STARTED');
    expect(second).toMatchObject({ outcome: 'SKIPPED', reason: expect.stringContaining(first!.runId!) });
    expect(await runsOf(app.appId)).toHaveLength(1);
    const fires = await server.platform.schedules.fires(owner, schedule.scheduleId);
    expect(fires.items.map((f) => f.outcome)).toEqual(['SKIPPED', 'STARTED']);
    expect((await server.platform.runs.get(owner, first!.runId!)).status).not.toBe('STOPPED');
    await killAndWait(first!.runId!);
  });

  it('Replace stops the active run before starting the new one', async () => {
    const { app, schedule } = await scheduleOf('Replace', ['sleep', '600']);
    const first = await server.platform.schedules.fire(schedule.scheduleId, new Date('2030-01-01T00:00:00Z'));
    await waitFor(async () => ((await server.platform.runs.get(owner, first!.runId!)).status === 'RUNNING' ? true : undefined));
    const second = await server.platform.schedules.fire(schedule.scheduleId, new Date('2030-01-01T00:01:00Z'));
    const replaced = await waitFor(async () => {
      const run = await server.platform.runs.get(owner, first!.runId!);
      return run.status === 'STOPPED' ? run : undefined;
    });
    expect(replaced.stoppedReason).toContain('overlapPolicy Replace');
    expect((await server.platform.runs.get(owner, second!.runId!)).status).not.toBe('STOPPED');
    expect(await runsOf(app.appId)).toHaveLength(2);
    await killAndWait(second!.runId!);
  });

  it('ignores fires of suspended or deleted schedules', async () => {
    const { app, schedule } = await scheduleOf('Allow', ['true']);
    await server.platform.schedules.update(owner, schedule.scheduleId, { enabled: false });
    expect(await server.platform.schedules.fire(schedule.scheduleId, new Date())).toBeUndefined();
    await server.platform.schedules.delete(owner, schedule.scheduleId);
    expect(await server.platform.schedules.fire(schedule.scheduleId, new Date())).toBeUndefined();
    expect(await runsOf(app.appId)).toHaveLength(0);
  });
});
