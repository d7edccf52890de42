import { PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledRunInput } from '../../shared/aws/eventbridge-scheduler.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { scheduledRunHandler } from '../../shared/lambda/scheduled-run.js';
import type { App, Schedule } from '../../shared/domain.js';
import { createApp, OWNER, startCloud, type Cloud } from './support.js';

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
beforeEach(() => cloud.ecs.resetHistory());

/**
 * What EventBridge invokes the function with when the schedule's rule fires at `time`: the
 * rule target's InputTransformer (as EventBridgeScheduler.put sent it) applied to the
 * scheduled event, whose `time` has seconds precision.
 */
function fireInput(time: string): ScheduledRunInput {
  const target = cloud.events.commandCalls(PutTargetsCommand).at(-1)!.args[0].input.Targets![0]!;
  return JSON.parse(target.InputTransformer!.InputTemplate!.replace('<time>', JSON.stringify(time)));
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
    expect(cloud.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toMatchObject({ startedBy: run.runId, clientToken: run.runId });
  });

  it('starts one run when the same fire is delivered twice at once', async () => {
    const input = fireInput('2024-05-01T13:00:00Z');

    await Promise.all([handler(input), handler(input)]);

    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    const { items: fires } = await platform.schedules.fires(OWNER, schedule.scheduleId);
    expect(fires.map((f) => f.scheduledTime)).toEqual(['2024-05-01T13:00:00.000Z', '2024-05-01T12:00:00.000Z']);
  });
});
