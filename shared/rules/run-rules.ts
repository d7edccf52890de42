/**
 * The run state machine's pure rules (no I/O, no clock, no randomness): the status order,
 * what a backend's lastStatus means for a run, how a stopped task ends its run, the retry
 * decision, what a terminal transition records (duration, TTL), when the sweep acts, the
 * ULID bounds of a time range, and what a run copies from its app. RunService applies them;
 * store/run-store.ts writes them.
 */
import { encodeTime, TIME_LEN, TIME_MAX } from 'ulid';
import {
  isTerminal,
  RUN_STATUSES,
  TERMINAL_STATUSES,
  type App,
  type Run,
  type RunStatus,
  type StopRequest,
  type TaskSpec,
  type TerminalStatus,
  type Trigger,
} from '../domain.js';
import type { LaunchableApp, TaskStateChange } from '../ports.js';
import { DEFAULT_RETENTION_DAYS, TASK_SPEC_FIELDS, type RunCreate } from '../schemas.js';
import { sourceSha256 } from './script-rules.js';

/** The rank every terminal status shares: the last one (terminal statuses close RUN_STATUSES). */
export const TERMINAL_RANK = RUN_STATUSES.length - TERMINAL_STATUSES.length;

/** Position of a status in the forward-only order PENDING < PROVISIONING < RUNNING < terminal. */
export function statusRank(status: RunStatus): number {
  return isTerminal(status) ? TERMINAL_RANK : RUN_STATUSES.indexOf(status);
}

/**
 * The run status a task's lastStatus moves the run to (STOPPED: some terminal status), in
 * ECS's task lifecycle vocabulary, onto which Docker's events are mapped too (AWS docs, "Amazon
 * ECS task lifecycle"). DEACTIVATING, STOPPING and DEPROVISIONING move nothing: the run waits
 * for STOPPED and its exit code.
 */
export function runStatusOf(lastStatus: string): 'PROVISIONING' | 'RUNNING' | 'STOPPED' | undefined {
  if (lastStatus === 'PROVISIONING' || lastStatus === 'PENDING' || lastStatus === 'ACTIVATING') return 'PROVISIONING';
  if (lastStatus === 'RUNNING' || lastStatus === 'STOPPED') return lastStatus;
  return undefined;
}

/** A terminal status and the reason recorded with it (the run's stoppedReason). */
export interface Outcome {
  status: TerminalStatus;
  reason?: string;
}

/**
 * How a stopped task ends its run: a stop the platform asked for wins (STOPPED/TIMED_OUT);
 * then a failure of the task itself (an essential sidecar exited, a dependency failed), an OOM
 * kill or a non-zero exit (FAILED); exit code 0 is SUCCEEDED.
 */
export function terminalOutcome(
  stopRequest: StopRequest | undefined,
  change: Pick<TaskStateChange, 'exitCode' | 'stoppedReason' | 'oomKilled' | 'taskFailure'>,
): Outcome {
  if (stopRequest) return { status: stopRequest.status, reason: stopRequest.reason };
  if (change.taskFailure) return { status: 'FAILED', reason: change.taskFailure };
  if (change.oomKilled) return { status: 'FAILED', reason: change.stoppedReason ?? 'OutOfMemoryError: container killed for exceeding its memory limit' };
  if (change.exitCode === 0) return { status: 'SUCCEEDED', reason: change.stoppedReason };
  if (change.exitCode === undefined) return { status: 'FAILED', reason: change.stoppedReason ?? 'task stopped without an exit code' };
  return { status: 'FAILED', reason: change.stoppedReason ?? `exit code ${change.exitCode}` };
}

/** Whether a run that ended so gets another attempt: only FAILED ones, within retry.maxAttempts, on a listed exit code if any (as AWS Batch). */
export function shouldRetry(run: Pick<Run, 'attempt' | 'retry'>, status: TerminalStatus, exitCode?: number): boolean {
  if (status !== 'FAILED' || run.attempt >= run.retry.maxAttempts) return false;
  const codes = run.retry.onExitCodes;
  return !codes || (exitCode !== undefined && codes.includes(exitCode));
}

/** What ends a run: when (`at`), why, with which exit code, and when the task started if the run never saw it. */
export interface Ending {
  at: Date;
  reason?: string;
  exitCode?: number;
  /** The stop event's own start time, standing in for a RUNNING event that was lost or comes late. */
  startedAt?: Date;
}

/** What a terminal transition records besides the status; `expiresAt` is epoch s (DynamoDB TTL). */
export interface TerminalRecord {
  fields: Pick<Run, 'stoppedAt' | 'exitCode' | 'stoppedReason' | 'startedAt' | 'durationMs'>;
  retry: boolean;
  expiresAt?: number;
}

