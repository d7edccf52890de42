import { ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../shared/store/db.js';
import { keys } from '../../shared/table.js';
import { CLIENT_CONFIG } from '../aws/fixtures.js';
import type { ScheduledRunInput } from '../../shared/aws/eventbridge-scheduler.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { scheduledRunHandler } from '../../shared/lambda/scheduled-run.js';
import type { App, Schedule } from '../../shared/domain.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { LAUNCH_RETRY } from '../../shared/rules/run-rules.js';
import { allowedActions, buildStack } from '../infra/build-stack.js';
import { createApp, ecsTask, OWNER, SCHEDULE_GROUP, startCloud, TABLE_NAME, type Cloud } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let handler: (input: ScheduledRunInput) => Promise<void>;
let app: App;
let schedule: Schedule;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = scheduledRunHandler(platform);
  app = await createApp(platform);
  schedule = await platform.schedules.create(OWNER, app.appId, { expression: 'rate(1 hour)', enabled: true, overlapPolicy: 'Allow', overrides: {} });
});
afterAll(() => cloud?.close());
beforeEach(() => {
  cloud.ecs.resetHistory();
  cloud.iam = undefined;
});

/**
 * What EventBridge Scheduler invokes the function with when the schedule fires at `time`: the
 * target's Input (as EventBridgeScheduler.put sent it) with its `<aws.scheduler.scheduled-time>`
 * context attribute filled in, seconds precision.
 */
function fireInput(time: string, scheduleId = schedule.scheduleId): ScheduledRunInput {
  const target = cloud.scheduler.schedules.get(`${SCHEDULE_GROUP}/${scheduleId}`)!.Target!;
  return JSON.parse(target.Input!.replace('<aws.scheduler.scheduled-time>', time));
}

describe('scheduled-run', () => {
  it('starts one run per fire, however often the fire is delivered', async () => {
    const input = fireInput('2024-05-01T12:00:00Z');
    expect(input).toEqual({ scheduleId: schedule.scheduleId, scheduledTime: '2024-05-01T12:00:00Z' });

    await handler(input);
    await handler(input);

    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    const { items: fires } = await platform.schedules.fires(OWNER, schedule.scheduleId);
    expect(fires).toEqual([expect.objectContaining({ scheduledTime: '2024-05-01T12:00:00.000Z', outcome: 'STARTED' })]);
    const run = await platform.runs.get(OWNER, fires[0]!.runId!);
    expect(run).toMatchObject({ trigger: 'schedule', scheduleId: schedule.scheduleId, scheduledTime: '2024-05-01T12:00:00.000Z', status: 'PENDING' });
    expect(cloud.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toMatchObject({
      startedBy: run.runId,
      clientToken: expect.stringMatching(new RegExp(`^${run.runId}\\.`)),
    });

    // The fire record expires with the deployment's retention (FINISHED_RUN_TTL_DAYS), counted from its scheduled time.
    const db = createDb(TABLE_NAME, { ...CLIENT_CONFIG, endpoint: cloud.env.DYNAMODB_ENDPOINT });
    const { Item } = await db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.fire(schedule.scheduleId, '2024-05-01T12:00:00.000Z') }));
    expect(Item!.expiresAt).toBe(Date.parse('2024-05-01T12:00:00Z') / 1000 + 90 * 86_400);
  });

  it('starts one run when the same fire is delivered twice at once', async () => {
    const input = fireInput('2024-05-01T13:00:00Z');

    await Promise.all([handler(input), handler(input)]);

    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    const { items: fires } = await platform.schedules.fires(OWNER, schedule.scheduleId);
    expect(fires.map((f) => f.scheduledTime)).toEqual(['2024-05-01T13:00:00.000Z', '2024-05-01T12:00:00.000Z']);
  });
});

