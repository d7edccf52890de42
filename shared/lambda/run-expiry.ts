/**
 * The run-expiry function: the table's stream, filtered to TTL deletes of run items (infra),
 * → the expired runs' log streams deleted (shared/aws/run-log-expiry.ts).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogSourceConfig } from '../aws/cloudwatch-logs.js';
import { deleteRunLogStream, expiredRunTask, type StreamRecord } from '../aws/run-log-expiry.js';
import { keys } from '../table.js';
import { withLambdaContext } from './context.js';

const RUN_SORT_KEY = keys.run('').sk;

/** The handler: every record of the batch is looked at; a failure fails the batch, which Lambda retries. */
export function runExpiryHandler(logs: CloudWatchLogsClient, config: CloudWatchLogSourceConfig) {
  return withLambdaContext(async (event: { Records: StreamRecord[] }): Promise<void> => {
    for (const record of event.Records) {
      const taskArn = expiredRunTask(record, RUN_SORT_KEY);
      if (taskArn) await deleteRunLogStream(logs, config, taskArn);
    }
  });
}