/**
 * What ending `run` with `status` records: stop time, exit code, reason, the start time if
 * the run has none yet, the duration (ms, startedAt → stoppedAt), whether to retry, and the
 * TTL (`ttlDays` after the stop; 0 keeps the run).
 */
export function terminalRecord(run: Pick<Run, 'startedAt' | 'attempt' | 'retry'>, status: TerminalStatus, ending: Ending, ttlDays: number): TerminalRecord {
  const startedAt = run.startedAt ?? ending.startedAt?.toISOString();
  return {
    fields: {
      stoppedAt: ending.at.toISOString(),
      exitCode: ending.exitCode,
      stoppedReason: ending.reason,
      startedAt: run.startedAt ? undefined : startedAt,
      durationMs: startedAt ? ending.at.getTime() - Date.parse(startedAt) : undefined,
    },
    retry: shouldRetry(run, status, ending.exitCode),
    expiresAt: ttlDays > 0 ? Math.floor(ending.at.getTime() / 1000) + ttlDays * 86_400 : undefined,
  };
}

/**
 * True when a started run has run past its timeoutSeconds (s), counted from its container's
 * start (`startedAt`), as AWS Batch counts a job's attemptDurationSeconds from the attempt's
 * startedAt: time spent waiting to start (a late RUNNING event, a slow image pull) is not the
 * job's. A run not started yet never times out; isStartOverdue bounds its wait.
 */
export function isPastTimeout(run: Pick<Run, 'status' | 'startedAt' | 'createdAt' | 'timeoutSeconds'>, at: Date): boolean {
  // A RUNNING run always records startedAt; createdAt only stands in for items written before it did.
  const start = run.startedAt ?? (run.status === 'RUNNING' ? run.createdAt : undefined);
  return start !== undefined && at.getTime() >= Date.parse(start) + run.timeoutSeconds * 1000;
}

/**
 * True when a run has still not started (PENDING or PROVISIONING, no `startedAt`) `startTimeoutMs`
 * (ms) after its creation: the separate bound on the time to start (RUN_START_TIMEOUT_SECONDS), as
 * AWS Batch bounds a job's time in RUNNABLE apart from its attempt's duration (job queue
 * jobStateTimeLimitActions), so a slow start neither eats the job's timeout nor waits forever.
 */
export function isStartOverdue(run: Pick<Run, 'status' | 'startedAt' | 'createdAt'>, at: Date, startTimeoutMs: number): boolean {
  if (run.startedAt || statusRank(run.status) >= statusRank('RUNNING')) return false;
  return at.getTime() - Date.parse(run.createdAt) >= startTimeoutMs;
}

/** The stoppedReason of a run that did not start within `startTimeoutSeconds` (s), with why its last launch was deferred, if it was. */
export function startTimeoutReason(run: Pick<Run, 'launchRetry'>, startTimeoutSeconds: number): string {
  const deferred = run.launchRetry ? `; its launch was deferred ${run.launchRetry.attempts} times, last: ${run.launchRetry.reason}` : '';
  return `did not start within ${startTimeoutSeconds} s (RUN_START_TIMEOUT_SECONDS)${deferred}`;
}

/**
 * True when a PENDING run without a task is due for a launch: its deferred launch's `notBefore`
 * has come, or, never deferred, it has had no task for longer than `relaunchAfterMs` (ms): its launch was lost.
 */
export function isLaunchLost(run: Pick<Run, 'status' | 'taskRef' | 'createdAt' | 'launchRetry'>, at: Date, relaunchAfterMs: number): boolean {
  if (run.status !== 'PENDING' || run.taskRef) return false;
  if (run.launchRetry) return at.getTime() >= Date.parse(run.launchRetry.notBefore);
  return at.getTime() - Date.parse(run.createdAt) > relaunchAfterMs;
}

/**
 * Deferred launches (throttling, no capacity) are tried again after 15 s, doubling up to 5 min,
 * at most 10 times (about 25 min in all, as the sweep runs once a minute), then the run fails.
 */
export const LAUNCH_RETRY = { firstDelayMs: 15_000, maxDelayMs: 300_000, maxAttempts: 10 } as const;

/** When a launch deferred for the `attempts`-th time is tried again, or undefined when it has used up LAUNCH_RETRY.maxAttempts. */
export function nextLaunchAt(attempts: number, at: Date): Date | undefined {
  if (attempts >= LAUNCH_RETRY.maxAttempts) return undefined;
  const delay = Math.min(LAUNCH_RETRY.firstDelayMs * 2 ** (attempts - 1), LAUNCH_RETRY.maxDelayMs);
  return new Date(at.getTime() + delay);
}

/**
 * True when a task the backend does not know (ECS: MISSING) counts as lost: only once
 * `graceMs` (ms) have passed since its launch, since ECS may not list a task it just started
 * (eventual consistency, AWS docs "Amazon ECS API eventual consistency").
 */
