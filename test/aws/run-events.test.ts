import { describe, it, expect } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgeRunEventPublisher } from '../../shared/aws/run-events.js';
import { APP_ID, CLIENT_CONFIG, RUN_ID, TASK_ARN, sampleRun } from './fixtures.js';

const FINISHED = sampleRun({
  status: 'FAILED',
  taskRef: TASK_ARN,
  exitCode: 3,
  stoppedReason: 'Essential container in task exited',
  startedAt: '2024-05-01T12:00:40.456Z',
  stoppedAt: '2024-05-01T12:01:12.789Z',
  durationMs: 32333,
});

function setup(config?: { eventBusName?: string }) {
  const events = new EventBridgeClient(CLIENT_CONFIG);
  const mock = mockClient(events);
  mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '6f2d9a1c-0b3e-4d5f-8a7b-9c0d1e2f3a4b' }] });
  return { mock, publisher: new EventBridgeRunEventPublisher({ events, ...(config && { config }) }) };
}

describe('EventBridgeRunEventPublisher.publish', () => {
  it('puts one "Run State Change" event on the default bus, with the outcome and without the env', async () => {
    const { mock, publisher } = setup();
    await publisher.publish(FINISHED);
    const input = mock.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input).toEqual({
      Entries: [
        {
          Source: 'containerizer',
          DetailType: 'Run State Change',
          EventBusName: 'default',
          Detail: expect.any(String),
          Resources: [],
        },
      ],
    });
    const detail = input.Entries![0]!.Detail!;
    expect(JSON.parse(detail)).toEqual({
      runId: RUN_ID,
      appId: APP_ID,
      appName: 'nightly-report',
      ownerId: 'user-1',
      status: 'FAILED',
      exitCode: 3,
      stoppedReason: 'Essential container in task exited',
      trigger: 'manual',
      attempt: 1,
      createdAt: '2024-05-01T12:00:00.000Z',
      startedAt: '2024-05-01T12:00:40.456Z',
      stoppedAt: '2024-05-01T12:01:12.789Z',
      durationMs: 32333,
    });
    expect(detail).not.toContain('s3cr3t');
  });

  it('uses the configured bus', async () => {
    const { mock, publisher } = setup({ eventBusName: 'containerizer' });
    await publisher.publish(FINISHED);
    expect(mock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('containerizer');
  });

  it('throws when EventBridge rejects the entry', async () => {
    const { mock, publisher } = setup();
    mock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    await expect(publisher.publish(FINISHED)).rejects.toMatchObject({
      name: 'AwsOperationError',
      operation: 'PutEvents',
      message: `PutEvents rejected the run event of ${RUN_ID}: ThrottlingException: Rate exceeded`,
    });
  });
});
