/**
 * The cloud's end of retention for logs: DynamoDB's TTL deletes an expired run item, the
 * table's stream carries that delete (with the item's old image) to the run-expiry function,
 * and this removes the run's CloudWatch Logs stream. The run's results and metric points
 * carry their own TTL (services/result-rules.ts), so only the log stream needs a hand.
 */
import { DeleteLogStreamCommand, ResourceNotFoundException, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogSourceConfig } from './cloudwatch-logs.js';
import { logStreamName } from './cloudwatch-logs.js';

/**
 * One record of a DynamoDB stream as Lambda delivers it (AWS docs, "DynamoDB Streams and Time
 * to Live": a TTL delete is a REMOVE whose userIdentity is the service dynamodb.amazonaws.com),
 * the fields used here; images are in DynamoDB's attribute-value JSON.
 */
export interface StreamRecord {
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: { OldImage?: Record<string, { S?: string }> };
}

/** The task of a run item TTL deleted, or undefined for any other record (a user's delete, another kind of item, a run that never launched). */
export function expiredRunTask(record: StreamRecord, runSortKey: string): string | undefined {
  const byTtl = record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';
  const image = record.dynamodb?.OldImage;
  return byTtl && image?.sk?.S === runSortKey ? image.taskRef?.S : undefined;
}

/** Deletes a task's log stream (DeleteLogStream); one already gone is fine. */
export async function deleteRunLogStream(logs: CloudWatchLogsClient, config: CloudWatchLogSourceConfig, taskArn: string): Promise<void> {
  try {
    await logs.send(new DeleteLogStreamCommand({ logGroupName: config.logGroupName, logStreamName: logStreamName(config.logStreamPrefix, taskArn) }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
}
