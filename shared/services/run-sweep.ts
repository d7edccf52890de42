/**
 * The sweep of the active runs (RunService.sweep): one pass over the sparse `active` index that
 * settles, times out, fails, relaunches and resends what events alone did not, and resumes array
 * jobs. Each step is one of RunService's conditional writes, so a pass may repeat any of them.
 */
import { isTerminal, type App, type Run, type StopRequest, type TerminalStatus } from '../domain.js';
import { logger } from '../logger.js';
import { drainLaunchQueue } from './launch-queue.js';
import { chunks, forEachLimited } from '../concurrency.js';
import type { ContainerRuntime, TaskRef, TaskStateChange } from '../ports.js';
import type { RunStore } from '../store/run-store.js';
import { costLimitReason } from '../rules/cost-rules.js';
import {
  isLaunchLost,
  isMissingLost,
  isPastTimeout,
  isSettleOverdue,
  isStartOverdue,
  isStopOverdue,
  startTimeoutReason,
  type Ending,
} from '../rules/run-rules.js';
import { isArrayParent } from '../rules/array-rules.js';
import type { AppService } from './apps.js';
import type { ArrayRuns } from './array-runs.js';
import type { RunServiceConfig, TaskDetails } from './run-config.js';

/** Runs the sweep reconciles at once (their store writes and runtime calls in flight). */
const SWEEP_CONCURRENCY = 16;

/** What the sweep reads and calls: RunService's parts and its own writes. */
export interface SweepDeps {
  store: RunStore;
  runtime: ContainerRuntime;
  apps: AppService;
  config: RunServiceConfig;
  arrays: ArrayRuns;
}

/** RunService's steps the sweep applies (each a conditional write, or idempotent). */
export interface SweepOps {
  applyTaskStateChange(change: TaskStateChange): Promise<Run | undefined>;
  settle(run: Run): Promise<void>;
  launch(run: Run, version: App): Promise<Run>;
  finish(run: Run, status: TerminalStatus, ending: TaskDetails & Ending): Promise<Run | undefined>;
  requestStop(run: Run, request: StopRequest, options: { graceSeconds: number; kill?: boolean }): Promise<Run>;
}

export class RunSweep {
  constructor(
    private readonly deps: SweepDeps,
    private readonly ops: SweepOps,
  ) {}

  /**
   * One pass over the active runs (a Query on the sparse index): settles finished runs,
   * stops runs past their timeout (counted from their start), fails runs that did not start
   * within startTimeoutSeconds, relaunches runs whose launch was lost or deferred, sends
   * again stops that were lost, and, with `describe`, asks the backend for the tasks' states
   * (batched: runtime.describeAll) to catch lost events. Runs are reconciled SWEEP_CONCURRENCY
   * at a time; a failure on one run is logged and the pass goes on.
   */
  async sweep(options: { describe: boolean; at?: Date }): Promise<void> {
    const at = options.at ?? new Date();
    const runs = await this.deps.store.active();
    const states = options.describe ? await this.describeTasks(runs) : undefined;
    await forEachLimited(runs, SWEEP_CONCURRENCY, async (run) => {
      try {
        await this.sweepOne(run, at, states);
      } catch (err) {
        logger.error('sweep: could not reconcile a run', { runId: run.runId, error: err as Error });
      }
    });
  }

  /**
   * The backend's view of the tasks of the unfinished runs: taskRef → state, null when the
   * backend does not know the task; a task left out was not described (the run is left as it is).
   */
  private async describeTasks(runs: Run[]): Promise<Map<TaskRef, TaskStateChange | null>> {
    const tasks = runs.filter((run) => run.taskRef && !isTerminal(run.status)).map((run) => ({ taskRef: run.taskRef!, runId: run.runId }));
    if (this.deps.runtime.describeAll) return this.deps.runtime.describeAll(tasks);
    const states = new Map<TaskRef, TaskStateChange | null>();
    for (const batch of chunks(tasks, SWEEP_CONCURRENCY)) {
      await Promise.all(batch.map(async (task) => states.set(task.taskRef, await this.deps.runtime.describe(task.taskRef, task.runId))));
    }
    return states;
  }

