/**
 * A CodeBuild build's log on CloudWatch Logs, in the platform's log shape: the project logs to
 * one group (BUILD_LOG_GROUP_NAME), one stream per build named by the build id's last part.
 * The read half of the cloud ImageBuilder.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LogPage } from '../ports.js';
import { codeBuildLogStream } from './build-events.js';
import { readLogStream } from './cloudwatch-logs.js';

export class CodeBuildLogs {
  constructor(private readonly options: { logs: CloudWatchLogsClient; logGroupName: string }) {}

  /**
   * One page of the build's log, oldest first, the cursor GetLogEvents' forward token. A build
   * not started yet (no build id) or without output so far gives an empty page, the cursor unchanged.
   * @throws ClientError 400 naming `cursor` when CloudWatch Logs refuses it.
   */
  read(buildRef: string | undefined, options: { cursor?: string; limit: number }): Promise<LogPage> {
    if (!buildRef) return Promise.resolve({ events: [], nextCursor: options.cursor ?? '' });
    return readLogStream(this.options.logs, this.options.logGroupName, codeBuildLogStream(buildRef), options);
  }
}
