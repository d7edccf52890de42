import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { reconcilerHandler } from '../../shared/lambda/reconciler.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { ECS_MISSING_GRACE_MS } from '../../shared/cloud-limits.js';
import { DEFAULT_LIMITS } from '../../shared/settings.js';
import type { AppCreate } from '../../shared/schemas.js';
import { CLUSTER_ARN, createApp, ecsTask, OWNER, PUT_EVENTS_OK, runEventsSent, startCloud, type Cloud } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let reconcile: () => Promise<void>;
let applyTaskEvent: (event: EcsTaskStateChangeEvent) => Promise<void>;
/** A sweep as the reconciler's, `ms` from now. */
const sweepIn = (ms: number) => platform.runs.sweep({ describe: true, at: new Date(Date.now() + ms) });

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  reconcile = reconcilerHandler(platform);
  applyTaskEvent = taskStateChangeHandler(platform);
});
afterAll(() => cloud?.close());
beforeEach(() => {
  cloud.ecs.resetHistory();
  cloud.events.resetHistory();
});

/** The StopTask calls sent for one task. */
const stopsOf = (taskArn: string) => cloud.ecs.commandCalls(StopTaskCommand).filter((c) => c.args[0].input.task === taskArn);
const START_TIMEOUT_MS = DEFAULT_LIMITS.runStartTimeoutSeconds * 1000;

/** A run launched through the platform and seen RUNNING through its task's events. */
async function runningRun(app: Partial<AppCreate> = {}, task: Parameters<typeof ecsTask>[1] = {}) {
  const { appId } = await createApp(platform, app);
  const run = await platform.runs.create(OWNER, appId, {});
  const events = ecsTask(run.runId, task);
  await applyTaskEvent(events.provisioning);
  await applyTaskEvent(events.running);
  return { run, task: events };
}