export function isMissingLost(run: Pick<Run, 'launchedAt' | 'createdAt'>, at: Date, graceMs: number): boolean {
  return at.getTime() - Date.parse(run.launchedAt ?? run.createdAt) >= graceMs;
}

/** True when a stop was asked for more than its grace plus `slackMs` (ms) ago and the run still has not ended: the stop was lost. */
export function isStopOverdue(run: Pick<Run, 'stopRequest'>, at: Date, slackMs: number): boolean {
  const request = run.stopRequest;
  return !!request && at.getTime() - Date.parse(request.at) >= (request.graceSeconds ?? 0) * 1000 + slackMs;
}

/** True when a finished run is still unsettled `settleAfterMs` (ms) after it stopped: whoever finished it was lost. */
export function isSettleOverdue(run: Pick<Run, 'stoppedAt' | 'createdAt'>, at: Date, settleAfterMs: number): boolean {
  return at.getTime() - Date.parse(run.stoppedAt ?? run.createdAt) >= settleAfterMs;
}

/**
 * Inclusive bounds on ULIDs for a time range (ISO 8601): the 10-character time prefix of a
 * ULID (ms), padded low ('0') or high ('Z'); an open end is unbounded. Times outside ULID's
 * range (1970 to TIME_MAX) are clamped to it.
 */
export function idRange(from?: string, to?: string): { low: string; high: string } {
  return { low: from ? ulidBound(from, '0') : '0', high: to ? ulidBound(to, 'Z') : 'Z' };
}

function ulidBound(iso: string, pad: '0' | 'Z'): string {
  const ms = Math.min(Math.max(Date.parse(iso), 0), TIME_MAX);
  return encodeTime(ms, TIME_LEN) + pad.repeat(16);
}

/** How a run came to be, beyond the caller's overrides. */
export interface RunOrigin {
  trigger: Trigger;
  /** Lets a caller make creation idempotent (a schedule fire, a retry). */
  runId?: string;
  scheduleId?: string;
  scheduledTime?: string;
}

/** An app's images as strings, unresolved (no image service, or only the overrides' size matters): a built image stands as its imageId. */
export function unresolvedImages(app: Pick<App, 'image' | 'sidecars'>): { image: string; sidecars: LaunchableApp['sidecars'] } {
  const named = (image: App['image']) => (typeof image === 'string' ? image : image.imageId);
  return { image: named(app.image), sidecars: app.sidecars?.map((sidecar) => ({ ...sidecar, image: named(sidecar.image) })) };
}

/** The task spec a run copies from its app version (TASK_SPEC_FIELDS). */
export function taskSpecOf(app: TaskSpec): TaskSpec {
  return Object.fromEntries(TASK_SPEC_FIELDS.map((field) => [field, app[field]])) as TaskSpec;
}

/**
 * A new PENDING first attempt (its history starts with that status) of the app's current version: its task spec, with the caller's
 * command replacing the app's and the caller's env merged over it. The image is the one resolved for this run.
 */
export function newRun(app: LaunchableApp, input: RunCreate, origin: RunOrigin, ids: { runId: string; createdAt: string }): Run {
  const spec = { ...taskSpecOf(app), image: app.image, sidecars: app.sidecars };
  return {
    runId: ids.runId,
    appId: app.appId,
    appName: app.name,
    ownerId: app.ownerId,
    appVersion: app.version,
    ...spec,
    command: input.command ?? spec.command,
    env: { ...spec.env, ...input.env },
    status: 'PENDING',
    trigger: origin.trigger,
    attempt: 1,
    scheduleId: origin.scheduleId,
    scheduledTime: origin.scheduledTime,
    scriptSha256: app.script && sourceSha256(app.script),
    retentionDays: app.retentionDays ?? DEFAULT_RETENTION_DAYS,
    createdAt: ids.createdAt,
    history: [{ status: 'PENDING', at: ids.createdAt }],
  };
}

/** The next attempt of a finished run: the same spec and origin, a fresh PENDING state. */
export function retryOf(previous: Run, ids: { runId: string; createdAt: string }): Run {
  return {
    ...previous,
    runId: ids.runId,
    status: 'PENDING',
    trigger: 'retry',
    attempt: previous.attempt + 1,
    previousRunId: previous.runId,
    nextRunId: undefined,
    taskRef: undefined,
    launchedAt: undefined,
    launchRetry: undefined,
    exitCode: undefined,
    stoppedReason: undefined,
    stopRequest: undefined,
    startedAt: undefined,
    stoppedAt: undefined,
    durationMs: undefined,
    result: undefined,
    resultAt: undefined,
    resultId: undefined,
    resultMetrics: undefined,
    createdAt: ids.createdAt,
    history: [{ status: 'PENDING', at: ids.createdAt }],
  };
}
