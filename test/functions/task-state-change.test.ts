import { RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { JOB_ENV } from '../../shared/job-env.js';
import { createApp, ecsTask, OWNER, runEventsSent, startCloud, type Cloud, type TaskStop } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let handler: (event: EcsTaskStateChangeEvent) => Promise<void>;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = taskStateChangeHandler(platform);
});
afterAll(() => cloud?.close());
beforeEach(() => {
  cloud.ecs.resetHistory();
  cloud.events.resetHistory();
});

/** A run launched through the platform (RunTask mocked), and its task's events. */
async function launch() {
  const app = await createApp(platform);
  const run = await platform.runs.create(OWNER, app.appId, {});
  return { app, run, task: ecsTask(run.runId) };
}

async function deliver(...events: EcsTaskStateChangeEvent[]): Promise<void> {
  for (const event of events) await handler(event);
}

/** The one "Run State Change" PutEvents request a run ending with `detail` must produce. */
function runStateChange(detail: Record<string, unknown>) {
  return [{ Entries: [{ Source: 'containerizer', DetailType: 'Run State Change', EventBusName: 'default', Resources: [], Detail: detail }] }];
}

const EXITED = 'Essential container in task exited';

describe('task-state-change', () => {
  it('takes a run through PROVISIONING and RUNNING to SUCCEEDED; duplicates and intermediate states change nothing', async () => {
    const { app, run, task } = await launch();
    expect(run).toMatchObject({ status: 'PENDING', taskRef: task.taskArn });
    const exited: TaskStop = { stopCode: 'EssentialContainerExited', stoppedReason: EXITED, exitCode: 0 };

    await deliver(
      task.provisioning,
      task.pending,
      task.pending,
      task.running,
      task.running,
      task.deprovisioning(exited),
      task.stopped(exited),
      task.stopped(exited),
    );

    const final = await platform.runs.get(OWNER, run.runId);
    expect(final).toMatchObject({
      status: 'SUCCEEDED',
      exitCode: 0,
      stoppedReason: EXITED,
      startedAt: task.startedAt,
      stoppedAt: task.stoppedAt,
      durationMs: 10_000,
    });
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'PROVISIONING', at: task.createdAt },
      { status: 'RUNNING', at: task.startedAt },
      { status: 'SUCCEEDED', at: task.stoppedAt, reason: EXITED, exitCode: 0 },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toEqual(
      runStateChange({
        runId: run.runId,
        appId: app.appId,
        appName: app.name,
        ownerId: OWNER.userId,
        status: 'SUCCEEDED',
        exitCode: 0,
        stoppedReason: EXITED,
        trigger: 'manual',
        attempt: 1,
        createdAt: run.createdAt,
        startedAt: task.startedAt,
        stoppedAt: task.stoppedAt,
        durationMs: 10_000,
      }),
    );
  });

  it.each([
    { why: 'a non-zero exit code', stop: { exitCode: 3 }, reason: EXITED },
    {
      why: 'an OOM kill',
      stop: { exitCode: 137, containerReason: 'OutOfMemoryError: Container killed due to memory usage' },
      reason: `${EXITED}: OutOfMemoryError: Container killed due to memory usage`,
    },
  ])('fails a run whose essential container exited with $why, keeping the exit code and the reason', async ({ stop, reason }) => {
    const { run, task } = await launch();
    const exitCode = stop.exitCode;

    await deliver(task.provisioning, task.running, task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: EXITED, ...stop }));

    const final = await platform.runs.get(OWNER, run.runId);
    expect(final).toMatchObject({ status: 'FAILED', exitCode, stoppedReason: reason });
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'PROVISIONING', at: task.createdAt },
      { status: 'RUNNING', at: task.startedAt },
      { status: 'FAILED', at: task.stoppedAt, reason, exitCode },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toEqual(
      runStateChange(expect.objectContaining({ runId: run.runId, status: 'FAILED', exitCode, stoppedReason: reason, durationMs: 10_000 })),
    );
  });

  it('fails a run whose task failed to start (CannotPullContainerError, no exit code)', async () => {
    const { app, run, task } = await launch();
    const pullError =
      'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref public.ecr.aws/docker/library/busybox:1.36: not found';

    await deliver(task.provisioning, task.pending, task.stopped({ stopCode: 'TaskFailedToStart', stoppedReason: pullError, containerReason: pullError }));

    const final = await platform.runs.get(OWNER, run.runId);
    expect(final).toMatchObject({ status: 'FAILED', stoppedReason: pullError, stoppedAt: task.stoppedAt });
    expect(final).not.toHaveProperty('exitCode');
    expect(final).not.toHaveProperty('startedAt');
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'PROVISIONING', at: task.createdAt },
      { status: 'FAILED', at: task.stoppedAt, reason: pullError },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toEqual(
      runStateChange({
        runId: run.runId,
        appId: app.appId,
        appName: app.name,
        ownerId: OWNER.userId,
        status: 'FAILED',
        stoppedReason: pullError,
        trigger: 'manual',
        attempt: 1,
        createdAt: run.createdAt,
        stoppedAt: task.stoppedAt,
      }),
    );
  });

  it('keeps STOPPED final when RUNNING and PENDING arrive after it, however often', async () => {
    const { app, run, task } = await launch();
    const stopped = task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: EXITED, exitCode: 0 });

    await deliver(stopped, task.running, task.running, stopped, task.pending, task.provisioning);

    const final = await platform.runs.get(OWNER, run.runId);
    // The lost RUNNING's start time comes with the STOPPED event.
    const startedAt = (stopped.detail as { startedAt: string }).startedAt;
    expect(final).toMatchObject({
      status: 'SUCCEEDED',
      exitCode: 0,
      stoppedReason: EXITED,
      stoppedAt: task.stoppedAt,
      startedAt,
      durationMs: Date.parse(task.stoppedAt) - Date.parse(startedAt),
    });
    expect(final.history).toEqual([
      { status: 'PENDING', at: run.createdAt },
      { status: 'SUCCEEDED', at: task.stoppedAt, reason: EXITED, exitCode: 0 },
    ]);
    expect(runEventsSent(cloud.events, run.runId)).toEqual(
      runStateChange({
        runId: run.runId,
        appId: app.appId,
        appName: app.name,
        ownerId: OWNER.userId,
        status: 'SUCCEEDED',
        exitCode: 0,
        stoppedReason: EXITED,
        trigger: 'manual',
        attempt: 1,
        createdAt: run.createdAt,
        startedAt,
        stoppedAt: task.stoppedAt,
        durationMs: Date.parse(task.stoppedAt) - Date.parse(startedAt),
      }),
    );
  });

  it("refuses an event older than the last one applied, by ECS's detail.version", async () => {
    const { run, task } = await launch();
    const stopped = task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: EXITED, exitCode: 0 });
    const older = { ...stopped, detail: { ...stopped.detail, version: 2 } };

    await deliver(task.running, older);
    expect((await platform.runs.get(OWNER, run.runId)).status).toBe('RUNNING');
    await deliver(stopped);
    expect((await platform.runs.get(OWNER, run.runId)).status).toBe('SUCCEEDED');
  });

  it('ignores tasks the platform did not start and runs it does not know', async () => {
    const serviceTask = ecsTask('01HZX3K4M5N6P7Q8R9S0T1V2W3', { startedBy: 'ecs-svc/1234567890123456789' });
    const unknownRun = ecsTask('01HZX3K4M5N6P7Q8R9S0T1V2W4');

    await deliver(serviceTask.running, unknownRun.running, unknownRun.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: EXITED, exitCode: 0 }));

    await expect(platform.runs.get(OWNER, '01HZX3K4M5N6P7Q8R9S0T1V2W4')).rejects.toMatchObject({ status: 404 });
    expect(cloud.events.calls()).toEqual([]);
    expect(cloud.ecs.calls()).toEqual([]);
  });

  it('shows the result the job posted before it exited as soon as the run is terminal: the terminal write keeps it', async () => {
    const { run, task } = await launch();
    await deliver(task.provisioning, task.running);
    const launchEnv = cloud.ecs.commandCalls(RunTaskCommand).find((c) => c.args[0].input.startedBy === run.runId)!.args[0].input.overrides!
      .containerOverrides![0]!.environment!;
    const runToken = launchEnv.find((e) => e.name === JOB_ENV.runToken)!.value!;
    // The job's POST is answered once the result is stored; only then does the job exit and ECS report the task STOPPED.
    await platform.results.post(run.runId, runToken, JSON.stringify({ rows: 3 }));
    await deliver(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: EXITED, exitCode: 0 }));

    // GET /runs/{runId} reads the result beside the run (ResultService.withResult).
    expect(await platform.results.withResult(await platform.runs.get(OWNER, run.runId))).toMatchObject({
      status: 'SUCCEEDED',
      exitCode: 0,
      result: { rows: 3 },
    });
  });

  it('records the digest ECS reports for the app container, and a replay runs repository@digest, not the tag', async () => {
    const { app, run, task } = await launch();
    const digest = `sha256:${'ab'.repeat(32)}`;
    const running = { ...task.running, detail: { ...task.running.detail, containers: [{ ...task.running.detail.containers[0], imageDigest: digest }] } };
    await deliver(task.provisioning, running);
    expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ status: 'RUNNING', image: app.image, imageDigest: digest });

    cloud.ecs.resetHistory();
    const replay = await platform.replays.replay(OWNER, run.runId);
    expect(replay).toMatchObject({ trigger: 'replay', replayOf: run.runId, image: `public.ecr.aws/docker/library/busybox@${digest}`, imageDigest: digest });
    const registered = cloud.ecs.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input);
    expect(registered.map((input) => input.containerDefinitions?.[0]?.image)).toEqual([`public.ecr.aws/docker/library/busybox@${digest}`]);
    // An external image still runs where Fargate runs it by default: its recorded digest does not make it a platform build (ARM64).
    expect(registered.map((input) => input.runtimePlatform?.cpuArchitecture)).toEqual(['X86_64']);
  });
});
