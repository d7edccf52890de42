/**
 * The run state machine's pure rules, table-driven: no store, no Docker, no clock.
 */
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { RUN_STATUSES, TERMINAL_STATUSES, isTerminal, type Run, type RunStatus, type StopRequest, type TerminalStatus } from '../../shared/domain.js';
import type { LaunchableApp } from '../../shared/ports.js';
import { TASK_SPEC_FIELDS } from '../../shared/schemas.js';
import {
  TERMINAL_RANK,
  idRange,
  isLaunchLost,
  isMissingLost,
  isPastTimeout,
  isStartOverdue,
  startTimeoutReason,
  isStopOverdue,
  LAUNCH_RETRY,
  nextLaunchAt,
  isSettleOverdue,
  newRun,
  retryOf,
  runStatusOf,
  shouldRetry,
  statusRank,
  terminalOutcome,
  terminalRecord,
} from '../../shared/rules/run-rules.js';

const app: LaunchableApp = {
  appId: 'A1',
  ownerId: 'U1',
  name: 'job',
  image: 'containerizer/busybox:latest',
  command: ['sh', '-c', 'exit 3'],
  env: { A: '1', B: '2' },
  cpu: 0.5,
  memoryMiB: 1024,
  timeoutSeconds: 60,
  retry: { maxAttempts: 3, onExitCodes: [3] },
  version: 4,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T00:00:00.000Z',
  updatedBy: 'U1',
};
const T0 = '2025-03-01T12:00:00.000Z';
const run: Run = newRun(app, {}, { trigger: 'manual' }, { runId: 'R1', createdAt: T0 });
const at = (ms: number) => new Date(Date.parse(T0) + ms);

describe('status order', () => {
  it.each<[RunStatus, number]>([
    ['PENDING', 0],
    ['PROVISIONING', 1],
    ['RUNNING', 2],
    ['SUCCEEDED', TERMINAL_RANK],
    ['FAILED', TERMINAL_RANK],
    ['STOPPED', TERMINAL_RANK],
    ['TIMED_OUT', TERMINAL_RANK],
  ])('%s ranks %i', (status, rank) => {
    expect(statusRank(status)).toBe(rank);
    expect(isTerminal(status)).toBe(rank === TERMINAL_RANK);
  });

  it('ranks every terminal status above every other one, and only those', () => {
    expect(TERMINAL_RANK).toBe(3);
    for (const status of RUN_STATUSES) expect(statusRank(status) === TERMINAL_RANK).toBe((TERMINAL_STATUSES as readonly string[]).includes(status));
  });
});

describe('runStatusOf (ECS lastStatus → run status)', () => {
  it.each([
    ['PROVISIONING', 'PROVISIONING'],
    ['PENDING', 'PROVISIONING'],
    ['ACTIVATING', 'PROVISIONING'],
    ['RUNNING', 'RUNNING'],
    ['DEACTIVATING', undefined],
    ['STOPPING', undefined],
    ['DEPROVISIONING', undefined],
    ['STOPPED', 'STOPPED'],
    ['SOMETHING_NEW', undefined],
  ])('%s → %s', (lastStatus, expected) => {
    expect(runStatusOf(lastStatus)).toBe(expected);
  });
});

describe('terminalOutcome', () => {
  const stop: StopRequest = { status: 'TIMED_OUT', reason: 'timed out after 60 s', at: T0 };
  it.each([
    ['a requested stop wins over the exit code', stop, { exitCode: 0 }, { status: 'TIMED_OUT', reason: 'timed out after 60 s' }],
    ['an OOM kill fails the run', undefined, { exitCode: 137, oomKilled: true }, { status: 'FAILED', reason: expect.stringContaining('OutOfMemoryError') }],
    ['an OOM kill keeps the backend reason', undefined, { exitCode: 137, oomKilled: true, stoppedReason: 'OOM' }, { status: 'FAILED', reason: 'OOM' }],
    ['exit 0 succeeds', undefined, { exitCode: 0 }, { status: 'SUCCEEDED', reason: undefined }],
    ['no exit code fails', undefined, {}, { status: 'FAILED', reason: 'task stopped without an exit code' }],
    ['a non-zero exit fails', undefined, { exitCode: 2 }, { status: 'FAILED', reason: 'exit code 2' }],
    [
      'a non-zero exit keeps the backend reason',
      undefined,
      { exitCode: 2, stoppedReason: 'Essential container exited' },
      { status: 'FAILED', reason: 'Essential container exited' },
    ],
    [
      "a failure of the task fails the run even when the main container's exit was 0",
      undefined,
      { exitCode: 0, taskFailure: 'Essential container in task exited: "db" exited with code 1' },
      { status: 'FAILED', reason: 'Essential container in task exited: "db" exited with code 1' },
    ],
    ['a requested stop wins over a failure of the task', stop, { taskFailure: 'db' }, { status: 'TIMED_OUT', reason: 'timed out after 60 s' }],
  ])('%s', (_, stopRequest, change, expected) => {
    expect(terminalOutcome(stopRequest, change)).toEqual(expected);
  });
});

