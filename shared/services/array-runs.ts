/**
 * Array jobs (issue 21; AWS Batch's "Array jobs" is the model): a parent run with `arrayProperties.size`
 * children, at most `parallelism` of them active at once. The parent has no task: it holds the
 * counters (store/array-store.ts) and its status follows its children (rules/array-rules.ts).
 *
 * Children are written as they are due, not up front: `fill` creates the next ones while fewer than
 * `parallelism` are created-but-not-ended, each with a conditional insert of its deterministic id
 * `<parentRunId>-<index>` followed by a conditional advance of the parent's nextIndex, so a repeated
 * or concurrent fill never creates an index twice, and a crash in between leaves a child that the
 * next fill steps over and the sweep launches (a run without a task: the lost-launch path, or the
 * launch queue in the cloud). A child that ended (after its last attempt: the app's retry policy
 * applies per index) is counted once (a conditional ADD to a set of indexes), then the next fill
 * runs: the scheduler is event-driven, and the sweep resumes any array a restart interrupted.
 *
 * Quota: the parent does not count against MAX_ACTIVE_RUNS_PER_USER, each active child does. A child
 * is not created while its owner is at the quota: it waits (PENDING, not yet materialised) until a
 * sibling ends or the sweep finds room, so an array never gets a 429 once accepted.
 */
import { isTerminal, type Run, type RunStatus, type StopRequest, type TerminalStatus } from '../domain.js';
import { clipReason } from '../item-limits.js';
import type { RunServiceConfig, TaskDetails } from './run-config.js';
import type { TransitionFields } from '../store/run-store.js';
import { forEachLimited } from '../concurrency.js';
import { logger } from '../logger.js';
import type { ArrayStore } from '../store/array-store.js';
import type { RunStore } from '../store/run-store.js';
import { childOf, childrenDue, childRunId, endedCount, parentOutcome } from '../rules/array-rules.js';
import type { Page } from '../store/db.js';

/**
 * Children one fill creates at most (about 2 writes each, and their launches): a fill runs within an API request or an
 * event's handler; the next event, or the sweep, creates more.
 */
const FILL_BATCH = 100;

/** Children launched, or stopped, at once (store writes and runtime calls in flight). */
const CHILD_CONCURRENCY = 16;

/** What array jobs need of RunService. */
export interface ArrayRunOps {
  /** Launches a stored PENDING run (RunService's launch: it records the task, or defers or fails the run). */
  launch(run: Run): Promise<Run>;
  /** Stops a run (RunService's requestStop: one not launched yet simply ends). */
  stop(run: Run, request: StopRequest, options: { graceSeconds: number; kill?: boolean }): Promise<Run>;
  /** RunService's conditional transition (settled when terminal). */
  transition(runId: string, status: RunStatus, details: TaskDetails, fields?: TransitionFields, expiresAt?: number): Promise<Run | undefined>;
  /** How many more runs the owner may start now (MAX_ACTIVE_RUNS_PER_USER less their active runs). */
  room(ownerId: string): Promise<number>;
}

export class ArrayRuns {
  constructor(
    private readonly store: RunStore,
    private readonly arrays: ArrayStore,
    private readonly config: Pick<RunServiceConfig, 'finishedRunTtlDays'>,
    private readonly ops: ArrayRunOps,
  ) {}

  /** Starts a stored parent: it leaves its owner's quota (its children count instead) and its first children are created and launched. */
  async begin(parent: Run): Promise<Run> {
    await this.store.leaveQuota(parent);
    await this.fill(parent.runId);
    return (await this.store.get(parent.runId))!;
  }

  /**
   * Creates the children due now (rules' childrenDue, and room in the owner's quota) and launches them; children created
   * while a stop was being asked for end STOPPED instead. Idempotent and safe to run concurrently.
   */
  async fill(parentRunId: string): Promise<void> {
    const first = await this.store.get(parentRunId);
    if (!first || childrenDue(first) === 0) return;
    let parent: Run = first;
    // One count of the owner's active runs per fill; concurrent fills may together pass the quota by a few, never by a batch.
    let budget = Math.min(FILL_BATCH, await this.ops.room(parent.ownerId));
    const created: Run[] = [];
    let index = parent.arrayProperties!.nextIndex ?? 0;
    while (budget > 0 && index < parent.arrayProperties!.size) {
      const child = childOf(parent, index, new Date().toISOString());
      // Not inserted: a crashed fill wrote it before advancing; it has no task, so the sweep launches it.
      if (await this.store.insert(child)) created.push(child);
      budget--;
      if (await this.arrays.advance(parentRunId, index)) {
        index++;
        if (index - endedCount(parent.arrayProperties!.statusSummary) < (parent.arrayProperties!.parallelism ?? Infinity)) continue;
      }
      // Another fill moved on, or the parallelism is reached as last read: read again.
      const again = await this.store.get(parentRunId);
      if (!again || childrenDue(again) === 0) break;
      parent = again;
      index = parent.arrayProperties!.nextIndex ?? 0;
    }
    if (created.length === 0) return;
    // Read after the inserts: a stop claimed before this read reaches these children below; one claimed after it finds them stored.
    const after = await this.store.get(parentRunId);
    await forEachLimited(created, CHILD_CONCURRENCY, async (child) => {
      try {
        if (after?.stopRequest) await this.ops.stop(child, this.childStop(after.stopRequest), { graceSeconds: 0 });
        else await this.ops.launch(child);
      } catch (err) {
        logger.error('array: could not launch a child', { runId: child.runId, error: err as Error });
      }
    });
  }

