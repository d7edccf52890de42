/**
 * The launch queue's rules (RunService.drainQueue): which runs wait for a launch and in what
 * order, how many vCPUs the launched ones hold, and which of the waiting ones fit the backend's
 * quota now. The queue itself is the sparse `active` index: a run that has no task yet is in it.
 */
import { isTerminal, type Run } from '../domain.js';
import { logger } from '../logger.js';
import type { LaunchCapacity } from '../ports.js';
import { isLaunchLost } from '../rules/run-rules.js';
import { childrenDue, isArrayParent } from '../rules/array-rules.js';

/**
 * The runs waiting for a launch, oldest first (run ids are ULIDs, so by creation): not terminal,
 * no task, no stop asked for, and, when their launch was deferred with backoff, due at `at`. An array job's parent never
 * waits here (it has no task; its children do).
 */
export function queuedRuns(active: readonly Run[], at: Date): Run[] {
  return active
    .filter(
      (run) =>
        !isTerminal(run.status) &&
        !run.taskRef &&
        !run.stopRequest &&
        !isArrayParent(run) &&
        Date.parse(run.launchRetry?.notBefore ?? run.createdAt) <= at.getTime(),
    )
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

/** What the queue needs of RunService: the active runs, a launch, and how long a new run is its creator's. */
export interface QueueOfRuns {
  active(): Promise<Run[]>;
  /** Launches the run (RunService's launch: it records the task, or defers or fails the run). */
  launch(run: Run): Promise<Run>;
  /** A run never deferred and younger than this (ms) is its creator's to launch. */
  relaunchAfterMs: number;
  /**
   * Creates and launches an array job's next children (ArrayRuns.fill: at most a batch a call, each launch taking from the
   * same `capacity`), so that a large array fans out at the launch rate, not at the pace of its children's ends.
   */
  fill?(parentRunId: string): Promise<number>;
}

/** No array fill is started this close (ms) to the drain's deadline: a fill's launches (a batch at the RunTask rate) take ~5 s. */
const FILL_MARGIN_MS = 10_000;

/**
 * Drains the launch queue until `deadline`: the runs waiting for a launch (lost or deferred:
 * run-rules' isLaunchLost), oldest first, each launched while the vCPUs of the launched, unfinished
 * runs and of those being launched stay within `capacity.vcpuQuota`, one `capacity.take()` (the
 * RunTask rate) each. Reads the active runs again every `pollMs` (ms; a quarter of it while runs
 * wait) to see capacity free up and new refusals arrive; launches under way are not waited for
 * between reads, nor picked again. Array jobs with children due are filled beside it (`runs.fill`, one fill per
 * parent at a time, none in the last FILL_MARGIN_MS). Returns at once when no run is active (an idle deployment pays
 * nothing). Returns how many tasks it started; a failed launch is logged, the next read retries it.
 */
export async function drainLaunchQueue(runs: QueueOfRuns, capacity: LaunchCapacity, deadline: Date, pollMs: number): Promise<number> {
  let started = 0;
  const inFlight = new Map<string, Promise<void>>();
  const filling = new Map<string, Promise<void>>();
  let inFlightVcpus = 0;
  while (Date.now() < deadline.getTime()) {
    const at = new Date();
    const active = await runs.active();
    if (!active.some((run) => !isTerminal(run.status))) break;
    // Array jobs with children due: one fill each at a time, beside the queue's own launches.
    if (runs.fill && deadline.getTime() - Date.now() > FILL_MARGIN_MS) {
      for (const parent of active.filter((run) => isArrayParent(run) && childrenDue(run) > 0 && !filling.has(run.runId))) {
        // The next batch as soon as this one is launched, while children are due and time is left.
        const fillAll = async () => {
          while ((await runs.fill!(parent.runId)) > 0 && deadline.getTime() - Date.now() > FILL_MARGIN_MS);
        };
        const fill = fillAll()
          .catch((err: unknown) => logger.error('launch queue: could not fill an array job', { runId: parent.runId, error: err as Error }))
          .finally(() => filling.delete(parent.runId));
        filling.set(parent.runId, fill);
      }
    }
    const queue = queuedRuns(active, at).filter((run) => !inFlight.has(run.runId) && isLaunchLost(run, at, runs.relaunchAfterMs));
    for (const run of admitted(queue, vcpusInUse(active) + inFlightVcpus, capacity.vcpuQuota)) {
      await capacity.take();
      if (Date.now() >= deadline.getTime()) break;
      inFlightVcpus += run.cpu;
      const launch = runs
        .launch(run)
        .then((launched) => void (launched.taskRef && started++))
        .catch((err: unknown) => logger.error('launch queue: could not launch a run', { runId: run.runId, error: err as Error }))
        .finally(() => {
          inFlight.delete(run.runId);
          inFlightVcpus -= run.cpu;
        });
      inFlight.set(run.runId, launch);
    }
    // While runs wait, a freed slot is filled within a quarter of pollMs.
    const wait = queue.length > 0 ? pollMs / 4 : pollMs;
    await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, deadline.getTime() - Date.now()))));
  }
  await Promise.all([...inFlight.values(), ...filling.values()]);
  return started;
}
