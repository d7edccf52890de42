/**
 * The run-expiry function: the table's stream, filtered to TTL deletes of run items (infra),
 * → the expired runs' log streams (one per container) deleted (shared/aws/run-log-expiry.ts).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogSourceConfig } from '../aws/cloudwatch-logs.js';
import { deleteRunLogStreams, expiredRun, type StreamRecord } from '../aws/run-log-expiry.js';
import { keys } from '../table.js';
import { withLambdaContext } from './context.js';

const RUN_SORT_KEY = keys.run('').sk;

/** The handler: every record of the batch is looked at; a failure fails the batch, which Lambda retries. */
export function runExpiryHandler(logs: CloudWatchLogsClient, config: CloudWatchLogSourceConfig) {
  return withLambdaContext(async (event: { Records: StreamRecord[] }): Promise<void> => {
    for (const record of event.Records) {
      const run = expiredRun(record, RUN_SORT_KEY);
      if (run) await deleteRunLogStreams(logs, config, run);
    }
  });
}
