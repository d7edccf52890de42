/**
 * Runs: the workflow of launch, the state machine, stop/kill, timeouts, retries and
 * reconciliation. The rules it applies are in run-rules.ts; the writes are RunStore's.
 *
 * Every status change is one conditional UpdateItem (RunStore.transition): the new status's
 * rank must be above the stored one, and so must the backend's event version where it has
 * one (ECS detail.version); the transition is appended to the run's `history` in the same
 * write. Replayed, duplicated or out-of-order events therefore change nothing, and the
 * history can never disagree with the status.
 *
 * A run stays in the sparse `active` index until it is settled: after its terminal
 * transition, its follow-ups (leaving its owner's quota, the retry, the run-state event,
 * releasing the task) run and only then does it leave the index. A crash in between is healed by the next sweep, which
 * settles any terminal run it still finds there.
 */
import { ulid } from 'ulid';
import { isTerminal, type App, type Principal, type Run, type RunStatus, type StopRequest, type TerminalStatus } from '../domain.js';
import { badRequest, conflict, notFound, tooManyRequests } from '../errors.js';
import { logger } from '../logger.js';
import { LaunchDeferredError, type ContainerRuntime, type LaunchableApp, type RunEventPublisher, type TaskStateChange } from '../ports.js';
import type { RunCreate, RunListQuery } from '../schemas.js';
import type { Page } from '../store/db.js';
import type { RunStore, TransitionFields } from '../store/run-store.js';
import { checkRunSize, clipReason } from '../item-limits.js';
import { canAccess } from './access.js';
import type { AppService } from './apps.js';
import type { CostService } from './costs.js';
import { taskArchitecture } from '../aws/architecture.js';
import { ArrayRuns } from './array-runs.js';
import { RunSweep } from './run-sweep.js';
import { imageStrings, QUOTA_RETRY_AFTER_SECONDS, type ImageResolver, type RunServiceConfig, type TaskDetails } from './run-config.js';
import { ArrayStore } from '../store/array-store.js';
import { arrayEnv, arrayParallelism, childRunId, emptySummary, isArrayParent, isRunId } from '../rules/array-rules.js';
import {
  idRange,
  newRun,
  nextLaunchAt,
  retryOf,
  runStatusOf,
  unresolvedImages,
  terminalOutcome,
  terminalRecord,
  type Ending,
  type RunOrigin,
} from '../rules/run-rules.js';

export type { RunOrigin } from '../rules/run-rules.js';
export type { ImageResolver, RunServiceConfig } from './run-config.js';

export class RunService {
  /** Array jobs: their parents' children, created and counted (array-runs.ts). */
  private readonly arrays: ArrayRuns;
  /** The sweep of the active runs (run-sweep.ts). */
  private readonly sweeper: RunSweep;

  constructor(
    private readonly store: RunStore,
    private readonly apps: AppService,
    private readonly runtime: ContainerRuntime,
    private readonly publisher: RunEventPublisher,
    private readonly config: RunServiceConfig,
    private readonly hooks: {
      /** The job's variables of a run (CONTAINERIZER_RUN_ID, …), given to its main container at launch. */
      jobEnv?: (run: Run) => Promise<Record<string, string>>;
      /** The exact image a run of the app launches, and the scan policy's verdict. */
      resolveImage?: ImageResolver;
      /** The owner's monthly budget, checked before a run starts, and the timeout an app's maxCostPerRun makes. */
      costs?: Pick<CostService, 'checkBudget' | 'withCostLimit'>;
    } = {},
  ) {
    this.arrays = new ArrayRuns(store, new ArrayStore(store.db), config, {
      // Within the backend's launch rate (ECS: RunTask's token bucket), as the launch queue; one task a call, as each child's env differs.
      launch: async (run) => {
        await this.runtime.capacity?.take();
        return this.launch(run, await this.apps.getVersion(run.appId, run.appVersion));
      },
      stop: (run, request, options) => this.requestStop(run, request, options),
      transition: (runId, status, details, fields, expiresAt) => this.transition(runId, status, details, fields, expiresAt),
      room: async (ownerId) => this.config.maxActiveRunsPerUser - (await this.store.countActiveOfOwner(ownerId, this.config.maxActiveRunsPerUser)),
      launchesPaced: !!this.runtime.capacity,
    });
    this.sweeper = new RunSweep(
      { store, runtime, apps, config, arrays: this.arrays },
      {
        applyTaskStateChange: (change) => this.applyTaskStateChange(change),
        settle: (run) => this.settle(run),
        launch: (run, version) => this.launch(run, version),
        finish: (run, status, ending) => this.finish(run, status, ending),
        requestStop: (run, request, options) => this.requestStop(run, request, options),
      },
    );
  }

