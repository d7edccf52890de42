/** A CodeBuild build's log read from CloudWatch Logs: the stream of its build id, paged forward by token. */
import { CloudWatchLogsClient, GetLogEventsCommand, InvalidParameterException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeBuildLogs } from '../../shared/aws/codebuild-logs.js';
import { ClientError } from '../../shared/errors.js';
import { codeBuildId } from './build-event-fixtures.js';
import { CLIENT_CONFIG } from './fixtures.js';

const mock = mockClient(CloudWatchLogsClient);
const logs = new CodeBuildLogs({ logs: new CloudWatchLogsClient(CLIENT_CONFIG), logGroupName: '/containerizer/builds' });
afterEach(() => mock.reset());

describe('CodeBuildLogs', () => {
  it("reads the build's stream forward from the head, then from the returned token", async () => {
    mock
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: 1, message: 'Step 1/2 : FROM busybox' }], nextForwardToken: 'f/1' })
      .resolves({ events: [], nextForwardToken: 'f/1' });
    const first = await logs.read(codeBuildId('b1'), { limit: 50 });
    expect(first).toEqual({ events: [{ timestamp: 1, stream: 'stdout', message: 'Step 1/2 : FROM busybox' }], nextCursor: 'f/1' });
    expect(await logs.read(codeBuildId('b1'), { cursor: first.nextCursor, limit: 50 })).toEqual({ events: [], nextCursor: 'f/1' });
    expect(mock.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input)).toEqual([
      { logGroupName: '/containerizer/builds', logStreamName: 'b1', startFromHead: true, limit: 50 },
      { logGroupName: '/containerizer/builds', logStreamName: 'b1', startFromHead: true, limit: 50, nextToken: 'f/1' },
    ]);
  });

  it('gives an empty page before the build has a stream or an id, and a 400 for a foreign cursor', async () => {
    expect(await logs.read(undefined, { limit: 10 })).toEqual({ events: [], nextCursor: '' });
    mock.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));
    expect(await logs.read(codeBuildId('b2'), { limit: 10, cursor: 'f/9' })).toEqual({ events: [], nextCursor: 'f/9' });
    mock.on(GetLogEventsCommand).rejects(new InvalidParameterException({ message: 'The specified nextToken is invalid.', $metadata: {} }));
    await expect(logs.read(codeBuildId('b2'), { limit: 10, cursor: 'nope' })).rejects.toBeInstanceOf(ClientError);
    expect(mock.commandCalls(GetLogEventsCommand)).toHaveLength(2);
  });
});