describe('reconciler', () => {
  it('waits out a just-launched task ECS does not list yet (MISSING: eventual consistency), then fails the run and stops the task', async () => {
    cloud.faults.listAfterMs = 60 * 60_000;
    const { appId } = await createApp(platform);
    const run = await platform.runs.create(OWNER, appId, {});
    cloud.faults.listAfterMs = 0;

    await reconcile();
    await sweepIn(ECS_MISSING_GRACE_MS - 5_000);

    expect(cloud.ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER_ARN, tasks: [run.taskRef] },
      { cluster: CLUSTER_ARN, tasks: [run.taskRef] },
    ]);
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'PENDING', taskRef: run.taskRef });
    expect(cloud.ecs.commandCalls(StopTaskCommand)).toEqual([]);

    await sweepIn(ECS_MISSING_GRACE_MS);

    const reason = 'task disappeared: the backend no longer knows it (lost while the platform was down?)';
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'FAILED', stoppedReason: reason });
    expect(cloud.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, task: run.taskRef, reason }]);
  });

  it('fails a run whose task ECS no longer knows (DescribeTasks: MISSING), once past the grace', async () => {
    const { run, task } = await runningRun();
    cloud.tasks.delete(task.taskArn);

    await sweepIn(ECS_MISSING_GRACE_MS);

    expect(cloud.ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, tasks: [task.taskArn] }]);
    const final = await platform.runs.get(OWNER, run.runId);
    const reason = 'task disappeared: the backend no longer knows it (lost while the platform was down?)';
    expect(final).toMatchObject({ status: 'FAILED', stoppedReason: reason });
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'PROVISIONING', at: task.createdAt },
      { status: 'RUNNING', at: task.startedAt },
      { status: 'FAILED', at: final.stoppedAt, reason },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toHaveLength(1);
  });

  it('stops a run past its timeout (StopTask), which ends TIMED_OUT once the task is STOPPED', async () => {
    // Started 90 s ago with a 60 s timeout; the task stops 30 s from now (Fargate's stop timeout).
    const { run, task } = await runningRun({ timeoutSeconds: 60 }, { createdAt: new Date(Date.now() - 100_000), runningSeconds: 120 });
    cloud.tasks.set(task.taskArn, {
      taskArn: task.taskArn,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      startedBy: run.runId,
      version: 3,
      createdAt: new Date(task.createdAt),
      startedAt: new Date(task.startedAt),
      containers: [{ name: 'app', lastStatus: 'RUNNING' }],
    });

    await reconcile();

    const reason = 'timed out after 60 s';
    expect(cloud.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, task: task.taskArn, reason }]);
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'RUNNING', stopRequest: { status: 'TIMED_OUT', reason } });

    // Within its grace the stop is not sent again; once the grace is long over it is, in case it was lost.
    await reconcile();
    expect(cloud.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    await sweepIn(10_000 + 60_000);
    expect(cloud.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER_ARN, task: task.taskArn, reason },
      { cluster: CLUSTER_ARN, task: task.taskArn, reason },
    ]);

    await applyTaskEvent(task.stopped({ stopCode: 'UserInitiated', stoppedReason: reason, exitCode: 143 }));

    const final = await platform.runs.get(OWNER, run.runId);
    expect(final).toMatchObject({ status: 'TIMED_OUT', exitCode: 143, stoppedReason: reason, durationMs: 120_000 });
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'PROVISIONING', at: task.createdAt },
      { status: 'RUNNING', at: task.startedAt },
      { status: 'TIMED_OUT', at: task.stoppedAt, reason, exitCode: 143 },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toEqual([
      expect.objectContaining({ Entries: [expect.objectContaining({ Detail: expect.objectContaining({ status: 'TIMED_OUT' }) })] }),
    ]);
  });

  it('leaves a just-finished run to the invocation settling it', async () => {
    const { run, task } = await runningRun();
    cloud.events.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(
      applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 })),
    ).rejects.toThrow('Rate exceeded');
    cloud.events.on(PutEventsCommand).resolves(PUT_EVENTS_OK);
    await reconcile();
    expect(runEventsSent(cloud.events, run.runId)).toHaveLength(1); // the failed attempt only
  });

  it('publishes the run event that a failed task-state-change invocation could not', async () => {
    // A task that stopped a minute ago: past the settle grace in which its own invocation may still be at work.
    const { run, task } = await runningRun({}, { createdAt: new Date(Date.now() - 80_000) });
    const stopped = task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 });
    cloud.events.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // The invocation fails, so EventBridge retries it; the status write itself happened.
    await expect(applyTaskEvent(stopped)).rejects.toThrow('Rate exceeded');
    cloud.events.on(PutEventsCommand).resolves(PUT_EVENTS_OK);
    await applyTaskEvent(stopped);
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(runEventsSent(cloud.events, run.runId)).toHaveLength(1);

    await reconcile();
    await reconcile();

    const [failed, published] = runEventsSent(cloud.events, run.runId);
    expect(published).toEqual(failed);
    expect(published!.Entries[0]!.Detail).toMatchObject({ runId: run.runId, status: 'SUCCEEDED', exitCode: 0 });
    expect(runEventsSent(cloud.events, run.runId)).toHaveLength(2);
    expect(cloud.ecs.commandCalls(DescribeTasksCommand)).toEqual([]);
  });

  it("counts a run's timeout from its task's start: a RUNNING event that comes late takes nothing from the job's time", async () => {
    const { appId } = await createApp(platform, { timeoutSeconds: 2 });
    const run = await platform.runs.create(OWNER, appId, {});
    // The task starts 10 s after its creation (ecsTask's times), and its RUNNING event comes later still.
    const createdAt = new Date();
    const task = ecsTask(run.runId, { createdAt });
    const sweepAt = (ms: number) => platform.runs.sweep({ describe: true, at: new Date(createdAt.getTime() + ms) });
    await applyTaskEvent(task.provisioning);

    await sweepAt(9_000);
    expect(stopsOf(task.taskArn)).toEqual([]);
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'PROVISIONING' });

    await applyTaskEvent(task.running);
    await sweepAt(11_999);
    expect(stopsOf(task.taskArn)).toEqual([]);

    await sweepAt(12_000);
    const reason = 'timed out after 2 s';
    expect(stopsOf(task.taskArn).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, task: task.taskArn, reason }]);
    await applyTaskEvent(task.stopped({ stopCode: 'UserInitiated', stoppedReason: reason, exitCode: 143 }));
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'TIMED_OUT', startedAt: task.startedAt, stoppedReason: reason });
  });

  it('fails a run whose task does not start within RUN_START_TIMEOUT_SECONDS, stopping the task; one that did start is left to its timeout', async () => {
    const { appId } = await createApp(platform, { timeoutSeconds: 3600 * 24 });
    const stuck = await platform.runs.create(OWNER, appId, {});
    const late = await platform.runs.create(OWNER, appId, {});
    await applyTaskEvent(ecsTask(stuck.runId).provisioning);
    await applyTaskEvent(ecsTask(late.runId).provisioning);
    // The second one started, but its RUNNING event was lost: DescribeTasks says so.
    const startedAt = new Date();
    cloud.tasks.set(late.taskRef!, { ...cloud.tasks.get(late.taskRef!)!, lastStatus: 'RUNNING', version: 3, startedAt });

    // Counted from the run's creation, however long the test took to get here.
    const sinceCreation = (ms: number) => platform.runs.sweep({ describe: true, at: new Date(Date.parse(stuck.createdAt) + ms) });
    await sinceCreation(START_TIMEOUT_MS - 1);
    expect(stopsOf(stuck.taskRef!)).toEqual([]);
    expect(await platform.runs.get(OWNER, stuck.runId)).toMatchObject({ status: 'PROVISIONING' });

    await sinceCreation(START_TIMEOUT_MS);

    const reason = `did not start within ${DEFAULT_LIMITS.runStartTimeoutSeconds} s (RUN_START_TIMEOUT_SECONDS)`;
    expect(stopsOf(stuck.taskRef!).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER_ARN, task: stuck.taskRef, reason }]);
    const failed = await platform.runs.get(OWNER, stuck.runId);
    expect(failed).toMatchObject({ status: 'FAILED', stoppedReason: reason });
    expect(failed.history.map((h) => h.status)).toEqual(['PENDING', 'PROVISIONING', 'FAILED']);
    expect(runEventsSent(cloud.events, stuck.runId)).toEqual([
      expect.objectContaining({ Entries: [expect.objectContaining({ Detail: expect.objectContaining({ status: 'FAILED' }) })] }),
    ]);
    expect(await platform.runs.get(OWNER, late.runId)).toMatchObject({ status: 'RUNNING', startedAt: startedAt.toISOString() });
    expect(stopsOf(late.taskRef!)).toEqual([]);

    // A STOPPED event of the stopped task changes nothing: the run has ended.
    await applyTaskEvent(ecsTask(stuck.runId).stopped({ stopCode: 'UserInitiated', stoppedReason: reason }));
    expect(await platform.runs.get(OWNER, stuck.runId)).toEqual(failed);
    await platform.runs.stop(OWNER, late.runId, { graceSeconds: 0, kill: true });
    await applyTaskEvent(ecsTask(late.runId).stopped({ stopCode: 'UserInitiated', stoppedReason: 'killed', exitCode: 137 }));
  });

  it('fails a run whose launch stays deferred (no capacity) past RUN_START_TIMEOUT_SECONDS, saying why', async () => {
    const { appId } = await createApp(platform);
    cloud.faults.noCapacity = 1;
    const run = await platform.runs.create(OWNER, appId, {});
    expect(run).toMatchObject({ status: 'PENDING', launchRetry: { attempts: 1 } });

    await sweepIn(START_TIMEOUT_MS);

    const failed = await platform.runs.get(OWNER, run.runId);
    expect(failed).toMatchObject({ status: 'FAILED' });
    expect(failed.stoppedReason).toMatch(
      /^did not start within \d+ s \(RUN_START_TIMEOUT_SECONDS\); its launch was deferred 1 times, last: .*Capacity is unavailable/,
    );
    expect(failed.taskRef).toBeUndefined();
  });
});
