/**
 * The cloud's Scheduler on EventBridge Scheduler, against a mock that refuses what EventBridge
 * Scheduler refuses (test/aws/scheduler-mock.ts): one schedule per platform schedule in the
 * deployment's group, with its zone, flexible window and completion action; the rules of earlier
 * releases removed as schedules move over.
 */
import {
  AccessDeniedException,
  DeleteRuleCommand,
  EventBridgeClient,
  RemoveTargetsCommand,
  ResourceNotFoundException as RuleNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { ServiceQuotaExceededException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeScheduler, type EventBridgeSchedulerConfig } from '../../shared/aws/eventbridge-scheduler.js';
import type { Schedule } from '../../shared/domain.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { SCHEDULE_DEFAULTS } from '../../shared/schedule-schemas.js';
import { APP_ID, CLIENT_CONFIG } from './fixtures.js';
import { mockScheduler, type SchedulerMock } from './scheduler-mock.js';

const SCHEDULE_ID = '01HZX5S1C2H3E4D5U6L7E8I9D0';
const GROUP = 'containerizer-schedules';
const TARGET_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:containerizer-scheduled-run';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/containerizer-scheduler';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:111122223333:containerizer-schedule-dlq';
const CONFIG: EventBridgeSchedulerConfig = { groupName: GROUP, targetArn: TARGET_ARN, roleArn: ROLE_ARN, deadLetterQueueArn: DLQ_ARN };

function sampleSchedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    scheduleId: SCHEDULE_ID,
    appId: APP_ID,
    ownerId: 'user-1',
    expression: 'cron(0 6 * * ? *)',
    ...SCHEDULE_DEFAULTS,
    enabled: true,
    overlapPolicy: 'Forbid',
    overrides: {},
    description: 'every morning',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}

let scheduler: SchedulerMock | undefined;
let events: AwsClientStub<EventBridgeClient> | undefined;
afterEach(() => {
  scheduler?.mock.restore();
  events?.restore();
});

function setup(config: Partial<EventBridgeSchedulerConfig> = {}) {
  scheduler = mockScheduler([GROUP]);
  const adapter = new EventBridgeScheduler({ scheduler: new SchedulerClient(CLIENT_CONFIG), config: { ...CONFIG, ...config } });
  return { state: scheduler, adapter };
}