describe('shouldRetry', () => {
  it.each<[string, Pick<Run, 'attempt' | 'retry'>, TerminalStatus, number | undefined, boolean]>([
    ['FAILED on a listed code, attempts left', { attempt: 1, retry: { maxAttempts: 3, onExitCodes: [3] } }, 'FAILED', 3, true],
    ['FAILED on another code', { attempt: 1, retry: { maxAttempts: 3, onExitCodes: [3] } }, 'FAILED', 4, false],
    ['FAILED without an exit code when codes are listed', { attempt: 1, retry: { maxAttempts: 3, onExitCodes: [3] } }, 'FAILED', undefined, false],
    ['FAILED, any code', { attempt: 2, retry: { maxAttempts: 3 } }, 'FAILED', undefined, true],
    ['the last attempt', { attempt: 3, retry: { maxAttempts: 3 } }, 'FAILED', 1, false],
    ['no retry policy (1 attempt)', { attempt: 1, retry: { maxAttempts: 1 } }, 'FAILED', 1, false],
    ['STOPPED', { attempt: 1, retry: { maxAttempts: 3 } }, 'STOPPED', 143, false],
    ['TIMED_OUT', { attempt: 1, retry: { maxAttempts: 3 } }, 'TIMED_OUT', 137, false],
    ['SUCCEEDED', { attempt: 1, retry: { maxAttempts: 3 } }, 'SUCCEEDED', 0, false],
  ])('%s → %s', (_, r, status, exitCode, expected) => {
    expect(shouldRetry(r, status, exitCode)).toBe(expected);
  });
});

describe('terminalRecord', () => {
  it('records stop time, exit code, reason, duration (ms) and the retry decision', () => {
    const started = { ...run, startedAt: at(1000).toISOString() };
    expect(terminalRecord(started, 'FAILED', { at: at(4500), exitCode: 3, reason: 'exit code 3' }, 0)).toEqual({
      fields: { stoppedAt: at(4500).toISOString(), exitCode: 3, stoppedReason: 'exit code 3', startedAt: undefined, durationMs: 3500 },
      retry: true,
      expiresAt: undefined,
    });
  });

  it("takes the stop event's start time when the run never saw RUNNING", () => {
    const record = terminalRecord(run, 'SUCCEEDED', { at: at(2000), exitCode: 0, startedAt: at(500) }, 0);
    expect(record.fields.startedAt).toBe(at(500).toISOString());
    expect(record.fields.durationMs).toBe(1500);
  });

  it('has no duration for a run that never started', () => {
    expect(terminalRecord(run, 'FAILED', { at: at(10), reason: 'launch failed' }, 0).fields).toMatchObject({ startedAt: undefined, durationMs: undefined });
  });

  it.each([
    [0, undefined],
    [1, Math.floor(at(0).getTime() / 1000) + 86_400],
    [30, Math.floor(at(0).getTime() / 1000) + 30 * 86_400],
  ])('with a TTL of %i days expires at %s (epoch s)', (days, expected) => {
    expect(terminalRecord(run, 'SUCCEEDED', { at: at(0), exitCode: 0 }, days).expiresAt).toBe(expected);
  });
});