  /**
   * Creates a run of the app's current version and launches it. Returns the run as it stands
   * after the launch attempt: PENDING/PROVISIONING, or FAILED with the launch error as its
   * stoppedReason, or FAILED before any launch when the image policy refuses its image (the
   * reason names the findings). With `origin.runId`, a second call returns the first call's run.
   * @throws ClientError 404 when the app is missing or not the caller's, 400 when the merged env is too large or for a command
   *   given to a script app, 429 (Retry-After) when the owner has maxActiveRunsPerUser runs active already.
   */
  async create(principal: Principal, appId: string, input: RunCreate, origin: RunOrigin = { trigger: 'manual' }): Promise<Run> {
    const app = await this.apps.get(principal, appId);
    if (app.script && input.command)
      throw badRequest('this app runs a script: a run cannot replace its command', [{ field: 'command', message: 'not allowed' }]);
    if (input.parallelism !== undefined && !input.arrayProperties)
      throw badRequest('parallelism applies to an array job only', [{ field: 'parallelism', message: 'needs arrayProperties' }]);
    await this.hooks.costs?.checkBudget(app.ownerId);
    const { imageDigest, refusal, ...images } = await (this.hooks.resolveImage ?? imageStrings)(app);
    const created = newRun({ ...app, ...images }, input, origin, { runId: origin.runId ?? ulid(), createdAt: now() });
    const { arrayProperties: array, parallelism } = input;
    const run: Run = {
      ...(array && {
        arrayProperties: {
          size: array.size,
          parallelism: arrayParallelism(array.size, parallelism, this.config.maxActiveRunsPerUser),
          nextIndex: 0,
          statusSummary: emptySummary(),
        },
      }),
      // Decided now, from the built image's digest, before an external image's digest is recorded too.
      ...this.costLimited({ ...created, architecture: taskArchitecture({ architecture: created.architecture, imageDigest }) }),
      // An image named by a tag: the content the tag names now (dev mode), so that a replay can run exactly it.
      imageDigest: imageDigest ?? (await this.runtime.inspectImage?.(images.image))?.digest,
    };
    return this.start(run, app, refusal);
  }

  private costLimited(run: Run): Run {
    return this.hooks.costs?.withCostLimit(run) ?? run;
  }

  /**
   * Checks, stores and launches a new run of `app` (create's, and a replay's: services/replays.ts): refused by the image policy
   * (`refusal`), or backed out over its owner's run quota.
   * @throws ClientError 400 when the run is too large or the backend cannot launch it, 429 (Retry-After) over the owner's run quota.
   */
  async start(run: Run, app: App, refusal?: string): Promise<Run> {
    checkRunSize(run);
    this.runtime.checkLaunch?.({ run, app: { ...app, image: run.image, sidecars: run.sidecars } });
    if (!(await this.store.insert(run))) return this.existing(run.runId);
    if (refusal) return this.refuse(run, refusal);
    if (isArrayParent(run)) return this.arrays.begin(run);
    // Counted after the insert, so that concurrent creates cannot all slip under the quota: each that finds the owner over it backs out.
    const active = await this.store.countActiveOfOwner(run.ownerId, this.config.maxActiveRunsPerUser);
    if (active > this.config.maxActiveRunsPerUser) {
      await this.store.removeUnlaunched(run);
      throw tooManyRequests(
        `you have ${active - 1} runs active, and at most ${this.config.maxActiveRunsPerUser} may be; wait for one to finish`,
        QUOTA_RETRY_AFTER_SECONDS,
      );
    }
    return this.launch(run, app);
  }

  /** True when the owner has maxActiveRunsPerUser runs active (or more): a new one would be refused. */
  async atQuota(ownerId: string): Promise<boolean> {
    return (await this.store.countActiveOfOwner(ownerId, this.config.maxActiveRunsPerUser - 1)) >= this.config.maxActiveRunsPerUser;
  }

