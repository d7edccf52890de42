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
   *   SDK's retries: its quota (25 requests/s per account and Region, AWS docs "CloudWatch Logs quotas")
   *   cannot be raised, so callers back off (a follow waits and polls again).
   */
  async read(
    run: Run,
    { cursor, limit, startTime, container = APP_CONTAINER }: { cursor?: string; limit: number; startTime?: number; container?: string },
  ): Promise<LogPage> {
    const empty: LogPage = { events: [], nextCursor: cursor ?? '' };
    if (!run.taskRef) return empty;
    try {
      const out = await this.logs.send(
        new GetLogEventsCommand({
          logGroupName: this.config.logGroupName,
          logStreamName: logStreamName(this.config.logStreamPrefix, run.taskRef, container),
          // Reading forward from a nextForwardToken requires startFromHead: true.
          startFromHead: true,
          limit: Math.min(limit, MAX_LIMIT),
          ...(cursor ? { nextToken: cursor } : startTime !== undefined && { startTime }),
        }),
      );
      return {
        events: (out.events ?? []).map((e) => ({ timestamp: e.timestamp ?? 0, container, stream: 'stdout', message: e.message ?? '' })),
        nextCursor: out.nextForwardToken ?? cursor ?? '',
      };
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return empty;
      if (err instanceof ThrottlingException) {
        throw new ServiceUnavailableError('CloudWatch Logs is throttling log reads; try again shortly', { cause: err, retryAfterSeconds: 1 });
      }
      // With a cursor, the token is the only parameter a caller chose; the others are the stack's.
      if (cursor && err instanceof InvalidParameterException) throw invalidCursor(err);
      throw err;
    }
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
