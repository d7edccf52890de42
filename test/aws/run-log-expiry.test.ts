import { CloudWatchLogsClient, DeleteLogStreamCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runExpiryHandler } from '../../shared/lambda/run-expiry.js';
import type { StreamRecord } from '../../shared/aws/run-log-expiry.js';
import { TASK_ARN, TASK_ID } from './fixtures.js';

const logs = mockClient(CloudWatchLogsClient);
afterEach(() => logs.reset());

const CONFIG = { logGroupName: '/containerizer/runs', logStreamPrefix: 'run' };
const TTL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

function removed(image: Record<string, string>, userIdentity?: StreamRecord['userIdentity']): StreamRecord {
  return { eventName: 'REMOVE', userIdentity, dynamodb: { OldImage: Object.fromEntries(Object.entries(image).map(([k, v]) => [k, { S: v }])) } };
}

describe('run-expiry', () => {
  it("deletes the log stream of each run item DynamoDB's TTL removed, and nothing else", async () => {
    logs.on(DeleteLogStreamCommand).resolves({});
    await runExpiryHandler(
      new CloudWatchLogsClient({ region: 'us-east-1' }),
      CONFIG,
    )({
      Records: [
        removed({ pk: 'RUN#r1', sk: 'RUN', taskRef: TASK_ARN }, TTL),
        removed({ pk: 'RUN#r2', sk: 'RUN', taskRef: 'arn:aws:ecs:us-east-1:1:task/c/other' }), // a user's delete
        removed({ pk: 'RUN#r1', sk: 'RESULT#01', taskRef: TASK_ARN }, TTL), // a satellite
        removed({ pk: 'RUN#r3', sk: 'RUN' }, TTL), // never launched
        { eventName: 'MODIFY', userIdentity: TTL },
      ],
    });
    expect(logs.commandCalls(DeleteLogStreamCommand).map((c) => c.args[0].input)).toEqual([
      { logGroupName: '/containerizer/runs', logStreamName: `run/app/${TASK_ID}` },
    ]);
  });

  it('deletes the stream of every container of a run with sidecars (awslogs writes one per container)', async () => {
    logs.on(DeleteLogStreamCommand).resolves({});
    const sidecar = (name: string) => ({ M: { name: { S: name }, image: { S: 'public.ecr.aws/docker/library/busybox:1.36' } } });
    const record: StreamRecord = {
      eventName: 'REMOVE',
      userIdentity: TTL,
      dynamodb: { OldImage: { pk: { S: 'RUN#r1' }, sk: { S: 'RUN' }, taskRef: { S: TASK_ARN }, sidecars: { L: [sidecar('proxy'), sidecar('metrics')] } } },
    };
    await runExpiryHandler(new CloudWatchLogsClient({ region: 'us-east-1' }), CONFIG)({ Records: [record] });
    expect(logs.commandCalls(DeleteLogStreamCommand).map((c) => c.args[0].input.logStreamName)).toEqual([
      `run/app/${TASK_ID}`,
      `run/proxy/${TASK_ID}`,
      `run/metrics/${TASK_ID}`,
    ]);
  });

  it('takes a stream that is gone already as done', async () => {
    logs.on(DeleteLogStreamCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));
    await expect(
      runExpiryHandler(new CloudWatchLogsClient({ region: 'us-east-1' }), CONFIG)({ Records: [removed({ sk: 'RUN', taskRef: TASK_ARN }, TTL)] }),
    ).resolves.toBeUndefined();
  });
});