  /** The run a repeated create (same `origin.runId`) finds; its owner's marker, which the repeated insert wrote again, goes if it has ended. */
  private async existing(runId: string): Promise<Run> {
    const run = (await this.store.get(runId))!;
    if (isTerminal(run.status)) await this.store.leaveQuota(run);
    return run;
  }

  /**
   * Checks that runs of `app` with these overrides can be launched by the backend (e.g. ECS's
   * RunTask overrides limit), as `create` does, for a schedule that will start them later.
   * @throws ClientError 400 saying which limit they exceed.
   */
  checkOverrides(app: App, input: RunCreate): void {
    // The image a fire will resolve to does not change the overrides' size.
    const launchable = { ...app, ...unresolvedImages(app) };
    this.runtime.checkLaunch?.({ run: newRun(launchable, input, { trigger: 'schedule' }, { runId: ulid(), createdAt: now() }), app: launchable });
  }

  /** @throws ClientError 404 when the run is missing or not the caller's (or `runId` is no id). */
  async get(principal: Principal, runId: string): Promise<Run> {
    const run = isRunId(runId) ? await this.store.get(runId) : undefined;
    if (!run || !canAccess(principal, run.ownerId)) throw notFound('run', runId);
    return run;
  }

  /**
   * Runs newest first: of one app, or of the caller across apps (admins: all runs).
   * `from`/`to` bound the ULID run ids by time; `status` filters each page. An array job's children that have
   * been created are listed beside their parent (their ids carry its ULID, so `from`/`to` select them by its time).
   * @throws ClientError 404 when the app is not the caller's, 400 for a foreign cursor.
   */
  async list(principal: Principal, query: RunListQuery): Promise<Page<Run>> {
    if (query.appId) await this.apps.get(principal, query.appId);
    const listing = { range: idRange(query.from, query.to), status: query.status, limit: query.limit, cursor: query.cursor };
    // An admin's listing across apps is everyone's (neither appId nor ownerId).
    const of = query.appId ? { appId: query.appId } : principal.role === 'admin' ? {} : { ownerId: principal.userId };
    return this.store.listRuns(of, listing);
  }

  /**
   * Applies a backend's task event. Statuses only move forward: a stale or repeated event is
   * ignored. The containers' states it carries are recorded even when the status stays (a
   * sidecar became healthy), unless the event is older than one applied already. Returns the
   * run after a status change, or undefined when the status did not change.
   */
  async applyTaskStateChange(change: TaskStateChange): Promise<Run | undefined> {
    const target = runStatusOf(change.lastStatus);
    const task = { at: change.at, taskRef: change.taskRef, taskVersion: change.version, containers: change.containers, imageDigest: change.imageDigest };
    if (target !== 'STOPPED') {
      // Moving forward needs nothing from the run: the conditional write alone decides.
      const moved = target ? await this.transition(change.runId, target, task) : undefined;
      if (moved?.parentRunId && moved.status === 'RUNNING') await this.arrays.childRunning(moved);
      if (!moved && change.containers) await this.store.recordContainers(change.runId, change.containers, change.version);
      return moved;
    }
    const run = await this.store.get(change.runId);
    // Stale or repeated: the conditional write would refuse it, so do not send it.
    if (!run || isTerminal(run.status)) return undefined;
    const { status, reason } = terminalOutcome(run.stopRequest, change);
    return this.finish(run, status, { ...task, reason, exitCode: change.exitCode, startedAt: change.startedAt });
  }

  /**
   * Asks the run's task to stop: SIGTERM, then SIGKILL after `graceSeconds` (s). The run ends
   * STOPPED once the backend reports the task stopped. `kill` skips the grace.
   * @throws ClientError 404, or 409 when the run has finished already.
   */
  async stop(principal: Principal, runId: string, options: { graceSeconds: number; kill?: boolean }): Promise<Run> {
    const run = await this.get(principal, runId);
    if (isTerminal(run.status)) throw conflict(`run ${runId} has finished already (${run.status})`);
    const verb = options.kill ? 'killed' : 'stopped';
    const request: StopRequest = {
      status: 'STOPPED',
      reason: `${verb} by ${principal.email ?? principal.userId}`,
      at: now(),
      graceSeconds: options.graceSeconds,
    };
    if (isArrayParent(run)) return this.arrays.stop(run, request, options);
    return this.requestStop(run, request, options);
  }

