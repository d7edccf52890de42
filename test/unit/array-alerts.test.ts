/**
 * Alerts meet array jobs: an array of 100 children that all fail raises one RUN_FAILED (its parent's, with the counts),
 * not 100; a FAILURE_STREAK counts the array once; LONG_RUN judges neither parents nor children. The evaluator runs on
 * in-memory stores that keep deliveries by id, as the table does (written only if absent).
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain.js';
import { AlertEvaluator } from '../../shared/services/alert-evaluation.js';
import type { StoredAlert, StoredDelivery } from '../../shared/store/alert-store.js';
import type { AlertStore } from '../../shared/store/alert-store.js';
import type { RunStore } from '../../shared/store/run-store.js';
import { childRunId } from '../../shared/rules/array-rules.js';
import { sampleRun } from '../support/fixtures.js';

const OWNER = 'user-1';
const APP = '01J0000000000000000000APP1';

function evaluator(rule: Partial<StoredAlert>, runs: Run[]) {
  const deliveries = new Map<string, StoredDelivery>();
  const alert = {
    alertId: 'alert-1',
    ownerId: OWNER,
    appId: APP,
    enabled: true,
    conditions: [{ type: 'RUN_FAILED' }, { type: 'LAUNCH_FAILED' }, { type: 'RUN_TIMED_OUT' }],
    webhook: { url: 'https://example.com/hook', format: 'standard' },
    webhookSecret: 'whsec_x',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...rule,
  } as StoredAlert;
  const alerts = {
    listAll: async () => [alert],
    addDelivery: async (delivery: StoredDelivery) => !deliveries.has(delivery.deliveryId) && !!deliveries.set(delivery.deliveryId, delivery),
  } as unknown as AlertStore;
  // The app's runs newest first, as the index lists them (children's ids sort after their parent's).
  const newestFirst = () => [...runs].sort((a, b) => (a.runId < b.runId ? 1 : -1));
  const store = {
    get: async (runId: string) => runs.find((r) => r.runId === runId),
    listRuns: async (_of: unknown, listing: { range: { high: string } }) => ({ items: newestFirst().filter((r) => r.runId <= listing.range.high) }),
  } as unknown as RunStore;
  return { evaluator: new AlertEvaluator(alerts, store, {} as never, {} as never), deliveries };
}

/** A finished array of `size` children, all with `status`, and its parent FAILED with their counts. */
function failedArray(parentRunId: string, size: number, status: 'FAILED' | 'TIMED_OUT' = 'FAILED'): { parent: Run; children: Run[] } {
  const statusSummary = { SUCCEEDED: 0, FAILED: 0, STOPPED: 0, TIMED_OUT: 0, [status]: size };
  const parent = sampleRun({
    runId: parentRunId,
    status: 'FAILED',
    arrayProperties: { size, statusSummary, nextIndex: size, parallelism: 10 },
    stoppedReason: `${size} of ${size} children ended: ${size} ${status}`,
    durationMs: undefined,
    exitCode: undefined,
  });
  const children = Array.from({ length: size }, (_, index) =>
    sampleRun({ runId: childRunId(parentRunId, index), parentRunId, status, arrayProperties: { size, index }, exitCode: 1 }),
  );
  return { parent, children };
}

describe('alerts of array jobs', () => {
  it('100 failing children raise one RUN_FAILED, the parent’s, with the counts; each child raises none', async () => {
    const { parent, children } = failedArray('01J000000000000000000ARR01', 100);
    const { evaluator: alerts, deliveries } = evaluator({}, [parent, ...children]);
    for (const child of children) expect(await alerts.observeRun(child)).toEqual([]);
    const written = await alerts.observeRun(parent);
    expect(written).toHaveLength(1);
    expect(written[0]!.event).toMatchObject({
      type: 'RUN_FAILED',
      runId: parent.runId,
      arrayProperties: { size: 100, statusSummary: { FAILED: 100, SUCCEEDED: 0, STOPPED: 0, TIMED_OUT: 0 } },
      reason: '100 of 100 children ended: 100 FAILED',
    });
    expect(written[0]!.event.summary).toBe(`Run of report failed (array job of 100 ${parent.runId}): 100 of 100 children ended: 100 FAILED`);
    // A repeated event for the parent writes nothing new.
    expect(await alerts.observeRun(parent)).toEqual([]);
    expect(deliveries.size).toBe(1);
  });

  it('children that time out raise no RUN_TIMED_OUT of their own (their parent ends FAILED and alerts once)', async () => {
    const { parent, children } = failedArray('01J000000000000000000ARR02', 5, 'TIMED_OUT');
    const { evaluator: alerts, deliveries } = evaluator({}, [parent, ...children]);
    for (const child of children) await alerts.observeRun(child);
    await alerts.observeRun(parent);
    expect([...deliveries.values()].map((d) => `${d.event.type} ${d.event.runId}`)).toEqual([`RUN_FAILED ${parent.runId}`]);
  });

  it('FAILURE_STREAK counts an array once: two failed arrays of 50 are a streak of 2, not of 100', async () => {
    const one = failedArray('01J000000000000000000ARR01', 50);
    const two = failedArray('01J000000000000000000ARR02', 50);
    const runs = [sampleRun({ runId: '01J000000000000000000ARR00', status: 'SUCCEEDED' }), one.parent, ...one.children, two.parent, ...two.children];
    const { evaluator: alerts } = evaluator({ conditions: [{ type: 'FAILURE_STREAK', count: 3 }] }, runs);
    // With a count of 3 nothing fires: children do not count.
    for (const run of [...one.children, one.parent, ...two.children, two.parent]) expect(await alerts.observeRun(run)).toEqual([]);
    const { evaluator: strict } = evaluator({ conditions: [{ type: 'FAILURE_STREAK', count: 2 }] }, runs);
    const written = await strict.observeRun(two.parent);
    expect(written.map((d) => [d.event.type, d.event.failures])).toEqual([['FAILURE_STREAK', 2]]);
  });
});