describe('EventBridgeScheduler.put', () => {
  it('creates one schedule in the group: expression, zone, state, no flexible window, the target with its role, retry policy, dead-letter queue and input', async () => {
    const { state, adapter } = setup();
    await adapter.put(sampleSchedule({ timeZone: 'Europe/Berlin' }));
    expect(state.schedules.get(`${GROUP}/${SCHEDULE_ID}`)).toEqual({
      Name: SCHEDULE_ID,
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 6 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Description: `Containerizer schedule ${SCHEDULE_ID} of app ${APP_ID}`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: TARGET_ARN,
        RoleArn: ROLE_ARN,
        Input: `{"scheduleId":"${SCHEDULE_ID}","scheduledTime":"<aws.scheduler.scheduled-time>"}`,
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });
  });

  it('gives the target the schedule id and the slot, as EventBridge Scheduler fills its context attribute', async () => {
    const { state, adapter } = setup();
    await adapter.put(sampleSchedule());
    const input = state.schedules.get(`${GROUP}/${SCHEDULE_ID}`)!.Target!.Input!.replace('<aws.scheduler.scheduled-time>', '2024-05-02T06:00:00Z');
    expect(JSON.parse(input)).toEqual({ scheduleId: SCHEDULE_ID, scheduledTime: '2024-05-02T06:00:00Z' });
  });

  it('updates a schedule that exists (put is an upsert), disabled as DISABLED, with a flexible window', async () => {
    const { state, adapter } = setup();
    await adapter.put(sampleSchedule());
    await adapter.put(sampleSchedule({ enabled: false, expression: 'rate(5 minutes)', flexibleWindowMinutes: 15 }));
    expect(state.schedules.get(`${GROUP}/${SCHEDULE_ID}`)).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
    expect(state.mock.commandCalls((await import('@aws-sdk/client-scheduler')).UpdateScheduleCommand)).toHaveLength(1);
  });

  it('deletes a one-time at() schedule after completion when it says DELETE, and never a recurring one', async () => {
    const { state, adapter } = setup();
    await adapter.put(sampleSchedule({ expression: 'at(2030-01-01T09:00:00)', actionAfterCompletion: 'DELETE' }));
    expect(state.schedules.get(`${GROUP}/${SCHEDULE_ID}`)!.ActionAfterCompletion).toBe('DELETE');
    await adapter.put(sampleSchedule({ expression: 'cron(0 6 * * ? *)', actionAfterCompletion: 'DELETE' }));
    expect(state.schedules.get(`${GROUP}/${SCHEDULE_ID}`)!.ActionAfterCompletion).toBe('NONE');
  });

  it("answers EventBridge Scheduler's schedules quota with a 503 that says how to raise it", async () => {
    const { state, adapter } = setup();
    state.quota = 1;
    await adapter.put(sampleSchedule());
    await adapter.put(sampleSchedule()); // an update is never refused by the quota
    const refused = adapter.put(sampleSchedule({ scheduleId: '01HZX5S1C2H3E4D5U6L7E8I9D1' }));
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(refused).rejects.toThrow(/quota of schedules.*Service Quotas/);
    await expect(refused).rejects.toMatchObject({ cause: expect.any(ServiceQuotaExceededException) });
  });

  it('removes the rule of an earlier release after the schedule exists, a missing rule being fine', async () => {
    events = mockClient(EventBridgeClient);
    events.on(RemoveTargetsCommand).resolves({ FailedEntryCount: 0 });
    events.on(DeleteRuleCommand).rejects(new RuleNotFoundException({ message: 'Rule does not exist.', $metadata: {} }));
    const { state, adapter } = setup({ legacyRules: { events: new EventBridgeClient(CLIENT_CONFIG), rulePrefix: 'containerizer-sched-' } });
    await adapter.put(sampleSchedule());
    expect(state.schedules.has(`${GROUP}/${SCHEDULE_ID}`)).toBe(true);
    expect(events.commandCalls(RemoveTargetsCommand)[0]!.args[0].input).toEqual({ Rule: `containerizer-sched-${SCHEDULE_ID}`, Ids: ['scheduled-run'] });
    expect(events.commandCalls(DeleteRuleCommand)[0]!.args[0].input).toEqual({ Name: `containerizer-sched-${SCHEDULE_ID}` });
  });
});

describe('EventBridgeScheduler.remove', () => {
  it('deletes the schedule from the group; one already gone counts as removed', async () => {
    const { state, adapter } = setup();
    await adapter.put(sampleSchedule());
    await adapter.remove(SCHEDULE_ID);
    expect(state.schedules.size).toBe(0);
    await expect(adapter.remove(SCHEDULE_ID)).resolves.toBeUndefined();
  });

  it('passes on other errors', async () => {
    events = mockClient(EventBridgeClient);
    events.on(RemoveTargetsCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform events:RemoveTargets', $metadata: {} }));
    const { adapter } = setup({ legacyRules: { events: new EventBridgeClient(CLIENT_CONFIG), rulePrefix: 'containerizer-sched-' } });
    await expect(adapter.remove(SCHEDULE_ID)).rejects.toThrow('not authorized to perform events:RemoveTargets');
  });
});

describe('the enforcing mock refuses what EventBridge Scheduler refuses', () => {
  it('a name past 64 characters, an unknown group, a bad zone, a window out of range', async () => {
    const { adapter } = setup();
    await expect(adapter.put(sampleSchedule({ scheduleId: 'x'.repeat(65) }))).rejects.toThrow(/failed to satisfy constraint/);
    await expect(
      new EventBridgeScheduler({ scheduler: new SchedulerClient(CLIENT_CONFIG), config: { ...CONFIG, groupName: 'nope' } }).put(sampleSchedule()),
    ).rejects.toThrow(/does not exist/);
    await expect(adapter.put(sampleSchedule({ timeZone: 'Mars/Olympus_Mons' }))).rejects.toThrow(/time zone/);
  });
});
