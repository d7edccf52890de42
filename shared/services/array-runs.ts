/**
 * Array jobs (issue 21; AWS Batch's "Array jobs" is the model): a parent run with `arrayProperties.size`
 * children, at most `parallelism` of them active at once. The parent has no task: it holds the
 * counters (store/array-store.ts) and its status follows its children (rules/array-rules.ts).
 *
 * Children are written as they are due, not up front: `fill` creates the next ones while fewer than
 * `parallelism` are created-but-not-ended, each with a conditional insert of its deterministic id
 * `<parentRunId>-<index>` (INSERT_BATCH at once) followed by a conditional advance of the parent's
 * nextIndex past them, so a repeated or concurrent fill never creates an index twice, and a crash in
 * between leaves children that the next fill steps over and the sweep launches (a run without a task:
 * the lost-launch path, or the launch queue in the cloud). One fill at a time creates a parent's
 * children (it claims the parent's item for FILL_LEASE_MS); the others leave it a wake-up, so that
 * many child ends at once (events in any number of processes) cost a few writes each, not a race. A child that ended (after its last attempt: the app's retry policy
 * applies per index) is counted once (a conditional ADD to a set of indexes), then the next fill
 * runs: the scheduler is event-driven, and the sweep resumes any array a restart interrupted.
 *
 * Quota: the parent does not count against MAX_ACTIVE_RUNS_PER_USER, each active child does. A child
 * is not created while its owner is at the quota: it waits (PENDING, not yet materialised) until a
 * sibling ends or the sweep finds room, so an array never gets a 429 once accepted.
 */
import { randomUUID } from 'node:crypto';
import { isTerminal, type Run, type RunStatus, type StopRequest, type TerminalStatus } from '../domain.js';
import { clipReason } from '../item-limits.js';
import type { RunServiceConfig, TaskDetails } from './run-config.js';
import type { TransitionFields } from '../store/run-store.js';
import { forEachLimited, pipeline } from '../concurrency.js';
import { logger } from '../logger.js';
import type { ArrayStore, FillState } from '../store/array-store.js';
import type { RunStore } from '../store/run-store.js';
import { childOf, childrenDue, childRunId, parentOutcome } from '../rules/array-rules.js';
import type { Page } from '../store/db.js';

/**
 * Children one fill creates at most (about 2 writes each, and their launches): a fill runs within an API request or an
 * event's handler; the next event, or the sweep, creates more.
 */
const FILL_BATCH = 100;

/** Children stopped at once (store writes and runtime calls in flight). */
const CHILD_CONCURRENCY = 16;

/**
 * Children a fill launches at once: RunTask's 20 calls a second (each launch waits for its token first) need 20 × a launch's
 * latency in flight (its store writes, RunTask); 32 keeps the rate with launches of up to 1.6 s.
 */
const LAUNCH_CONCURRENCY = 32;

/**
 * Children written at once before one advance of the parent's nextIndex past them: a crash (or a lost claim) in between
 * leaves at most this many stored above nextIndex, which a stop therefore looks for too.
 */
const INSERT_BATCH = 16;

/**
 * How long (ms) a fill's claim on its parent holds: a fill that crashed holding it (a restart, a Lambda timeout) delays the
 * next by at most this much. A paced fill may hold it longer (its launches: FILL_BATCH at the RunTask rate take ~5 s, more
 * when other arrays share the rate): then another fill may claim the parent meanwhile, which nextIndex's conditional
 * advances keep safe (the first one stops at its next read).
 */