  /** A child moved to RUNNING: so does its parent (once; a repeated event changes nothing). */
  async childRunning(child: Run): Promise<void> {
    const parent = await this.store.get(child.parentRunId!);
    if (parent && parent.status !== 'RUNNING' && !isTerminal(parent.status)) await this.ops.transition(parent.runId, 'RUNNING', { at: new Date() });
  }

  /**
   * A child's last attempt ended: it is counted once in its parent, which ends when no child can still run. Part of the
   * child's settlement (a crash before it leaves the child for the sweep to settle again); the next children are the
   * caller's to start after it (fill), which the parent's sweep does too.
   */
  async childEnded(child: Run): Promise<void> {
    const parentRunId = child.parentRunId!;
    const counted = await this.arrays.countEnded(parentRunId, child.arrayProperties!.index!, child.status as TerminalStatus);
    // Counted already (a repeated settlement): the parent's end may still be due, if a crash came between.
    const parent = counted ?? (await this.store.get(parentRunId));
    if (parent) await this.endIfDone(parent);
  }

  /** Whether a retry of a child may start: not once its parent was asked to stop. */
  async mayRetry(child: Run): Promise<StopRequest | undefined> {
    const parent = await this.store.get(child.parentRunId!);
    return parent?.stopRequest ? this.childStop(parent.stopRequest) : undefined;
  }

  /**
   * Stops an array: the parent records the request (no child is created after it), then every child created so far that has
   * not ended is stopped (or killed) like a run; the parent ends with the request's status once they all have.
   */
  async stop(parent: Run, request: StopRequest, options: { graceSeconds: number; kill?: boolean }): Promise<Run> {
    const claimed = (await this.store.claimStop(parent.runId, request)) ?? (await this.store.get(parent.runId))!;
    if (isTerminal(claimed.status)) return claimed;
    const childRequest = this.childStop(claimed.stopRequest!);
    // nextIndex itself too: a fill may have written that child and not advanced yet.
    const indexes = Array.from({ length: Math.min((claimed.arrayProperties!.nextIndex ?? 0) + 1, claimed.arrayProperties!.size) }, (_, index) => index);
    await forEachLimited(indexes, CHILD_CONCURRENCY, async (index) => {
      const child = await this.lastAttempt(childRunId(parent.runId, index));
      if (child && !isTerminal(child.status)) await this.ops.stop(child, childRequest, options);
    });
    const after = (await this.store.get(parent.runId))!;
    await this.endIfDone(after);
    return (await this.store.get(parent.runId))!;
  }

  /** The sweep's pass over an unfinished parent: ends it if its children are all done (a crash came between), else fills it (resumes it after a restart). */
  async sweep(parent: Run): Promise<void> {
    if (!(await this.endIfDone(parent))) await this.fill(parent.runId);
  }

  /** One page of the parent's children (every attempt), by index. */
  children(parent: Run, page: { limit: number; cursor?: string }): Promise<Page<Run>> {
    return this.arrays.children(parent, page);
  }

  private async endIfDone(parent: Run): Promise<boolean> {
    if (isTerminal(parent.status)) return true;
    const outcome = parentOutcome(parent);
    if (!outcome) return false;
    await this.end(parent, outcome.status, clipReason(outcome.reason)!);
    return true;
  }

  /** The parent's end, with the counts as its reason: no exit code and no duration (no task ran, nothing is billed for it). */
  private end(parent: Run, status: TerminalStatus, reason: string): Promise<Run | undefined> {
    const at = new Date();
    const ttlDays = parent.retentionDays ?? this.config.finishedRunTtlDays;
    const expiresAt = ttlDays > 0 ? Math.floor(at.getTime() / 1000) + ttlDays * 86_400 : undefined;
    return this.ops.transition(parent.runId, status, { at, reason }, { stoppedAt: at.toISOString(), stoppedReason: reason }, expiresAt);
  }

  /** The last attempt of a child: its first run and then its retries (nextRunId). */
  private async lastAttempt(runId: string): Promise<Run | undefined> {
    let run = await this.store.get(runId);
    while (run?.nextRunId) {
      const next = await this.store.get(run.nextRunId);
      if (!next) break;
      run = next;
    }
    return run;
  }

  private childStop(request: StopRequest): StopRequest {
    return { ...request, reason: `${request.reason} (its array job)` };
  }
}
