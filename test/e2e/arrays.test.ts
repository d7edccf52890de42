/** Array jobs over real HTTP on the real Docker engine (issue 21): fan-out, parallelism, per-index retries, the parent's status, stop. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleApp } from '../support/fixtures.js';
import { Client, signedIn, startServer, tempDataDir, waitFor, waitForTerminal, type RunningServer } from '../support/server.js';

interface ChildView {
  runId: string;
  status: string;
  attempt: number;
  parentRunId: string;
  arrayProperties: { size: number; index: number; statusSummary?: Record<string, number> };
  startedAt?: string;
  stoppedAt?: string;
}

/** The most intervals [start, stop] that overlap at any instant. */
function maxOverlap(intervals: { start: number; stop: number }[]): number {
  const edges = intervals.flatMap(({ start, stop }) => [
    { at: start, delta: 1 },
    { at: stop, delta: -1 },
  ]);
  // A stop before a start at the same instant: touching intervals do not overlap.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (open += edge.delta));
  return most;
}

describe('array jobs', () => {
  let server: RunningServer;
  let alice: Client;

  async function app(command: string, extra: Record<string, unknown> = {}) {
    const reply = await alice.post('/apps', { ...sampleApp({ command: ['sh', '-c', command] }), ...extra });
    expect(reply.status).toBe(201);
    return reply.body.appId as string;
  }

  /** Every item of a paged listing (`path` with its query), following nextCursor. */
  async function listAll<T = ChildView>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    do {
      const reply = await alice.get(`${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(reply.status).toBe(200);
      out.push(...reply.body.items);
      cursor = reply.body.nextCursor;
    } while (cursor);
    return out;
  }

  const children = (runId: string) => listAll(`/runs/${runId}/children?limit=1000`);

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(() => server.stop());

  it('runs 100 children with parallelism 10, indexes 0–99, and fails the parent with the counts when one index fails', async () => {
    const appId = await app('test "$CONTAINERIZER_ARRAY_INDEX" != 42 && test "$CONTAINERIZER_ARRAY_SIZE" = 100');
    const created = await alice.post(`/apps/${appId}/runs`, { arrayProperties: { size: 100 }, parallelism: 10 });
    expect(created.status).toBe(202);
    expect(created.body.arrayProperties).toMatchObject({ size: 100, parallelism: 10 });
    const parent = await waitForTerminal(alice, created.body.runId, 300_000);
    expect(parent.status).toBe('FAILED');
    expect(parent.arrayProperties).toEqual({
      size: 100,
      parallelism: 10,
      nextIndex: 100,
      statusSummary: { SUCCEEDED: 99, FAILED: 1, STOPPED: 0, TIMED_OUT: 0 },
    });
    expect(parent.stoppedReason).toBe('100 of 100 children ended: 99 SUCCEEDED, 1 FAILED');
    expect(parent.cost).toBeUndefined();

    const all = await children(parent.runId);
    expect(all.map((child) => child.arrayProperties.index)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(all.every((child) => child.parentRunId === parent.runId && child.runId.startsWith(`${parent.runId}-`))).toBe(true);
    expect(all.filter((child) => child.status === 'FAILED').map((child) => child.arrayProperties.index)).toEqual([42]);
    // Never more than 10 running at once, by the containers' own start and stop times.
    const intervals = all.map((child) => ({ start: Date.parse(child.startedAt!), stop: Date.parse(child.stoppedAt!) }));
    expect(maxOverlap(intervals)).toBeLessThanOrEqual(10);

    // A child is a run: read by its id, its history and logs by their routes.
    const child = await alice.get(`/runs/${all[7]!.runId}`);
    expect(child.body).toMatchObject({ status: 'SUCCEEDED', arrayProperties: { size: 100, index: 7 } });
    expect((await alice.get(`/runs/${all[7]!.runId}/logs`)).status).toBe(200);

    // The app's listing and the owner's list the children beside their parent, newest first: indexes 99…0, then the parent.
    const expected = [...all.map((run) => run.runId).reverse(), parent.runId];
    // (Alice has run nothing else yet, so her listing across apps is this array.)
    for (const query of [`appId=${appId}&`, '']) {
      const listed = await listAll(`/runs?${query}limit=100`);
      expect(listed.map((run) => run.runId)).toEqual(expected);
      expect(listed.slice(0, 100).every((run) => run.parentRunId === parent.runId)).toBe(true);
      expect(listed.slice(0, 100).map((run) => run.arrayProperties.index)).toEqual(Array.from({ length: 100 }, (_, index) => 99 - index));
      expect(listed.at(-1)).toMatchObject({ runId: parent.runId, arrayProperties: { size: 100, statusSummary: { FAILED: 1 } } });
      expect(listed.at(-1)!.parentRunId).toBeUndefined();
    }
    // The status filter reaches children too.
    const failed = await listAll(`/runs?appId=${appId}&status=FAILED`);
    expect(failed.map((run) => run.runId)).toEqual([all[42]!.runId, parent.runId]);
  }, 360_000);

  it('retries an index that fails twice, then succeeds on its third attempt (the app retry policy, per index)', async () => {
    const appId = await app('if [ "$CONTAINERIZER_ARRAY_INDEX" = 1 ] && [ "$CONTAINERIZER_ATTEMPT" -lt 3 ]; then exit 1; fi', { retry: { maxAttempts: 3 } });
    const created = await alice.post(`/apps/${appId}/runs`, { arrayProperties: { size: 3 } });
    const parent = await waitForTerminal(alice, created.body.runId, 120_000);
    expect(parent.status).toBe('SUCCEEDED');
    expect(parent.arrayProperties.statusSummary).toEqual({ SUCCEEDED: 3, FAILED: 0, STOPPED: 0, TIMED_OUT: 0 });
    const all = await children(parent.runId);
    expect(all.map((child) => [child.runId.slice(27), child.status, child.attempt])).toEqual([
      ['0000', 'SUCCEEDED', 1],
      ['0001', 'FAILED', 1],
      ['0001-2', 'FAILED', 2],
      ['0001-3', 'SUCCEEDED', 3],
      ['0002', 'SUCCEEDED', 1],
    ]);
    // The parent ran nothing itself: it cannot be replayed (a child can, as a run of its own).
    expect((await alice.post(`/runs/${parent.runId}/replay`)).status).toBe(409);
    const replay = await alice.post(`/runs/${all[0]!.runId}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body.parentRunId).toBeUndefined();
  }, 180_000);

  it('stops every running child with the parent; the pending ones never start', async () => {
    const appId = await app('sleep 600');
    const created = await alice.post(`/apps/${appId}/runs`, { arrayProperties: { size: 50 }, parallelism: 3 });
    const runId = created.body.runId as string;
    await waitFor(async () => {
      const all = await children(runId);
      return all.filter((child) => child.status === 'RUNNING').length === 3 ? all : undefined;
    });
    expect((await alice.get(`/runs/${runId}`)).body.status).toBe('RUNNING');
    const stop = await alice.post(`/runs/${runId}/kill`);
    expect(stop.status).toBe(202);
    const parent = await waitForTerminal(alice, runId);
    expect(parent.status).toBe('STOPPED');
    expect(parent.arrayProperties.statusSummary).toEqual({ SUCCEEDED: 0, FAILED: 0, STOPPED: 3, TIMED_OUT: 0 });
    expect(parent.arrayProperties.nextIndex).toBe(3);
    const all = await children(runId);
    expect(all.map((child) => child.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
  }, 120_000);

  it('refuses bad arrays with a 400', async () => {
    const appId = await app('true');
    for (const body of [
      { arrayProperties: { size: 1 } },
      { arrayProperties: { size: 10_001 } },
      { parallelism: 2 },
      { arrayProperties: { size: 5 }, parallelism: 0 },
    ]) {
      expect((await alice.post(`/apps/${appId}/runs`, body)).status).toBe(400);
    }
    const run = await alice.post(`/apps/${appId}/runs`, {});
    await waitForTerminal(alice, run.body.runId);
    expect((await alice.get(`/runs/${run.body.runId}/children`)).status).toBe(400);
    expect((await alice.get(`/runs/${run.body.runId}-0000`)).status).toBe(404);
  });

  it('resumes an array after a crash of the server (SIGKILL): every index runs once, the parent ends', async () => {
    const dataDir = tempDataDir();
    let crashed = await startServer({ dataDir });
    const bob = await signedIn(crashed.url);
    const made = await bob.post('/apps', sampleApp({ command: ['sh', '-c', 'sleep 1'] }));
    const created = await bob.post(`/apps/${made.body.appId}/runs`, { arrayProperties: { size: 12 }, parallelism: 3 });
    const runId = created.body.runId as string;
    await waitFor(async () => ((await bob.get(`/runs/${runId}`)).body.arrayProperties.statusSummary.SUCCEEDED >= 2 ? true : undefined));
    await crashed.stop('SIGKILL');
    crashed = await startServer({ dataDir });
    try {
      const restarted = new Client(crashed.url, bob.token);
      const parent = await waitForTerminal(restarted, runId, 120_000);
      expect(parent).toMatchObject({ status: 'SUCCEEDED', arrayProperties: { nextIndex: 12, statusSummary: { SUCCEEDED: 12 } } });
      const listed = await restarted.get(`/runs/${runId}/children?limit=100`);
      expect(listed.body.items.map((child: ChildView) => [child.arrayProperties.index, child.attempt])).toEqual(
        Array.from({ length: 12 }, (_, index) => [index, 1]),
      );
    } finally {
      await crashed.stop();
    }
  }, 240_000);
});
