/**
 * Runs: launch, the state machine, stop/kill, timeouts, retries and reconciliation.
 *
 * Every status change is one conditional UpdateItem: the new status's rank must be above the
 * stored one (PENDING < PROVISIONING < RUNNING < terminal), and so must the backend's event
 * version where it has one (ECS detail.version); the transition is appended to
 * the run's `history` list in the same write. Replayed, duplicated or out-of-order events
 * therefore change nothing, and the history can never disagree with the status.
 *
 * A run stays in the sparse `active` index until it is settled: after its terminal
 * transition, its follow-ups (the retry, the run-state event, releasing the task) run and
 * only then does it leave the index. A crash in between is healed by the next sweep, which
 * settles any terminal run it still finds there.
 */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import {
  isTerminal,
  maskEnv,
  statusRank,
  type App,
  type Principal,
  type Run,
  type RunStatus,
  type StopRequest,
  type TerminalStatus,
  type Trigger,
} from '../domain.js';
import { conflict, notFound } from '../errors.js';
import type { ContainerRuntime, RunEventPublisher, TaskStateChange } from '../ports.js';
import type { RunCreate, RunListQuery } from '../schemas.js';
import { ACTIVE, keys, TTL_ATTRIBUTE } from '../table.js';
import { fromItem, isConditionFailed, queryAll, queryPage, type Db, type Page } from '../store/db.js';
import { canAccess } from './access.js';
import type { AppService } from './apps.js';

export interface RunServiceConfig {
  /** Finished runs expire this many days after they stop (DynamoDB TTL); 0 keeps them. */
  finishedRunTtlDays: number;
  /** A PENDING run with no task after this long (ms) is launched again. */
  relaunchAfterMs: number;
  /** Grace (s) given to a run stopped for its timeout. */
  timeoutGraceSeconds: number;
  /** A finished run still unsettled after this long (ms) is settled by the sweep. */
  settleAfterMs: number;
}

/** What a task event (or the platform, for its own transitions) says about a transition. */
interface TaskDetails {
  at: Date;
  reason?: string;
  exitCode?: number;
  taskRef?: string;
  /** The backend's event order for the task (ECS detail.version). */
  taskVersion?: number;
}

/** How a run came to be, beyond the caller's overrides. */
export interface RunOrigin {
  trigger: Trigger;
  /** Lets a caller make creation idempotent (a schedule fire, a retry). */
  runId?: string;
  scheduleId?: string;
  scheduledTime?: string;
}

/**
 * The run status a task's lastStatus moves the run to (STOPPED: some terminal status), in
 * ECS's task lifecycle vocabulary, onto which Docker's events are mapped too. DEACTIVATING,
 * STOPPING and DEPROVISIONING move nothing: the run waits for STOPPED and its exit code.
 */
function runStatusOf(lastStatus: string): 'PROVISIONING' | 'RUNNING' | 'STOPPED' | undefined {
  if (lastStatus === 'PROVISIONING' || lastStatus === 'PENDING' || lastStatus === 'ACTIVATING') return 'PROVISIONING';
  if (lastStatus === 'RUNNING' || lastStatus === 'STOPPED') return lastStatus;
  return undefined;
}

export class RunService {
  constructor(
    private readonly db: Db,
    private readonly apps: AppService,
    private readonly runtime: ContainerRuntime,
    private readonly publisher: RunEventPublisher,
    private readonly config: RunServiceConfig,
  ) {}

  /**
   * Creates a run of the app's current version and launches it. Returns the run as it stands
   * after the launch attempt: PENDING/PROVISIONING, or FAILED with the launch error as its
   * stoppedReason. With `origin.runId`, a second call returns the first call's run.
   * @throws ClientError 404 when the app is missing or not the caller's.
   */
  async create(principal: Principal, appId: string, input: RunCreate, origin: RunOrigin = { trigger: 'manual' }): Promise<Run> {
    const app = await this.apps.get(principal, appId);
    const run: Run = {
      runId: origin.runId ?? ulid(),
      appId,
      appName: app.name,
      ownerId: app.ownerId,
      appVersion: app.version,
      image: app.image,
      command: input.command ?? app.command,
      env: { ...app.env, ...input.env },
      cpu: app.cpu,
      memoryMiB: app.memoryMiB,
      timeoutSeconds: app.timeoutSeconds,
      retry: app.retry,
      status: 'PENDING',
      trigger: origin.trigger,
      attempt: 1,
      scheduleId: origin.scheduleId,
      scheduledTime: origin.scheduledTime,
      createdAt: new Date().toISOString(),
      history: [],
    };
    const created = await this.insert(run);
    if (!created) return (await this.find(run.runId))!;
    return this.launch(run, app);
  }