describe('scheduled-run under real AWS limits', () => {
  it('replaces the running run of a Replace schedule with the IAM of the synthesized template, and repeats the Replace step on a retried fire', async () => {
    // The scheduled-run role as synthesized (bundling skipped: only the policies matter).
    const stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
    const granted = allowedActions(stack, stack.events.scheduledRunFunction.role);
    expect(granted).toContain('ecs:StopTask');
    const replace = await platform.schedules.create(OWNER, app.appId, { expression: 'rate(1 hour)', enabled: true, overlapPolicy: 'Replace', overrides: {} });
    const applyTaskEvent = taskStateChangeHandler(platform);

    cloud.iam = granted;
    await handler(fireInput('2024-05-02T12:00:00Z', replace.scheduleId));
    const [first] = (await platform.schedules.fires(OWNER, replace.scheduleId)).items;
    const old = ecsTask(first!.runId!);
    await applyTaskEvent(old.running);

    // Without the grant (the stack before this change), IAM refuses StopTask and the fire fails...
    cloud.iam = new Set([...granted].filter((action) => action !== 'ecs:StopTask'));
    const second = fireInput('2024-05-02T13:00:00Z', replace.scheduleId);
    await expect(handler(second)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // ...and EventBridge retries it: with the grant, the retry sends the stop and starts the new run.
    cloud.iam = granted;
    await handler(second);

    // The denied StopTask, then the retry's.
    expect(cloud.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([old.taskArn, old.taskArn]);
    expect(await platform.runs.get(OWNER, first!.runId!)).toMatchObject({
      status: 'RUNNING',
      stopRequest: { status: 'STOPPED', reason: 'replaced by the fire of 2024-05-02T13:00:00.000Z (overlapPolicy Replace)' },
    });
    const [latest] = (await platform.schedules.fires(OWNER, replace.scheduleId)).items;
    expect(await platform.runs.get(OWNER, latest!.runId!)).toMatchObject({ status: 'PENDING', taskRef: expect.any(String) });
    await applyTaskEvent(old.stopped({ stopCode: 'UserInitiated', stoppedReason: 'replaced', exitCode: 143 }));
    expect(await platform.runs.get(OWNER, first!.runId!)).toMatchObject({ status: 'STOPPED' });
  });

  it('leaves runs PENDING when many schedules fire in the same minute into throttling and no capacity, and the launch queue launches each once later, a new clientToken per attempt and no retry', async () => {
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        platform.schedules.create(OWNER, app.appId, { expression: 'rate(1 hour)', enabled: true, overlapPolicy: 'Allow', overrides: {} }),
      ),
    );
    cloud.faults.throttleRunTask = 12;
    cloud.faults.noCapacity = 3;

    await Promise.all(many.map((s) => handler(fireInput('2024-05-03T06:00:00Z', s.scheduleId))));

    const runIds = await Promise.all(many.map(async (s) => (await platform.schedules.fires(OWNER, s.scheduleId)).items[0]!.runId!));
    const runs = await Promise.all(runIds.map((id) => platform.runs.get(OWNER, id)));
    expect(runs.filter((r) => r.taskRef)).toHaveLength(5);
    const deferred = runs.filter((r) => !r.taskRef);
    expect(deferred).toHaveLength(15);
    for (const run of deferred) expect(run).toMatchObject({ status: 'PENDING', attempt: 1, launchRetry: { attempts: 1 } });

    // The sweep leaves them to the launch queue...
    await platform.runs.sweep({ describe: false, at: new Date(Date.now() + LAUNCH_RETRY.firstDelayMs) });
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(20);
    // ...which launches each deferred run again, first asking ECS whether its first attempt started a task.
    await platform.runs.drainQueue(new Date(Date.now() + 30_000), 10);
    const after = await Promise.all(runIds.map((id) => platform.runs.get(OWNER, id)));
    expect(after.map((r) => r.status)).toEqual(runIds.map(() => 'PENDING'));
    expect(after.every((r) => r.taskRef && r.attempt === 1 && !r.nextRunId)).toBe(true);
    const tokens = cloud.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken!);
    expect(tokens).toHaveLength(35);
    expect(new Set(tokens.map((t) => t.split('.')[0]))).toEqual(new Set(runIds));
    for (const run of deferred) {
      const own = tokens.filter((t) => t.startsWith(`${run.runId}.`));
      expect(own).toHaveLength(2);
      expect(own[0]).not.toBe(own[1]);
    }
    expect(
      cloud.ecs
        .commandCalls(ListTasksCommand)
        .map((c) => c.args[0].input.startedBy)
        .sort(),
    ).toEqual(deferred.map((r) => r.runId).sort());
  });

  it('fails a run whose launch ECS refuses for good, without retrying it', async () => {
    const refused = await createApp(platform);
    cloud.iam = new Set(['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition']);
    const run = await platform.runs.create(OWNER, refused.appId, {});
    expect(run).toMatchObject({ status: 'FAILED', stoppedReason: expect.stringContaining('not authorized to perform: ecs:RunTask') });
    expect(run.launchRetry).toBeUndefined();
  });
});