  /**
   * One pass over the active runs (a Query on the sparse index): settles finished runs,
   * stops runs past their timeout (counted from their start), fails runs that did not start
   * within startTimeoutSeconds, relaunches runs whose launch was lost or deferred, sends
   * again stops that were lost, resumes array jobs, and, with `describe`, asks the backend for the tasks' states
   * (batched: runtime.describeAll) to catch lost events (run-sweep.ts). A failure on one run is logged and the pass goes on.
   */
  sweep(options: { describe: boolean; at?: Date }): Promise<void> {
    return this.sweeper.sweep(options);
  }

  /** Active (not yet terminal) runs started by a schedule. */
  activeOfSchedule(scheduleId: string): Promise<Run[]> {
    return this.store.activeOfSchedule(scheduleId);
  }

  /** Stops a run on the platform's behalf (schedule Replace policy); `graceSeconds` in s. */
  stopFor(run: Run, reason: string, graceSeconds: number): Promise<Run> {
    return this.requestStop(run, { status: 'STOPPED', reason, at: now(), graceSeconds }, { graceSeconds });
  }

  /** Ends a run before any launch: FAILED with `reason`, never retried (the same image would be refused again). */
  private async refuse(run: Run, reason: string): Promise<Run> {
    const at = new Date();
    const refused = await this.transition(run.runId, 'FAILED', { at, reason }, { stoppedAt: at.toISOString(), stoppedReason: reason });
    return refused ?? (await this.store.get(run.runId))!;
  }

  /**
   * Prepares the app version with the run's image and starts the task. A deferred launch (LaunchDeferredError) leaves
   * the run PENDING for the sweep to launch again with backoff (LAUNCH_RETRY), without using the
   * app's retries; any other launch error, or a deferral past the last attempt, fails the run.
   */
  private async launch(run: Run, version: App): Promise<Run> {
    const app: LaunchableApp = {
      ...version,
      architecture: run.architecture ?? version.architecture,
      image: run.image,
      sidecars: run.sidecars,
      imageDigest: run.imageDigest,
    };
    let taskRef: string;
    try {
      const [, jobEnv] = await Promise.all([this.runtime.prepare(app), this.jobEnv(run)]);
      taskRef = await this.runtime.start({ run, app, jobEnv });
    } catch (err) {
      const at = new Date();
      const attempts = (run.launchRetry?.attempts ?? 0) + 1;
      // A capacity refusal waits in the launch queue however long it takes (drainQueue launches it when there is room).
      const notBefore = err instanceof LaunchDeferredError ? (err.capacity && this.runtime.capacity ? at : nextLaunchAt(attempts, at)) : undefined;
      if (notBefore) {
        logger.info('launch deferred', { runId: run.runId, attempts, notBefore, reason: (err as Error).message });
        return (await this.store.deferLaunch(run.runId, { attempts, notBefore: notBefore.toISOString(), reason: (err as Error).message })) ?? run;
      }
      logger.warn('launch failed', { runId: run.runId, error: err as Error });
      const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
      const failed = await this.finish(run, 'FAILED', { at, reason: `launch failed${tries}: ${(err as Error).message}` });
      return failed ?? (await this.store.get(run.runId))!;
    }
    const launched = await this.store.setTaskRef(run.runId, taskRef, now());
    // A stop asked for while the launch was under way could not reach the task (a run that ended meanwhile was never signalled): pass it on.
    if (launched.stopRequest) await this.runtime.stop(taskRef, 0, launched.stopRequest.reason);
    return launched;
  }

  /** The launch queue (issue 16), for a runtime with a launch budget: run-sweep.ts drainQueue. Returns how many tasks it started. */
  drainQueue(deadline: Date, pollMs = 1000): Promise<number> {
    return this.sweeper.drainQueue(deadline, pollMs);
  }

