import { describe, it, expect } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedException,
  DeleteRuleCommand,
  EventBridgeClient,
  LimitExceededException,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import type { Schedule } from '../../shared/domain.js';
import { EventBridgeScheduler, ruleName } from '../../shared/aws/eventbridge-scheduler.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { SCHEDULE_DEFAULTS } from '../../shared/schemas.js';
import { APP_ID, CLIENT_CONFIG, THROTTLED, awsLimits, stubHttp } from './fixtures.js';

const SCHEDULE_ID = '01HZX5S1C2H3E4D5U6L7E8I9D0';
const RULE = `containerizer-sched-${SCHEDULE_ID}`;
const TARGET_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:containerizer-scheduled-run';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:111122223333:containerizer-schedule-dlq';
const CONFIG = { rulePrefix: 'containerizer-sched-', targetArn: TARGET_ARN, deadLetterQueueArn: DLQ_ARN };

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

function setup() {
  const events = new EventBridgeClient(CLIENT_CONFIG);
  const mock = mockClient(events);
  mock.on(PutRuleCommand).resolves({ RuleArn: `arn:aws:events:us-east-1:111122223333:rule/${RULE}` });
  mock.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  mock.on(RemoveTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });
  mock.on(DeleteRuleCommand).resolves({});
  return { mock, scheduler: new EventBridgeScheduler({ events, config: CONFIG }) };
}

const notFound = () => new ResourceNotFoundException({ message: `Rule ${RULE} does not exist.`, $metadata: {} });

describe('EventBridgeScheduler.put', () => {
  it('puts an enabled rule with the schedule expression, then its one target', async () => {
    const { mock, scheduler } = setup();
    await scheduler.put(sampleSchedule());
    expect(mock.commandCalls(PutRuleCommand)[0]!.args[0].input).toEqual({
      Name: RULE,
      ScheduleExpression: 'cron(0 6 * * ? *)',
      State: 'ENABLED',
      Description: `Containerizer schedule ${SCHEDULE_ID} of app ${APP_ID}`,
    });
    expect(mock.commandCalls(PutTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: RULE,
      Targets: [
        {
          Id: 'scheduled-run',
          Arn: TARGET_ARN,
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: DLQ_ARN },
          InputTransformer: {
            InputPathsMap: { time: '$.time' },
            InputTemplate: `{"scheduleId":"${SCHEDULE_ID}","scheduledTime":<time>}`,
          },
        },
      ],
    });
    const calls = mock.calls().map((c) => c.args[0].constructor.name);
    expect(calls).toEqual(['PutRuleCommand', 'PutTargetsCommand']);
  });

  it('gives the target the schedule id and the fire time, as EventBridge fills the template', async () => {
    const { mock, scheduler } = setup();
    await scheduler.put(sampleSchedule());
    const transformer = mock.commandCalls(PutTargetsCommand)[0]!.args[0].input.Targets![0]!.InputTransformer!;
    // EventBridge replaces an unquoted placeholder by the JSON value at the path.
    const scheduledEvent = { time: '2024-05-02T06:00:00Z' };
    const input = transformer.InputTemplate!.replace('<time>', JSON.stringify(scheduledEvent.time));
    expect(JSON.parse(input)).toEqual({ scheduleId: SCHEDULE_ID, scheduledTime: '2024-05-02T06:00:00Z' });
  });

  it('puts a disabled schedule as a DISABLED rule', async () => {
    const { mock, scheduler } = setup();
    await scheduler.put(sampleSchedule({ enabled: false, expression: 'rate(5 minutes)' }));
    expect(mock.commandCalls(PutRuleCommand)[0]!.args[0].input).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED' });
  });

  it('throws when EventBridge rejects the target', async () => {
    const { mock, scheduler } = setup();
    mock.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [{ TargetId: 'scheduled-run', ErrorCode: 'ValidationException', ErrorMessage: 'Invalid InputTemplate' }],
    });
    await expect(scheduler.put(sampleSchedule())).rejects.toThrow(`PutTargets failed for rule ${RULE}: ValidationException: Invalid InputTemplate`);
  });

  it("answers EventBridge's rules-per-bus quota with a 503 that says how to raise it, the rule count enforced as EventBridge does", async () => {
    const { mock, scheduler } = setup();
    const rules = new Set<string>();
    mock.on(PutRuleCommand).callsFake(({ Name }: { Name: string }) => {
      if (!rules.has(Name) && rules.size >= awsLimits.RULES_PER_BUS) {
        throw new LimitExceededException({ message: 'The requested resource exceeds the maximum number allowed.', $metadata: {} });
      }
      rules.add(Name);
      return { RuleArn: `arn:aws:events:us-east-1:111122223333:rule/${Name}` };
    });
    // Other rules on the same bus count too: 299 are there already.
    for (let i = 0; i < awsLimits.RULES_PER_BUS - 1; i++) rules.add(`someone-elses-rule-${i}`);
    await scheduler.put(sampleSchedule());
    await scheduler.put(sampleSchedule()); // an update of an existing rule is never refused
    const refused = scheduler.put(sampleSchedule({ scheduleId: '01HZX5S1C2H3E4D5U6L7E8I9D1' }));
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(refused).rejects.toThrow(/quota of rules on the default event bus.*Service Quotas/);
    await expect(refused).rejects.toMatchObject({ cause: expect.any(LimitExceededException) });
  });

  it('lets the SDK retry a throttled PutRule', async () => {
    const http = stubHttp([
      THROTTLED,
      { statusCode: 200, body: { RuleArn: `arn:aws:events:us-east-1:111122223333:rule/${RULE}` } },
      { statusCode: 200, body: { FailedEntryCount: 0, FailedEntries: [] } },
    ]);
    const events = new EventBridgeClient({ ...CLIENT_CONFIG, maxAttempts: 2, requestHandler: http.handler });
    await new EventBridgeScheduler({ events, config: CONFIG }).put(sampleSchedule());
    expect(http.requests.map((r) => r.target)).toEqual(['AWSEvents.PutRule', 'AWSEvents.PutRule', 'AWSEvents.PutTargets']);
  });
});

describe('EventBridgeScheduler.remove', () => {
  it('removes the target, then deletes the rule', async () => {
    const { mock, scheduler } = setup();
    await scheduler.remove(SCHEDULE_ID);
    expect(mock.commandCalls(RemoveTargetsCommand)[0]!.args[0].input).toEqual({ Rule: RULE, Ids: ['scheduled-run'] });
    expect(mock.commandCalls(DeleteRuleCommand)[0]!.args[0].input).toEqual({ Name: RULE });
    expect(mock.calls().map((c) => c.args[0].constructor.name)).toEqual(['RemoveTargetsCommand', 'DeleteRuleCommand']);
  });

  it('treats a rule that is already gone as removed', async () => {
    const { mock, scheduler } = setup();
    mock.on(RemoveTargetsCommand).rejects(notFound());
    mock.on(DeleteRuleCommand).rejects(notFound());
    await expect(scheduler.remove(SCHEDULE_ID)).resolves.toBeUndefined();
    expect(mock.commandCalls(DeleteRuleCommand)).toHaveLength(1);
  });

  it('passes on other errors', async () => {
    const { mock, scheduler } = setup();
    mock.on(DeleteRuleCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform events:DeleteRule', $metadata: {} }));
    await expect(scheduler.remove(SCHEDULE_ID)).rejects.toThrow('not authorized to perform events:DeleteRule');
  });
});

describe('ruleName', () => {
  it('prefixes the schedule id', () => {
    expect(ruleName('containerizer-sched-', SCHEDULE_ID)).toBe(RULE);
  });
});
