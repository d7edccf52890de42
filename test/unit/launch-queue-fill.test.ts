/**
 * The launch queue's array fills (issue 21, the cloud fan-out): while it drains, an array job with children due is filled
 * beside it, one fill per parent at a time, the next as soon as one returns children, none near the deadline; a parent
 * with nothing due (at its parallelism, ended, or stopped) is not filled.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain.js';
import { drainLaunchQueue, type QueueOfRuns } from '../../shared/services/launch-queue.js';

const capacity = { vcpuQuota: 64, take: async () => {} };

function parent(runId: string, array: { size: number; parallelism: number; nextIndex: number; ended: number }, extra: Partial<Run> = {}): Run {
  return {
    runId,
    status: 'RUNNING',
    createdAt: new Date(0).toISOString(),
    cpu: 0.25,
    arrayProperties: {
      size: array.size,
      parallelism: array.parallelism,
      nextIndex: array.nextIndex,
      statusSummary: { SUCCEEDED: array.ended, FAILED: 0, STOPPED: 0, TIMED_OUT: 0 },
    },
    ...extra,
  } as Run;
}

describe('drainLaunchQueue: array fills', () => {
  it('fills each parent with children due, one fill at a time, again while a fill creates children, and not the others', async () => {
    const due = parent('P1', { size: 300, parallelism: 300, nextIndex: 0, ended: 0 });
    const full = parent('P2', { size: 300, parallelism: 10, nextIndex: 10, ended: 0 });
    const stopped = parent(
      'P3',
      { size: 300, parallelism: 300, nextIndex: 5, ended: 0 },
      { stopRequest: { status: 'STOPPED', reason: 'x', at: '', graceSeconds: 0 } },
    );
    let created = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const filled: string[] = [];
    const runs: QueueOfRuns = {
      // Active until P1 has all its children.
      active: async () => (created < 300 ? [due, full, stopped] : []),
      launch: async (run) => run,
      relaunchAfterMs: 30_000,
      fill: async (parentRunId) => {
        filled.push(parentRunId);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        const batch = Math.min(100, 300 - created);
        created += batch;
        return batch;
      },
    };
    await drainLaunchQueue(runs, capacity, new Date(Date.now() + 60_000), 50);
    expect(created).toBe(300);
    expect(new Set(filled)).toEqual(new Set(['P1']));
    // 100, 100, 100 and the call that finds none due; never two at once.
    expect(filled).toHaveLength(4);
    expect(mostInFlight).toBe(1);
  });

  it('starts no fill within FILL_MARGIN_MS of its deadline', async () => {
    const filled: string[] = [];
    const runs: QueueOfRuns = {
      active: async () => [parent('P1', { size: 300, parallelism: 300, nextIndex: 0, ended: 0 })],
      launch: async (run) => run,
      relaunchAfterMs: 30_000,
      fill: async (parentRunId) => (filled.push(parentRunId), 0),
    };
    await drainLaunchQueue(runs, capacity, new Date(Date.now() + 200), 50);
    expect(filled).toEqual([]);
  });
});