const FILL_LEASE_MS = 15_000;

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
  /** True when launches wait for the backend's launch budget (ECS: RunTask's rate), as the launch queue's do. */
  launchesPaced: boolean;
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
   * Creates the children due now (rules' childrenDue, and room in the owner's quota) and launches them, each batch as soon as
   * it is counted in the parent's nextIndex (so launches overlap the next batch's writes); children created while a stop was
   * being asked for end STOPPED instead. Idempotent and safe to run concurrently, in one process or many: one fill at a time
   * holds the parent (a claim on its item for FILL_LEASE_MS) and creates its children (and, paced, launches them); a fill that finds it held leaves the
   * holder a wake-up instead (one write), and the holder reads the parent again before it lets go, so a child that ended
   * meanwhile is not missed and concurrent fills do not race each other index by index. Resolves once its launches are done,
   * with how many children it created (0 when none was due, or another fill held the parent).
   */
  async fill(parentRunId: string): Promise<number> {
    const first = await this.store.get(parentRunId);
    if (!first || childrenDue(first) === 0) return 0;
    const token = randomUUID();
    let state: FillState | undefined;
    // Held: wake the holder. Let go between the two writes: claim it again (a few times at most; the sweep resumes the rest).
    for (let tries = 0; !state; tries++) {
      state = await this.arrays.claimFill(parentRunId, token, Date.now(), Date.now() + FILL_LEASE_MS);
      if (!state && (tries >= 2 || (await this.arrays.wakeFiller(parentRunId, Date.now())))) return 0;
    }
    const launches = pipeline<{ child: Run; stop?: StopRequest }>(LAUNCH_CONCURRENCY, async ({ child, stop }) => {
      try {
        if (stop) await this.ops.stop(child, this.childStop(stop), { graceSeconds: 0 });
        else await this.ops.launch(child);
      } catch (err) {
        logger.error('array: could not launch a child', { runId: child.runId, error: err as Error });
      }
    });
    let created = 0;
    let released = false;
    try {
      for (;;) {
        const due = Math.min(childrenDue(state.parent), FILL_BATCH - created);
        // One count of the owner's active runs per round; concurrent arrays of one owner may together pass the quota by a few.
        const budget = due > 0 ? Math.min(due, await this.ops.room(state.parent.ownerId)) : 0;
        let unadvanced: Run[] = [];
        if (budget > 0) {
          const written = await this.createChildren(state.parent, budget, (children) => launches.push(...children.map((child) => ({ child }))));
          created += written.count;
          unadvanced = written.unadvanced;
        } else {
          // With a paced backend, its launches done before it lets go: a parent's children wait for a launch a batch at most
          // (FILL_BATCH at the RunTask rate, ~5 s), well within the time after which the launch queue takes a run's launch for
          // lost. Unpaced (Docker), each child's launch goes at its own speed: the next fill need not wait for the slowest.
          if (this.ops.launchesPaced) await launches.idle();
          if ((released = await this.arrays.releaseFill(parentRunId, token, state.wakes))) break;
        }
        // After the inserts, or woken while letting go: read again.
        const again = await this.arrays.fillState(parentRunId);
        // Written but not counted in nextIndex: a stop asked for meanwhile (which reads nextIndex) is this fill's to pass on.
        launches.push(...unadvanced.map((child) => ({ child, stop: again?.parent.stopRequest })));
        if (!again) break;
        state = again;
        if (again.fillerToken !== token) break; // The claim expired and another fill holds the parent now.
      }
    } finally {
      if (!released) await this.arrays.releaseFill(parentRunId, token).catch(() => undefined);
      await launches.close();
    }
    return created;
  }

  /**
   * Writes the parent's next `count` children, INSERT_BATCH at a time: their inserts at once, then one conditional advance of
   * nextIndex past them (refused once a stop was asked for), after which `counted` gets those this call wrote. A child found
   * stored already was written by a fill that crashed (or lost its claim) before advancing: its writer's, or the sweep's, to
   * launch. Stops at the first refused advance (another fill moved on, or a stop): `unadvanced` are the children of that batch
   * this call wrote; `count` every child it wrote.
   */
  private async createChildren(parent: Run, count: number, counted: (children: Run[]) => void): Promise<{ count: number; unadvanced: Run[] }> {
    let written = 0;
    let next = parent.arrayProperties!.nextIndex ?? 0;
    const end = Math.min(next + count, parent.arrayProperties!.size);
    while (next < end) {
      const indexes = Array.from({ length: Math.min(INSERT_BATCH, end - next) }, (_, i) => next + i);
      const at = new Date().toISOString();
      const batch: Run[] = [];
      await Promise.all(
        indexes.map(async (index) => {
          const child = childOf(parent, index, at);
          if (await this.store.insert(child)) batch.push(child);
          else await this.releaseStaleMarker(child);
        }),
      );
      written += batch.length;
      batch.sort((a, b) => a.arrayProperties!.index! - b.arrayProperties!.index!);
      if (!(await this.arrays.advance(parent.runId, next, next + indexes.length))) return { count: written, unadvanced: batch };
      counted(batch);
      next += indexes.length;
    }
    return { count: written, unadvanced: [] };
  }

  /** A repeated insert wrote the child's quota marker again: it goes if the child has ended already (settled, or settling). */
  private async releaseStaleMarker(child: Run): Promise<void> {
    const stored = await this.store.get(child.runId);
    if (stored && isTerminal(stored.status)) await this.store.leaveQuota(stored);
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
    // A batch above nextIndex too: a fill may have written those children and not advanced yet.
    const indexes = Array.from(
      { length: Math.min((claimed.arrayProperties!.nextIndex ?? 0) + INSERT_BATCH, claimed.arrayProperties!.size) },
      (_, index) => index,
    );
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
