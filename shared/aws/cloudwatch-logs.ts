/**
 * LogSource on CloudWatch Logs: reads the stream the awslogs driver wrote for a run's task.
 */
import {
  GetLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  ThrottlingException,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Run } from '../domain.js';
import { invalidCursor, ServiceUnavailableError } from '../errors.js';
import type { LogPage, LogSource } from '../ports.js';
import { APP_CONTAINER } from './ecs-events.js';

/** The log group and stream prefix the task definitions' awslogs driver uses (see EcsRuntimeConfig). */
export interface CloudWatchLogSourceConfig {
  logGroupName: string;
  logStreamPrefix: string;
}

/** GetLogEvents returns at most 10,000 events per call (AWS API reference, GetLogEvents `limit`). */
const MAX_LIMIT = 10_000;

/**
 * Reads a run's logs forward with GetLogEvents; the cursor is GetLogEvents' forward token.
 * A page may be empty while later events exist (GetLogEvents' documented behaviour): read on
 * with the returned cursor; the same cursor coming back means no more events yet.
 */
export class CloudWatchLogSource implements LogSource {
  private readonly logs: CloudWatchLogsClient;
  private readonly config: CloudWatchLogSourceConfig;

  constructor({ logs, config }: { logs: CloudWatchLogsClient; config: CloudWatchLogSourceConfig }) {
    this.logs = logs;
    this.config = config;
  }

  /**
   * One page of the log of one container of the run (`container`, default the main one: awslogs
   * writes a stream per container), oldest first, each event naming it. Every event is 'stdout':
   * awslogs merges the container's stdout and stderr into one stream. A run without a task, or whose stream
   * does not exist yet (no output so far), gets an empty page with the cursor unchanged.
   * @throws ClientError 400 naming `cursor` when GetLogEvents refuses it (InvalidParameterException:
   *   a malformed token, or one of another stream), as dev mode's ContainerLogs does.
   * @throws ServiceUnavailableError (503, Retry-After 1 s) when GetLogEvents is still throttled after the
   *   SDK's retries: its quota (10 requests/s per account and Region in several Regions, 25 in most; AWS docs "CloudWatch Logs quotas")
   *   cannot be raised, so callers back off (a follow waits and polls again).
   */
  async read(
    run: Run,
    { container = APP_CONTAINER, ...options }: { cursor?: string; limit: number; startTime?: number; container?: string },
  ): Promise<LogPage> {
    if (!run.taskRef) return { events: [], nextCursor: options.cursor ?? '' };
    // awslogs writes one stream per container: a page is one container's.
    const page = await readLogStream(this.logs, this.config.logGroupName, logStreamName(this.config.logStreamPrefix, run.taskRef, container), options);
    return { ...page, events: page.events.map((event) => ({ ...event, container })) };
  }
}

/**
 * One page of a CloudWatch Logs stream, oldest first, every event 'stdout' (awslogs and
 * CodeBuild both merge stdout and stderr into one stream); the cursor is GetLogEvents' forward
 * token. A stream that does not exist yet gives an empty page with the cursor unchanged.
 * @throws ServiceUnavailableError when CloudWatch Logs throttles (a follow backs off and retries).
 * @throws ClientError 400 naming `cursor` when GetLogEvents refuses it (InvalidParameterException:
 *   a malformed token, or one of another stream), as dev mode's log readers do.
 */
export async function readLogStream(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
  { cursor, limit, startTime }: { cursor?: string; limit: number; startTime?: number },
): Promise<LogPage> {
  try {
    const out = await logs.send(
      new GetLogEventsCommand({
        logGroupName,
        logStreamName,
        // Reading forward from a nextForwardToken requires startFromHead: true.
        startFromHead: true,
        limit: Math.min(limit, MAX_LIMIT),
        ...(cursor ? { nextToken: cursor } : startTime !== undefined && { startTime }),
      }),
    );
    return {
      events: (out.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, stream: 'stdout', message: e.message ?? '' })),
      nextCursor: out.nextForwardToken ?? cursor ?? '',
    };
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return { events: [], nextCursor: cursor ?? '' };
    if (err instanceof ThrottlingException) {
      throw new ServiceUnavailableError('CloudWatch Logs is throttling log reads; try again shortly', { cause: err, retryAfterSeconds: 1 });
    }
    // With a cursor, the token is the only parameter a caller chose; the others are the stack's.
    if (cursor && err instanceof InvalidParameterException) throw invalidCursor(err);
    throw err;
  }
}

/**
 * The awslogs stream of a task's container (default the main one): `prefix/container-name/ecs-task-id`
 * (AWS docs, awslogs-stream-prefix:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html). The task id is
 * the last segment of the task ARN (arn:aws:ecs:region:account:task/cluster/task-id).
 */
export function logStreamName(prefix: string, taskArn: string, container = APP_CONTAINER): string {
  return `${prefix}/${container}/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
}