  /** @throws ClientError 404 when the run is missing or not the caller's. */
  async get(principal: Principal, runId: string): Promise<Run> {
    const run = await this.find(runId);
    if (!run || !canAccess(principal, run.ownerId)) throw notFound('run', runId);
    return run;
  }

  /**
   * Runs newest first: of one app (Query on `byParent`) or of the caller across apps (`byOwner`;
   * admins: `byKind`). `from`/`to` bound the ULID sort key by time; `status` is a filter.
   */
  async list(principal: Principal, query: RunListQuery): Promise<Page<Run>> {
    let partition: [index: string, attr: string, value: string];
    if (query.appId) {
      await this.apps.get(principal, query.appId);
      partition = ['byParent', 'gsi1', `APP#${query.appId}#RUNS`];
    } else if (principal.role === 'admin') {
      partition = ['byKind', 'gsi3', 'RUN'];
    } else {
      partition = ['byOwner', 'gsi2', `OWNER#${principal.userId}#RUNS`];
    }
    const [index, attr, value] = partition;
    const low = query.from ? ulidBound(query.from, '0') : '0';
    const high = query.to ? ulidBound(query.to, 'Z') : 'Z';
    return queryPage<Run>(
      this.db,
      {
        IndexName: index,
        KeyConditionExpression: `${attr}pk = :p AND ${attr}sk BETWEEN :low AND :high`,
        FilterExpression: query.status ? '#status = :status' : undefined,
        ExpressionAttributeNames: query.status ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: { ':p': value, ':low': low, ':high': high, ...(query.status ? { ':status': query.status } : {}) },
        ScanIndexForward: false,
        Limit: query.limit,
      },
      query.cursor,
    );
  }

  /**
   * Applies a backend's task event. Statuses only move forward: a stale or repeated event is
   * ignored. Returns the run after the change, or undefined when the event changed nothing.
   */
  async applyTaskStateChange(change: TaskStateChange): Promise<Run | undefined> {
    const target = runStatusOf(change.lastStatus);
    if (!target) return undefined;
    const task = { at: change.at, taskRef: change.taskRef, taskVersion: change.version };
    // Moving forward needs nothing from the run: the conditional write alone decides.
    if (target !== 'STOPPED') return this.transition(change.runId, target, task);
    const run = await this.find(change.runId);
    // Stale or repeated: the conditional write would refuse it, so do not send it.
    if (!run || isTerminal(run.status)) return undefined;
    const [status, reason] = terminalOutcome(run.stopRequest, change);
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
    return this.requestStop(run, { status: 'STOPPED', reason: `${verb} by ${principal.email ?? principal.userId}`, at: now() }, options);
  }

  /**
   * One pass over the active runs (a Query on the sparse index): settles finished runs,
   * stops runs past their timeout, relaunches runs whose launch was lost, and, with
   * `describe`, asks the backend for each task's state to catch lost events.
   */
  async sweep(options: { describe: boolean; at?: Date }): Promise<void> {
    const at = options.at ?? new Date();
    const active = await queryAll<Run>(this.db, {
      IndexName: 'active',
      KeyConditionExpression: 'activePk = :a',
      ExpressionAttributeValues: { ':a': ACTIVE },
    });
    for (const run of active) {
      try {
        await this.sweepOne(run, at, options.describe);
      } catch (err) {
        console.error(`sweep: run ${run.runId}:`, err);
      }
    }
  }

  /** Active (not yet terminal) runs started by a schedule. */
  async activeOfSchedule(scheduleId: string): Promise<Run[]> {
    return queryAll<Run>(this.db, {
      IndexName: 'active',
      KeyConditionExpression: 'activePk = :a',
      FilterExpression: 'scheduleId = :s AND statusRank < :terminal',
      ExpressionAttributeValues: { ':a': ACTIVE, ':s': scheduleId, ':terminal': 3 },
    });
  }

  /** Stops a run on the platform's behalf (schedule Replace policy). */
  async stopFor(run: Run, reason: string, graceSeconds: number): Promise<Run> {
    return this.requestStop(run, { status: 'STOPPED', reason, at: now() }, { graceSeconds });
  }

  /** Run as the API shows it: secret-looking env values masked, internal fields dropped. */
  static view(run: Run): Omit<Run, 'history' | 'stopRequest'> {
    const { history: _, stopRequest: __, ...rest } = run;
    return { ...rest, env: maskEnv(run.env) };
  }

