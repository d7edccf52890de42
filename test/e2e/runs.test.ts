/** Runs over real HTTP on the real Docker engine: the state machine, logs, stop/kill, timeouts, retries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatedScript, openGate, waitForRelease } from '../support/docker.js';
import { sampleApp, waitFor, type AppCreateBody } from '../support/fixtures.js';
import { signedIn, startServer, waitForStatus, waitForTerminal, type Client, type RunningServer } from '../support/server.js';
import { sseEvents, type SseEvent } from '../support/sse.js';

describe('runs', () => {
  let server: RunningServer;
  let alice: Client;

  async function app(body: Partial<AppCreateBody>) {
    const reply = await alice.post('/apps', sampleApp(body));
    expect(reply.status).toBe(201);
    return reply.body as { appId: string };
  }

  async function start(appId: string, body?: unknown) {
    const reply = await alice.post(`/apps/${appId}/runs`, body);
    expect(reply.status).toBe(202);
    return reply.body as { runId: string; status: string };
  }

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(() => server.stop());

  it('walks a failing run to FAILED with its exit code, logs and full history, then removes the container', async () => {
    const { appId } = await app({ command: ['sh', '-c', 'echo hello; exit 3'] });
    const run = await start(appId);
    // 202 carries the run as it stands once launched: a fast container may be running already.
    expect(['PENDING', 'PROVISIONING', 'RUNNING', 'FAILED']).toContain(run.status);
    const done = await waitForTerminal(alice, run.runId);
    expect(done).toMatchObject({ status: 'FAILED', exitCode: 3, trigger: 'manual', attempt: 1, appVersion: 1, command: ['sh', '-c', 'echo hello; exit 3'] });
    expect(done.stoppedReason).toContain('exited');
    expect(Date.parse(done.stoppedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    expect(done.durationMs).toBe(Date.parse(done.stoppedAt) - Date.parse(done.startedAt));

    const history = await alice.get(`/runs/${run.runId}/history`);
    expect(history.body.history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'PROVISIONING', 'RUNNING', 'FAILED']);
    expect(history.body.history[3]).toMatchObject({ exitCode: 3 });

    const logs = await waitFor(async () => {
      const { body } = await alice.get(`/runs/${run.runId}/logs`);
      return body.events.length > 0 ? body : undefined;
    });
    expect(logs.events).toEqual([{ timestamp: expect.any(Number), container: 'app', stream: 'stdout', message: 'hello' }]);

    // Logs are kept in the data dir and the container is gone.
    await waitForRelease(run.runId);
    expect((await alice.get(`/runs/${run.runId}/logs`)).body).toEqual(logs);
  });

  it('succeeds with exit 0, applies overrides, and masks secret-looking env values', async () => {
    const { appId } = await app({ command: ['sh', '-c', 'echo "$GREETING $NAME"'], env: { GREETING: 'hi', NAME: 'app', DB_PASSWORD: 's3cret' } });
    const run = await start(appId, { env: { NAME: 'override', API_TOKEN: 't0ken' } });
    const done = await waitForTerminal(alice, run.runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(done.env).toEqual({ GREETING: 'hi', NAME: 'override', DB_PASSWORD: '****', API_TOKEN: '****' });
    const logs = await waitFor(async () => (await alice.get(`/runs/${run.runId}/logs`)).body.events[0]?.message as string | undefined);
    expect(logs).toBe('hi override');
  });

  it('stops a sleeping run with SIGTERM (STOPPED) and kills another with SIGKILL', async () => {
    const { appId } = await app({ command: ['sleep', '600'] });
    const a = await start(appId);
    const b = await start(appId);
    await waitForStatus(alice, a.runId, 'RUNNING');
    await waitForStatus(alice, b.runId, 'RUNNING');

    const stop = await alice.post(`/runs/${a.runId}/stop`, { graceSeconds: 5 });
    expect(stop.status).toBe(202);
    const kill = await alice.post(`/runs/${b.runId}/kill`);
    expect(kill.status).toBe(202);
    const [stopped, killed] = await Promise.all([waitForTerminal(alice, a.runId), waitForTerminal(alice, b.runId)]);
    expect(stopped).toMatchObject({ status: 'STOPPED', exitCode: 143 });
    expect(stopped.stoppedReason).toMatch(/^stopped by /);
    expect(killed).toMatchObject({ status: 'STOPPED', exitCode: 137 });
    expect(killed.stoppedReason).toMatch(/^killed by /);
    // A finished run cannot be stopped again.
    expect((await alice.post(`/runs/${a.runId}/stop`)).status).toBe(409);
    expect((await alice.post(`/runs/${a.runId}/stop`, { graceSeconds: -1 })).status).toBe(400);
  });

  it('ends a run that outlives its timeout as TIMED_OUT', async () => {
    const { appId } = await app({ command: ['sleep', '600'], timeoutSeconds: 2 });
    const run = await start(appId);
    const done = await waitForTerminal(alice, run.runId);
    expect(done).toMatchObject({ status: 'TIMED_OUT', stoppedReason: 'timed out after 2 s' });
    expect(done.durationMs).toBeGreaterThanOrEqual(2000);
  });

  it('retries failures as linked runs, only on the listed exit codes', async () => {
    const { appId } = await app({ command: ['sh', '-c', 'exit 4'], retry: { maxAttempts: 3, onExitCodes: [4] } });
    const first = await start(appId);
    const last = await waitFor(async () => {
      const { body } = await alice.get(`/runs?appId=${appId}`);
      return body.items.length === 3 && body.items.every((r: { status: string }) => r.status === 'FAILED') ? body.items : undefined;
    });
    expect(last.map((r: { attempt: number; trigger: string }) => [r.attempt, r.trigger])).toEqual([
      [3, 'retry'],
      [2, 'retry'],
      [1, 'manual'],
    ]);
    expect(last[2].runId).toBe(first.runId);
    expect(last[2].nextRunId).toBe(last[1].runId);
    expect(last[1]).toMatchObject({ previousRunId: first.runId, nextRunId: last[0].runId });
    expect(last[0].nextRunId).toBeUndefined();

    const { appId: other } = await app({ command: ['sh', '-c', 'exit 5'], retry: { maxAttempts: 3, onExitCodes: [4] } });
    const once = await start(other);
    const failed = await waitForTerminal(alice, once.runId);
    expect(failed).toMatchObject({ status: 'FAILED', exitCode: 5 });
    // The terminal transition records the planned retry (none here); a retry starts before the container is released.
    expect(failed.nextRunId).toBeUndefined();
    await waitForRelease(once.runId);
    expect((await alice.get(`/runs?appId=${other}`)).body.items).toHaveLength(1);
  });

  it('fails a run whose image is missing with a clear reason, and one that runs out of memory', async () => {
    const { appId } = await app({ image: 'containerizer/does-not-exist:1' });
    const run = await start(appId);
    expect(run.status).toBe('FAILED');
    const failed = await alice.get(`/runs/${run.runId}`);
    expect(failed.body.stoppedReason).toContain('image "containerizer/does-not-exist:1" not found locally');
    expect((await alice.get(`/runs/${run.runId}/history`)).body.history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'FAILED']);

    // 0.25 vCPU / 512 MiB is Fargate's smallest task; a 600 MiB buffer does not fit.
    const { appId: hungry } = await app({ command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=600M', 'count=1'] });
    const oom = await waitForTerminal(alice, (await start(hungry)).runId);
    expect(oom.status).toBe('FAILED');
    expect(oom.stoppedReason).toMatch(/OutOfMemory/);
  });

  it('follows logs live as Server-Sent Events until the run ends, and resumes after an event id', async () => {
    // Each line waits for the test to have seen the one before, so every line arrives in its own page and has its own id.
    const { appId } = await app({ command: gatedScript(['line 1', 'line 2', 'line 3']) });
    const run = await start(appId);
    const follow = (lastEventId?: string) =>
      fetch(`${server.url}/runs/${run.runId}/logs`, {
        headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      });
    const res = await follow();
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events: SseEvent[] = [];
    for await (const event of sseEvents(res)) {
      // the stream closes itself when the run ends
      events.push(event);
      const logged = events.filter((e) => e.event === 'log').length;
      if (event.event === 'log' && logged < 3) await openGate(run.runId, logged);
    }
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.map((e) => JSON.parse(e.data).message)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'SUCCEEDED', exitCode: 0 });
    // Resuming from an event id gives only what came after it.
    const resumed: SseEvent[] = [];
    for await (const event of sseEvents(await follow(logs[1]!.id))) resumed.push(event);
    expect(resumed.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).message)).toEqual(['line 3']);
  });

  it('lists runs newest first with filters and cursor pagination', async () => {
    const bob = await signedIn(server.url);
    const { body: a } = await bob.post('/apps', sampleApp({ name: 'lister', command: ['true'] }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await bob.post(`/apps/${a.appId}/runs`)).body.runId);
    for (const id of ids) await waitForTerminal(bob, id);
    const all = await bob.get('/runs');
    expect(all.body.items.map((r: { runId: string }) => r.runId)).toEqual([...ids].reverse());
    const page1 = await bob.get('/runs?limit=2');
    const page2 = await bob.get(`/runs?limit=2&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.items, ...page2.body.items].map((r: { runId: string }) => r.runId)).toEqual([...ids].reverse());
    expect((await bob.get('/runs?status=SUCCEEDED')).body.items).toHaveLength(3);
    expect((await bob.get('/runs?status=FAILED')).body.items).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await bob.get(`/runs?from=${encodeURIComponent(future)}`)).body.items).toHaveLength(0);
    expect((await bob.get(`/runs?to=${encodeURIComponent(future)}`)).body.items).toHaveLength(3);
    const bad = await bob.get('/runs?status=DONE&limit=0&from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.from', 'query.limit', 'query.status']);
    // Another user sees none of these runs.
    const { body: theirs } = await alice.get(`/runs/${ids[0]}`);
    expect(theirs.status).toBe(404);
    expect((await alice.get(`/runs/${ids[0]}/logs`)).status).toBe(404);
    expect((await alice.post(`/runs/${ids[0]}/kill`)).status).toBe(404);
  });
});
