/**
 * The launch queue's rules (RunService.drainQueue): which runs wait for a launch and in what
 * order, how many vCPUs the launched ones hold, and which of the waiting ones fit the backend's
 * quota now. The queue itself is the sparse `active` index: a run that has no task yet is in it.
 */
import { isTerminal, type Run } from '../domain.js';

/**
 * The runs waiting for a launch, oldest first (run ids are ULIDs, so by creation): not terminal,
 * no task, no stop asked for, and, when their launch was deferred with backoff, due at `at`.
 */
export function queuedRuns(active: readonly Run[], at: Date): Run[] {
  return active
    .filter((run) => !isTerminal(run.status) && !run.taskRef && !run.stopRequest && Date.parse(run.launchRetry?.notBefore ?? run.createdAt) <= at.getTime())
    .sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}

/** vCPUs the launched, unfinished runs hold (each task's own cpu, its sidecars included: Fargate's quota counts tasks' vCPUs). */
export function vcpusInUse(active: readonly Run[]): number {
  return active.filter((run) => run.taskRef && !isTerminal(run.status)).reduce((sum, run) => sum + run.cpu, 0);
}

/**
 * The head of `queue` that fits in `quota - inUse` vCPUs, in order: the queue stops at the first
 * run that does not fit, so a large run is not overtaken for ever by small ones.
 */
export function admitted(queue: readonly Run[], inUse: number, quota: number): Run[] {
  const out: Run[] = [];
  let used = inUse;
  for (const run of queue) {
    if (used + run.cpu > quota) break;
    used += run.cpu;
    out.push(run);
  }
  return out;
}
