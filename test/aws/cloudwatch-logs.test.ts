import { describe, it, expect } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, GetLogEventsCommand, InvalidParameterException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { ClientError } from '../../shared/errors.js';
import { CloudWatchLogSource, logStreamName } from '../../shared/aws/cloudwatch-logs.js';
import { CLIENT_CONFIG, TASK_ARN, TASK_ID, THROTTLED, sampleRun, stubHttp } from './fixtures.js';

const CONFIG = { logGroupName: '/containerizer/runs', logStreamPrefix: 'run' };
const STREAM = `run/app/${TASK_ID}`;
const RUN = sampleRun({ status: 'RUNNING', taskRef: TASK_ARN });
const FIRST_TOKEN = 'f/38237403982730982734098273409827340982734098273409827/s';
const SECOND_TOKEN = 'f/38237403982730982734098273409827340982734098273409830/s';

function setup() {
  const logs = new CloudWatchLogsClient(CLIENT_CONFIG);
  return { mock: mockClient(logs), source: new CloudWatchLogSource({ logs, config: CONFIG }) };
}

describe('CloudWatchLogSource.read', () => {
  it("reads the first page from the head of the task's stream, from startTime", async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1714564841000, message: 'hello', ingestionTime: 1714564842000 },
        { timestamp: 1714564841500, message: 'sh: exit 3', ingestionTime: 1714564842000 },
      ],
      nextForwardToken: FIRST_TOKEN,
      nextBackwardToken: 'b/38237403982730982734098273409827340982734098273409827/s',
    });
    const page = await source.read(RUN, { limit: 100, startTime: 1714564800000 });
    expect(mock.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toEqual({
      logGroupName: '/containerizer/runs',
      logStreamName: STREAM,
      startFromHead: true,
      limit: 100,
      startTime: 1714564800000,
    });
    expect(page).toEqual({
      events: [
        { timestamp: 1714564841000, container: 'app', stream: 'stdout', message: 'hello' },
        { timestamp: 1714564841500, container: 'app', stream: 'stdout', message: 'sh: exit 3' },
      ],
      nextCursor: FIRST_TOKEN,
    });
  });

  it('reads on from the cursor, without startTime', async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1714564843000, message: 'done' }], nextForwardToken: SECOND_TOKEN });
    const page = await source.read(RUN, { cursor: FIRST_TOKEN, limit: 100, startTime: 1714564800000 });
    expect(mock.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toEqual({
      logGroupName: '/containerizer/runs',
      logStreamName: STREAM,
      startFromHead: true,
      limit: 100,
      nextToken: FIRST_TOKEN,
    });
    expect(page.nextCursor).toBe(SECOND_TOKEN);
  });

  it('returns the same cursor when GetLogEvents hands back the token it was sent (no more events yet)', async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: SECOND_TOKEN });
    expect(await source.read(RUN, { cursor: SECOND_TOKEN, limit: 100 })).toEqual({ events: [], nextCursor: SECOND_TOKEN });
    expect(await source.read(RUN, { cursor: SECOND_TOKEN, limit: 100 })).toEqual({ events: [], nextCursor: SECOND_TOKEN });
  });

  it('caps the limit at the 10,000 events GetLogEvents allows', async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: FIRST_TOKEN });
    await source.read(RUN, { limit: 50_000 });
    expect(mock.commandCalls(GetLogEventsCommand)[0]!.args[0].input.limit).toBe(10_000);
  });

  it('returns an empty page with the cursor unchanged while the stream does not exist yet', async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).rejects(new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }));
    expect(await source.read(RUN, { limit: 100 })).toEqual({ events: [], nextCursor: '' });
    expect(await source.read(RUN, { cursor: FIRST_TOKEN, limit: 100 })).toEqual({ events: [], nextCursor: FIRST_TOKEN });
  });

  it('returns an empty page for a run that has no task yet, without calling AWS', async () => {
    const { mock, source } = setup();
    expect(await source.read(sampleRun(), { cursor: FIRST_TOKEN, limit: 100 })).toEqual({ events: [], nextCursor: FIRST_TOKEN });
    expect(mock.calls()).toHaveLength(0);
  });

  it.each([
    ['malformed', 'not-a-token'],
    ["another stream's", 'f/38237403982730982734098273409827340982734098273409999/s'],
  ])('answers a %s cursor with a 400 naming the cursor field, keeping the AWS error as cause', async (_kind, cursor) => {
    const { mock, source } = setup();
    // GetLogEvents refuses a nextToken it did not issue for this stream.
    const refusal = new InvalidParameterException({ message: 'The specified nextToken is invalid.', $metadata: { httpStatusCode: 400 } });
    mock.on(GetLogEventsCommand, { nextToken: cursor }).rejects(refusal);

    const error = await source.read(RUN, { cursor, limit: 100 }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({
      name: 'ClientError',
      status: 400,
      errors: [{ field: 'cursor', message: 'not a cursor returned by this API' }],
      cause: refusal,
    });
  });

  it('passes on an InvalidParameterException when no cursor was sent (the stack is misconfigured, not the caller)', async () => {
    const { mock, source } = setup();
    const refusal = new InvalidParameterException({ message: '1 validation error detected', $metadata: { httpStatusCode: 400 } });
    mock.on(GetLogEventsCommand).rejects(refusal);
    await expect(source.read(RUN, { limit: 100 })).rejects.toBe(refusal);
  });

  it('passes on other errors', async () => {
    const { mock, source } = setup();
    mock.on(GetLogEventsCommand).rejects(new Error('AccessDeniedException: not authorized to perform logs:GetLogEvents'));
    await expect(source.read(RUN, { limit: 100 })).rejects.toThrow('logs:GetLogEvents');
  });

  it('lets the SDK retry a throttled GetLogEvents', async () => {
    const http = stubHttp([THROTTLED, { statusCode: 200, body: { events: [{ timestamp: 1714564841000, message: 'hello' }], nextForwardToken: FIRST_TOKEN } }]);
    const logs = new CloudWatchLogsClient({ ...CLIENT_CONFIG, maxAttempts: 2, requestHandler: http.handler });
    const page = await new CloudWatchLogSource({ logs, config: CONFIG }).read(RUN, { limit: 100 });
    expect(page).toEqual({ events: [{ timestamp: 1714564841000, container: 'app', stream: 'stdout', message: 'hello' }], nextCursor: FIRST_TOKEN });
    expect(http.requests).toHaveLength(2);
  });
});

describe('logStreamName', () => {
  it('is prefix/app/task-id, for both ARN formats', () => {
    expect(logStreamName('run', TASK_ARN)).toBe(STREAM);
    expect(logStreamName('run', `arn:aws:ecs:us-east-1:111122223333:task/${TASK_ID}`)).toBe(STREAM);
  });
});