  private async requestStop(run: Run, request: StopRequest, options: { graceSeconds: number; kill?: boolean }): Promise<Run> {
    // Not claimed: a stop is under way already (signal again, harmlessly) or the run has ended.
    const updated = (await this.store.claimStop(run.runId, request)) ?? (await this.store.get(run.runId))!;
    if (isTerminal(updated.status)) return updated;
    const { status, reason } = updated.stopRequest!;
    // Not launched yet: nothing to signal, the run simply ends here.
    if (!updated.taskRef) return (await this.finish(updated, status, { at: new Date(), reason })) ?? updated;
    if (options.kill) await this.runtime.kill(updated.taskRef, reason);
    else await this.runtime.stop(updated.taskRef, options.graceSeconds, reason);
    return updated;
  }

  /** Ends a run: the terminal transition with what it records besides (run-rules' terminalRecord). */
  private finish(run: Run, status: TerminalStatus, ending: TaskDetails & Ending): Promise<Run | undefined> {
    // A backend's error message can be any length; the run item's size cannot (item-limits.ts).
    const details = { ...ending, reason: clipReason(ending.reason) };
    const record = terminalRecord(run, status, details, run.retentionDays ?? this.config.finishedRunTtlDays);
    // An array's child's retry keeps its index in its id: `<parentRunId>-<index>-<attempt>`.
    const nextRunId = record.retry ? (run.parentRunId ? childRunId(run.parentRunId, run.arrayProperties!.index!, run.attempt + 1) : ulid()) : undefined;
    return this.transition(run.runId, status, details, { ...record.fields, nextRunId }, record.expiresAt);
  }

  /**
   * Changes a run's status, setting `fields` (undefined ones skipped) too. Returns the run
   * after it, or undefined when the change is stale or repeated. A terminal run is settled at once.
   */
  private async transition(
    runId: string,
    status: RunStatus,
    details: TaskDetails,
    fields: TransitionFields = {},
    expiresAt?: number,
  ): Promise<Run | undefined> {
    const at = details.at.toISOString();
    const updated = await this.store.transition(runId, {
      entry: { status, at, reason: details.reason, exitCode: details.exitCode },
      fields: {
        taskRef: details.taskRef,
        containers: details.containers,
        imageDigest: details.imageDigest,
        ...(status === 'RUNNING' && { startedAt: at }),
        ...fields,
      },
      taskVersion: details.taskVersion,
      expiresAt,
    });
    if (updated && isTerminal(updated.status)) await this.settle(updated);
    return updated;
  }

  /** Follow-ups of a terminal run; each is idempotent, so a sweep may repeat them safely. */
  private async settle(run: Run): Promise<void> {
    // First, so that a finished run stops counting against its owner's quota before the slower follow-ups.
    await this.store.leaveQuota(run);
    if (run.nextRunId) await this.startRetry(run, run.nextRunId);
    else if (run.parentRunId) await this.arrays.childEnded(run);
    await this.publisher.publish(run);
    if (run.taskRef) await this.runtime.release?.(run.taskRef, run.runId);
    await this.store.leaveActive(run);
    // Its siblings' launches, after its settlement: they may take long, and the parent's sweep would start them anyway.
    if (run.parentRunId && !run.nextRunId) await this.arrays.fill(run.parentRunId);
  }

  private async startRetry(previous: Run, runId: string): Promise<void> {
    const retry = retryOf(previous, { runId, createdAt: now() });
    if (!(await this.store.insert(retry))) return;
    // An array that was asked to stop starts no retry of its children: the retry ends STOPPED, and is counted so.
    const stop = previous.parentRunId ? await this.arrays.mayRetry(previous) : undefined;
    if (stop) await this.requestStop(retry, stop, { graceSeconds: 0 });
    else await this.launch(retry, await this.apps.getVersion(retry.appId, retry.appVersion));
  }

  /** The job's variables of a run: the platform's (hooks.jobEnv) and, for an array's child, its index and size. */
  private async jobEnv(run: Run): Promise<Record<string, string>> {
    return { ...(await this.hooks.jobEnv?.(run)), ...arrayEnv(run) };
  }

  /** One page of an array job's children (every attempt), by index. @throws ClientError 404 as get, 400 when the run is no array job. */
  async children(principal: Principal, runId: string, page: { limit: number; cursor?: string }): Promise<Page<Run>> {
    const parent = await this.get(principal, runId);
    if (!isArrayParent(parent)) throw badRequest(`run ${runId} is not an array job`);
    return this.arrays.children(parent, page);
  }
}

function now(): string {
  return new Date().toISOString();
}