  private async sweepOne(run: Run, at: Date, states: Map<TaskRef, TaskStateChange | null> | undefined): Promise<void> {
    if (isTerminal(run.status)) {
      // A just-finished run is being settled by whoever finished it; only a stale one was left behind.
      if (isSettleOverdue(run, at, this.deps.config.settleAfterMs)) await this.ops.settle(run);
      return;
    }
    // An array's parent has no task: its children are swept as runs; it is resumed (or ended) here.
    if (isArrayParent(run)) return this.deps.arrays.sweep(run);
    const startOverdue = isStartOverdue(run, at, this.deps.config.startTimeoutSeconds * 1000);
    if (!run.taskRef) {
      if (startOverdue) await this.abandon(run, at, startTimeoutReason(run, this.deps.config.startTimeoutSeconds));
      // With a launch budget, waiting runs are the launch queue's (drainQueue), launched in order.
      else if (!this.deps.runtime.capacity && isLaunchLost(run, at, this.deps.config.relaunchAfterMs))
        await this.ops.launch(run, await this.deps.apps.getVersion(run.appId, run.appVersion));
      return;
    }
    // A run about to fail for a slow start is failed only on the backend's word that it has not started (its RUNNING event may be late).
    const state = states ? states.get(run.taskRef) : startOverdue ? await this.deps.runtime.describe(run.taskRef, run.runId) : undefined;
    let current = run;
    if (state) {
      const after = await this.ops.applyTaskStateChange(state);
      if (after && isTerminal(after.status)) return;
      current = after ?? run;
    } else if (state === null && isMissingLost(run, at, this.deps.config.missingGraceMs)) {
      await this.abandon(run, at, 'task disappeared: the backend no longer knows it (lost while the platform was down?)');
      return;
    }
    if (isStartOverdue(current, at, this.deps.config.startTimeoutSeconds * 1000)) {
      await this.abandon(current, at, startTimeoutReason(current, this.deps.config.startTimeoutSeconds));
    } else if (current.stopRequest && isStopOverdue(current, at, this.deps.config.stopResendAfterMs)) {
      // The first StopTask was lost (e.g. denied, or a crash before it was sent): its grace is long over.
      await this.deps.runtime.stop(run.taskRef, 0, current.stopRequest.reason);
    } else if (!current.stopRequest && isPastTimeout(current, at)) {
      await this.ops.requestStop(
        current,
        {
          status: 'TIMED_OUT',
          reason: run.costTimeoutSeconds === run.timeoutSeconds ? costLimitReason(run) : `timed out after ${run.timeoutSeconds} s`,
          at: at.toISOString(),
          graceSeconds: this.deps.config.timeoutGraceSeconds,
        },
        { graceSeconds: this.deps.config.timeoutGraceSeconds },
      );
    }
  }

  /**
   * Fails a run the platform gives up on (its task disappeared, or it did not start in time), stopping its task first in case it
   * runs after all: a task that never started has no output or exit code for the run to wait for.
   */
  private async abandon(run: Run, at: Date, reason: string): Promise<void> {
    if (run.taskRef) {
      try {
        await this.deps.runtime.stop(run.taskRef, 0, reason);
      } catch (err) {
        // Most likely the task is gone indeed; the run is failed either way.
        logger.warn('sweep: could not stop the task of a run given up on', { runId: run.runId, error: err as Error });
      }
    }
    await this.ops.finish(run, 'FAILED', { at, reason });
  }

  /**
   * The launch queue (issue 16; launch-queue.ts drainLaunchQueue), for a runtime with a launch budget
   * (runtime.capacity): launches the waiting runs oldest first within the budget until `deadline`,
   * re-reading the active runs every `pollMs` (ms). Returns how many tasks it started.
   */
  drainQueue(deadline: Date, pollMs = 1000): Promise<number> {
    const capacity = this.deps.runtime.capacity;
    if (!capacity) return Promise.resolve(0);
    const queue = {
      active: () => this.deps.store.active(),
      launch: async (run: Run) => this.ops.launch(run, await this.deps.apps.getVersion(run.appId, run.appVersion)),
      relaunchAfterMs: this.deps.config.relaunchAfterMs,
      fill: (parentRunId: string) => this.deps.arrays.fill(parentRunId),
    };
    return drainLaunchQueue(queue, capacity, deadline, pollMs);
  }
}