describe('sweep decisions', () => {
  const started = { status: 'RUNNING' as const, startedAt: at(10_000).toISOString() };
  it.each<[string, Partial<Run>, number, boolean]>([
    ['before the deadline, counted from the start', started, 69_999, false],
    ['at the deadline, counted from the start', started, 70_000, true],
    ["never, for a run not started (its RUNNING event late): the wait to start is not the job's time", { status: 'PROVISIONING' }, 3_600_000, false],
    ['never, for a PENDING run', {}, 3_600_000, false],
    ['counted from creation for a RUNNING run without startedAt (an item written before it was recorded)', { status: 'RUNNING' }, 60_000, true],
  ])('isPastTimeout: %s', (_, fields, ms, expected) => {
    expect(isPastTimeout({ ...run, ...fields }, at(ms))).toBe(expected);
  });

  it.each<[string, Partial<Run>, number, boolean]>([
    ['a PENDING run within the bound', {}, 29_999, false],
    ['a PENDING run at the bound', {}, 30_000, true],
    ['a PROVISIONING run past the bound', { status: 'PROVISIONING', taskRef: 't' }, 30_000, true],
    ['a deferred launch past the bound', { launchRetry: { attempts: 3, notBefore: at(90_000).toISOString(), reason: 'r' } }, 30_000, true],
    ['a started run, however long ago', started, 3_600_000, false],
    ['a RUNNING run without startedAt', { status: 'RUNNING' }, 3_600_000, false],
  ])('isStartOverdue: %s', (_, fields, ms, expected) => {
    expect(isStartOverdue({ ...run, ...fields }, at(ms), 30_000)).toBe(expected);
  });

  it('says why a run did not start, with the last deferral if there was one', () => {
    expect(startTimeoutReason({}, 1800)).toBe('did not start within 1800 s (RUN_START_TIMEOUT_SECONDS)');
    expect(startTimeoutReason({ launchRetry: { attempts: 4, notBefore: T0, reason: 'no Fargate capacity' } }, 600)).toBe(
      'did not start within 600 s (RUN_START_TIMEOUT_SECONDS); its launch was deferred 4 times, last: no Fargate capacity',
    );
  });

  it.each<[string, Partial<Run>, number, boolean]>([
    ['a fresh PENDING run', {}, 30_000, false],
    ['a PENDING run without a task past the limit', {}, 30_001, true],
    ['a PENDING run with a task', { taskRef: 't' }, 60_000, false],
    ['a PROVISIONING run', { status: 'PROVISIONING' }, 60_000, false],
    ['a deferred launch before its time', { launchRetry: { attempts: 1, notBefore: at(45_000).toISOString(), reason: 'r' } }, 44_999, false],
    ['a deferred launch at its time', { launchRetry: { attempts: 1, notBefore: at(45_000).toISOString(), reason: 'r' } }, 45_000, true],
  ])('isLaunchLost: %s', (_, fields, ms, expected) => {
    expect(isLaunchLost({ ...run, ...fields }, at(ms), 30_000)).toBe(expected);
  });

  it.each([
    ['just stopped', 9_999, false],
    ['stopped long enough ago', 10_000, true],
  ])('isSettleOverdue: %s', (_, ms, expected) => {
    expect(isSettleOverdue({ ...run, stoppedAt: T0 }, at(ms), 10_000)).toBe(expected);
  });
});

describe('idRange (ULID bounds of a time range)', () => {
  it('is unbounded without times', () => {
    expect(idRange()).toEqual({ low: '0', high: 'Z' });
  });

  it('bounds ids by the ms their time prefix encodes, inclusively', () => {
    const { low, high } = idRange('2025-03-01T12:00:00.000Z', '2025-03-01T12:00:01.000Z');
    expect(low).toHaveLength(26);
    expect(decodeTime(low)).toBe(Date.parse('2025-03-01T12:00:00.000Z'));
    expect(decodeTime(high.slice(0, 10) + '0'.repeat(16))).toBe(Date.parse('2025-03-01T12:00:01.000Z'));
    expect(low.endsWith('0'.repeat(16)) && high.endsWith('Z'.repeat(16))).toBe(true);
  });

  it('clamps times before the epoch instead of failing', () => {
    expect(idRange('1969-12-31T23:59:59.000Z').low).toBe('0'.repeat(26));
  });
});

