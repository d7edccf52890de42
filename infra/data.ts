import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import { INDEXES, KEY, TTL_ATTRIBUTE } from '../shared/table.js';
import { FINAL_INDEX_STEP, indexesAt } from '../shared/table-indexes.js';

/**
 * The single DynamoDB table, built from the key design in shared/table.ts so dev mode
 * (dynalite) and the cloud share one definition: on-demand billing, point-in-time recovery,
 * the TTL attribute for finished runs (with a stream of old images for run-expiry), and the GSIs of
 * step `tableIndexStep` of the index upgrade (shared/table-indexes.ts: each projects what its
 * listings' Queries evaluate; default the last step, which a new deployment starts at).
 * Retained when the stack is deleted: it holds the run history. Finished runs and fire records
 * expire after `finishedRunTtlDays` (the deployment's setting, passed to every function).
 */
export class Data extends Construct {
  /** The table; each ContainerizerFunction is granted its item and query actions on it. */
  readonly table: Table;
  /** What every function needs to write runs: TABLE_NAME and FINISHED_RUN_TTL_DAYS. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: { readonly finishedRunTtlDays: number; readonly tableIndexStep?: number }) {
    super(scope, id);
    const tableIndexStep = props.tableIndexStep ?? FINAL_INDEX_STEP;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: KEY.pk, type: AttributeType.STRING },
      sortKey: { name: KEY.sk, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // Old images of deleted items, so TTL deletes of runs can remove their log streams (infra/run-expiry.ts).
      stream: StreamViewType.OLD_IMAGE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const { name, serves, projection } of indexesAt(tableIndexStep)) {
      const [partitionKey, sortKey] = INDEXES[serves];
      this.table.addGlobalSecondaryIndex({
        indexName: name,
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        sortKey: { name: sortKey, type: AttributeType.STRING },
        ...(projection === 'ALL' ? { projectionType: ProjectionType.ALL } : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection] }),
      });
    }
    this.environment = {
      [ENV.TABLE_NAME]: this.table.tableName,
      [ENV.FINISHED_RUN_TTL_DAYS]: String(props.finishedRunTtlDays),
      [ENV.TABLE_INDEX_STEP]: String(tableIndexStep),
    };
  }
}