  private async sweepOne(run: Run, at: Date, describe: boolean): Promise<void> {
    if (isTerminal(run.status)) {
      // A just-finished run is being settled by whoever finished it; only a stale one was left behind.
      if (at.getTime() - Date.parse(run.stoppedAt ?? run.createdAt) >= this.config.settleAfterMs) await this.settle(run);
      return;
    }
    if (!run.taskRef) {
      if (run.status === 'PENDING' && at.getTime() - Date.parse(run.createdAt) > this.config.relaunchAfterMs) {
        await this.launch(run, await this.apps.getVersion(run.appId, run.appVersion));
      }
      return;
    }
    if (describe) {
      const state = await this.runtime.describe(run.taskRef, run.runId);
      const after = state
        ? await this.applyTaskStateChange(state)
        : await this.finish(run, 'FAILED', { at, reason: 'task disappeared: the backend no longer knows it (lost while the platform was down?)' });
      if (after && isTerminal(after.status)) return;
    }
    const deadline = Date.parse(run.startedAt ?? run.createdAt) + run.timeoutSeconds * 1000;
    if (!run.stopRequest && at.getTime() >= deadline) {
      await this.requestStop(
        run,
        { status: 'TIMED_OUT', reason: `timed out after ${run.timeoutSeconds} s`, at: at.toISOString() },
        { graceSeconds: this.config.timeoutGraceSeconds },
      );
    }
  }

