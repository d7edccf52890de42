/**
 * The cloud's end of retention for logs: DynamoDB's TTL deletes an expired run item, the
 * table's stream carries that delete (with the item's old image) to the run-expiry function,
 * and this removes the run's CloudWatch Logs stream. The run's results and metric points
 * carry their own TTL (rules/result-rules.ts), so only the log stream needs a hand.
 */
import { DeleteLogStreamCommand, ResourceNotFoundException, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogSourceConfig } from './cloudwatch-logs.js';
import { logStreamName } from './cloudwatch-logs.js';
import { APP_CONTAINER } from './ecs-events.js';

/** One attribute of an old image, in DynamoDB's attribute-value JSON, as far as it is read here. */
interface AttributeValue {
  S?: string;
  L?: AttributeValue[];
  M?: Record<string, AttributeValue>;
}

/**
 * One record of a DynamoDB stream as Lambda delivers it (AWS docs, "DynamoDB Streams and Time
 * to Live": a TTL delete is a REMOVE whose userIdentity is the service dynamodb.amazonaws.com),
 * the fields used here; images are in DynamoDB's attribute-value JSON.
 */
export interface StreamRecord {
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: { OldImage?: Record<string, AttributeValue> };
}

/** What a TTL-deleted run left in CloudWatch Logs: its task, and the containers that each wrote a stream (the main one and its sidecars). */
export interface ExpiredRun {
  taskArn: string;
  containers: string[];
}

/**
 * The task and containers of a run item TTL deleted, or undefined for any other record (a user's
 * delete, another kind of item, a run that never launched). awslogs writes one stream per
 * container, so a run with sidecars has several.
 */
export function expiredRun(record: StreamRecord, runSortKey: string): ExpiredRun | undefined {
  const byTtl = record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';
  const image = record.dynamodb?.OldImage;
  const taskArn = byTtl && image?.sk?.S === runSortKey ? image.taskRef?.S : undefined;
  if (!taskArn) return undefined;
  const sidecars = (image?.sidecars?.L ?? []).flatMap((sidecar) => sidecar.M?.name?.S ?? []);
  return { taskArn, containers: [APP_CONTAINER, ...sidecars] };
}

/** Deletes the log stream of each of the run's containers (DeleteLogStream); one already gone is fine. */
export async function deleteRunLogStreams(logs: CloudWatchLogsClient, config: CloudWatchLogSourceConfig, run: ExpiredRun): Promise<void> {
  for (const container of run.containers) {
    try {
      await logs.send(
        new DeleteLogStreamCommand({ logGroupName: config.logGroupName, logStreamName: logStreamName(config.logStreamPrefix, run.taskArn, container) }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }
}
