import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import { keys } from '../shared/table.js';
import type { Data } from './data.js';
import { alarmedDeadLetterQueue } from './events.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/** Props of {@link RunExpiry}. */
export interface RunExpiryProps {
  /** The data; its table must have a stream with old images (infra/data.ts). */
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly logRetention: RetentionDays;
}

/**
 * Retention's cloud half beyond TTL: the table's stream, filtered at the event source mapping
 * to DynamoDB's own TTL deletes of run items (AWS docs, "DynamoDB Streams and Time to Live":
 * userIdentity principalId dynamodb.amazonaws.com), → the run-expiry function, which deletes
 * each expired run's CloudWatch Logs stream. The filter means the function is invoked for
 * nothing else; a failing batch is retried, then split, and a record that still fails (or is a
 * day old) is described in a dead-letter queue with an alarm, so its log streams can be deleted by hand.
 * The function reads nothing from the table: the record's old image names the task and its containers.
 */
export class RunExpiry extends Construct {
  readonly function: ContainerizerFunction;
  /** Where the event source mapping puts records it gave up on (their stream position, not the items). */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RunExpiryProps) {
    super(scope, id);
    const { runtime } = props;
    this.function = new ContainerizerFunction(this, 'Function', {
      entryPoint: 'run-expiry',
      description: 'Containerizer: deletes the log streams of runs whose retention has passed',
      data: props.data,
      tableAccess: 'none',
      logRetention: props.logRetention,
      environment: { [ENV.LOG_GROUP_NAME]: runtime.environment[ENV.LOG_GROUP_NAME]!, [ENV.LOG_STREAM_PREFIX]: runtime.environment[ENV.LOG_STREAM_PREFIX]! },
    });
    runtime.logGroup.grant(this.function, 'logs:DeleteLogStream');
    this.deadLetterQueue = alarmedDeadLetterQueue(this, 'DeadLetterQueue').queue;
    this.function.addEventSource(
      new DynamoEventSource(props.data.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.deadLetterQueue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('REMOVE'),
            userIdentity: { type: FilterRule.isEqual('Service'), principalId: FilterRule.isEqual('dynamodb.amazonaws.com') },
            dynamodb: { OldImage: { sk: { S: FilterRule.isEqual(keys.run('').sk) } } },
          }),
        ],
      }),
    );
  }
}