  private async insert(run: Run): Promise<boolean> {
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: {
            ...keys.run(run.runId),
            gsi1pk: `APP#${run.appId}#RUNS`,
            gsi1sk: run.runId,
            gsi2pk: `OWNER#${run.ownerId}#RUNS`,
            gsi2sk: run.runId,
            gsi3pk: 'RUN',
            gsi3sk: run.runId,
            activePk: ACTIVE,
            activeSk: run.runId,
            statusRank: 0,
            ...run,
            history: [{ status: 'PENDING', at: run.createdAt }],
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Prepares the app version and starts the task; a launch error fails the run with its message. */
  private async launch(run: Run, app: App): Promise<Run> {
    let taskRef: string;
    try {
      await this.runtime.prepare(app);
      taskRef = await this.runtime.start({ run, app });
    } catch (err) {
      const failed = await this.finish(run, 'FAILED', { at: new Date(), reason: `launch failed: ${(err as Error).message}` });
      return failed ?? (await this.find(run.runId))!;
    }
    const launched = (await this.update(run.runId, { UpdateExpression: 'SET taskRef = :ref', ExpressionAttributeValues: { ':ref': taskRef } }))!;
    // A stop asked for while the launch was under way could not reach the task: pass it on.
    if (launched.stopRequest && !isTerminal(launched.status)) await this.runtime.stop(taskRef, 0, launched.stopRequest.reason);
    return launched;
  }

  private async requestStop(run: Run, request: StopRequest, options: { graceSeconds: number; kill?: boolean }): Promise<Run> {
    const claimed = await this.update(run.runId, {
      UpdateExpression: 'SET stopRequest = :req',
      ConditionExpression: 'attribute_not_exists(stopRequest) AND statusRank < :terminal',
      ExpressionAttributeValues: { ':req': request, ':terminal': 3 },
    });
    // Not claimed: a stop is under way already (signal again, harmlessly) or the run has ended.
    const updated = claimed ?? (await this.find(run.runId))!;
    if (isTerminal(updated.status)) return updated;
    if (!updated.taskRef) {
      // Not launched yet: nothing to signal, the run simply ends here.
      return (await this.finish(updated, updated.stopRequest!.status, { at: new Date(), reason: updated.stopRequest!.reason })) ?? updated;
    }
    if (options.kill) await this.runtime.kill(updated.taskRef, updated.stopRequest!.reason);
    else await this.runtime.stop(updated.taskRef, options.graceSeconds, updated.stopRequest!.reason);
    return updated;
  }

  /**
   * Ends a run: the terminal transition with what it records besides (stop time, exit code,
   * reason, duration, the planned retry, the TTL), computed from the run as read.
   */
  private finish(run: Run, status: TerminalStatus, details: TaskDetails & { startedAt?: Date }): Promise<Run | undefined> {
    // A RUNNING event may have been lost or may come late: the stop event's own start time stands in.
    const startedAt = run.startedAt ?? details.startedAt?.toISOString();
    return this.transition(run.runId, status, details, {
      stoppedAt: details.at.toISOString(),
      exitCode: details.exitCode,
      stoppedReason: details.reason,
      startedAt: run.startedAt ? undefined : startedAt,
      durationMs: startedAt ? details.at.getTime() - Date.parse(startedAt) : undefined,
      nextRunId: this.shouldRetry(run, status, details.exitCode) ? ulid() : undefined,
      [TTL_ATTRIBUTE]: this.config.finishedRunTtlDays > 0 ? Math.floor(details.at.getTime() / 1000) + this.config.finishedRunTtlDays * 86_400 : undefined,
    });
  }

  /**
   * The one write that changes a run's status, setting `fields` (undefined ones skipped) too.
   * Returns the run after it, or undefined when the run is unknown or already at or past
   * `status` (the change is stale or repeated). A terminal run is settled at once.
   */
  private async transition(runId: string, status: RunStatus, details: TaskDetails, fields: Record<string, unknown> = {}): Promise<Run | undefined> {
    const at = details.at.toISOString();
    const entry = { status, at, reason: details.reason, exitCode: details.exitCode };
    const assigned = Object.entries({
      taskRef: details.taskRef,
      taskVersion: details.taskVersion,
      ...(status === 'RUNNING' && { startedAt: at }),
      ...fields,
    }).filter(([, value]) => value !== undefined);
    const set = ['#status = :status', 'statusRank = :rank', 'history = list_append(history, :entry)', ...assigned.map(([name]) => `${name} = :${name}`)];
    const values = {
      ':status': status,
      ':rank': statusRank(status),
      ':entry': [entry],
      ...Object.fromEntries(assigned.map(([name, value]) => [`:${name}`, value])),
    };
    // The backend's own event order (ECS detail.version), when known, must move forward too.
    const versionCondition = details.taskVersion === undefined ? '' : ' AND (attribute_not_exists(taskVersion) OR taskVersion < :taskVersion)';
    const updated = await this.update(runId, {
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: `attribute_exists(pk) AND statusRank < :rank${versionCondition}`,
      ExpressionAttributeNames: { '#status': 'status' },
      // Drops undefined members of the history entry, which DynamoDB cannot store.
      ExpressionAttributeValues: JSON.parse(JSON.stringify(values)),
    });
    if (updated && isTerminal(updated.status)) await this.settle(updated);
    return updated;
  }

  private shouldRetry(run: Run, status: TerminalStatus, exitCode?: number): boolean {
    if (status !== 'FAILED' || run.attempt >= run.retry.maxAttempts) return false;
    const codes = run.retry.onExitCodes;
    return !codes || (exitCode !== undefined && codes.includes(exitCode));
  }

  /** Follow-ups of a terminal run; each is idempotent, so a sweep may repeat them safely. */
  private async settle(run: Run): Promise<void> {
    if (run.nextRunId) await this.startRetry(run, run.nextRunId);
    await this.publisher.publish(run);
    if (run.taskRef) await this.runtime.release?.(run.taskRef, run.runId);
    await this.update(run.runId, { UpdateExpression: 'REMOVE activePk, activeSk' });
  }

  private async startRetry(previous: Run, runId: string): Promise<void> {
    const retry: Run = {
      ...previous,
      runId,
      status: 'PENDING',
      trigger: 'retry',
      attempt: previous.attempt + 1,
      previousRunId: previous.runId,
      nextRunId: undefined,
      taskRef: undefined,
      exitCode: undefined,
      stoppedReason: undefined,
      stopRequest: undefined,
      startedAt: undefined,
      stoppedAt: undefined,
      durationMs: undefined,
      createdAt: now(),
      history: [],
    };
    if (await this.insert(retry)) await this.launch(retry, await this.apps.getVersion(retry.appId, retry.appVersion));
  }

  /** One UpdateItem on a run; returns the run after it, or undefined when its condition failed. */
  private async update(
    runId: string,
    input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<Run | undefined> {
    try {
      const out = await this.db.doc.send(new UpdateCommand({ ...input, TableName: this.db.tableName, Key: keys.run(runId), ReturnValues: 'ALL_NEW' }));
      return fromItem<Run>(out.Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  private async find(runId: string): Promise<Run | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.run(runId), ConsistentRead: true }));
    return out.Item ? fromItem<Run>(out.Item) : undefined;
  }
}

/**
 * How a stopped task ends its run: a stop the platform asked for wins (STOPPED/TIMED_OUT);
 * then an OOM kill or a non-zero exit (FAILED); exit code 0 is SUCCEEDED.
 */
function terminalOutcome(stopRequest: StopRequest | undefined, change: TaskStateChange): [TerminalStatus, string | undefined] {
  if (stopRequest) return [stopRequest.status, stopRequest.reason];
  if (change.oomKilled) return ['FAILED', change.stoppedReason ?? 'OutOfMemoryError: container killed for exceeding its memory limit'];
  if (change.exitCode === 0) return ['SUCCEEDED', change.stoppedReason];
  if (change.exitCode === undefined) return ['FAILED', change.stoppedReason ?? 'task stopped without an exit code'];
  return ['FAILED', change.stoppedReason ?? `exit code ${change.exitCode}`];
}

/** A ULID-shaped bound for a time: the ms prefix of a ULID, padded low ('0') or high ('Z'). */
function ulidBound(iso: string, pad: '0' | 'Z'): string {
  return ulid(Date.parse(iso)).slice(0, 10) + pad.repeat(16);
}

function now(): string {
  return new Date().toISOString();
}