describe('deferred launches, missing tasks and lost stops', () => {
  it('backs a deferred launch off from 15 s, doubling to 5 min, and gives up after the 10th attempt', () => {
    const delays = Array.from({ length: 10 }, (_, i) => nextLaunchAt(i + 1, at(0))?.getTime());
    expect(delays.slice(0, 6)).toEqual([15_000, 30_000, 60_000, 120_000, 240_000, 300_000].map((ms) => at(ms).getTime()));
    expect(delays[8]).toBe(at(LAUNCH_RETRY.maxDelayMs).getTime());
    expect(delays[9]).toBeUndefined();
  });

  it.each<[string, Partial<Run>, number, boolean]>([
    ['a task launched just now', { launchedAt: at(0).toISOString() }, 119_999, false],
    ['a task launched longer ago than the grace', { launchedAt: at(0).toISOString() }, 120_000, true],
    ['a run without a launch time: counted from creation', {}, 120_000, true],
  ])('isMissingLost: %s', (_, fields, ms, expected) => {
    expect(isMissingLost({ ...run, ...fields }, at(ms), 120_000)).toBe(expected);
  });

  it.each<[string, Partial<Run>, number, boolean]>([
    ['no stop asked for', {}, 600_000, false],
    ['within its grace and the slack', { stopRequest: { status: 'STOPPED', reason: 'r', at: at(0).toISOString(), graceSeconds: 30 } }, 89_999, false],
    ['past its grace and the slack', { stopRequest: { status: 'STOPPED', reason: 'r', at: at(0).toISOString(), graceSeconds: 30 } }, 90_000, true],
    ['a request without a grace (older items): the slack alone', { stopRequest: { status: 'TIMED_OUT', reason: 'r', at: at(0).toISOString() } }, 60_000, true],
  ])('isStopOverdue: %s', (_, fields, ms, expected) => {
    expect(isStopOverdue({ ...run, ...fields }, at(ms), 60_000)).toBe(expected);
  });
});

describe('newRun and retryOf', () => {
  it('copies every task-spec field of the app, with the caller overriding command and merging env', () => {
    const created = newRun(
      app,
      { command: ['true'], env: { B: 'x', C: '3' } },
      { trigger: 'schedule', scheduleId: 'S1', scheduledTime: T0 },
      { runId: 'R2', createdAt: T0 },
    );
    for (const field of TASK_SPEC_FIELDS.filter((f) => f !== 'command' && f !== 'env')) expect(created[field]).toEqual(app[field]);
    expect(created).toMatchObject({
      runId: 'R2',
      appId: 'A1',
      appName: 'job',
      ownerId: 'U1',
      appVersion: 4,
      command: ['true'],
      env: { A: '1', B: 'x', C: '3' },
      status: 'PENDING',
      trigger: 'schedule',
      attempt: 1,
      scheduleId: 'S1',
      history: [{ status: 'PENDING', at: T0 }],
    });
  });

  it("keeps the app's command and env without overrides", () => {
    expect(run).toMatchObject({ command: app.command, env: app.env });
  });

  it('makes the next attempt a fresh PENDING run linked to the previous one', () => {
    const failed: Run = {
      ...run,
      status: 'FAILED',
      taskRef: 't',
      exitCode: 3,
      stoppedReason: 'exit code 3',
      startedAt: T0,
      stoppedAt: T0,
      durationMs: 0,
      nextRunId: 'R9',
      launchedAt: T0,
      launchRetry: { attempts: 2, notBefore: T0, reason: 'Rate exceeded' },
      stopRequest: { status: 'STOPPED', reason: 'stopped', at: T0, graceSeconds: 10 },
    };
    const retry = retryOf(failed, { runId: 'R9', createdAt: at(5).toISOString() });
    expect(retry).toMatchObject({ launchedAt: undefined, launchRetry: undefined, stopRequest: undefined });
    expect(retry).toMatchObject({ runId: 'R9', status: 'PENDING', trigger: 'retry', attempt: 2, previousRunId: 'R1', image: app.image, command: app.command });
    expect(retry).toMatchObject({ taskRef: undefined, exitCode: undefined, stoppedReason: undefined, nextRunId: undefined, durationMs: undefined });
    expect(retry.history).toEqual([{ status: 'PENDING', at: at(5).toISOString() }]);
  });
});
