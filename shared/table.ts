/**
 * The single DynamoDB table: key attributes, indexes and key builders.
 * Both the dev-mode bootstrap (dynalite) and the CDK stack build the table from these names.
 *
 * Access patterns (all GetItem or Query, never Scan):
 * - an item by id: pk = `<KIND>#<id>`, sk = `<KIND>` (app versions: sk = `VERSION#<n>`)
 * - children of a parent, newest first (apps of an owner, runs/schedules of an app): index `byParent`
 * - runs/schedules of an owner across apps, by time: index `byOwner`
 * - everything of a kind, for admins and start-up loads: index `byKind`
 * - active runs, for timeouts and reconciliation: sparse index `active`
 * Ids are ULIDs, so sorting by id sorts by creation time.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const KEY = { pk: 'pk', sk: 'sk' } as const;

/** Global secondary indexes: name → [partition key attribute, sort key attribute]. */
export const INDEXES = {
  byParent: ['gsi1pk', 'gsi1sk'],
  byOwner: ['gsi2pk', 'gsi2sk'],
  byKind: ['gsi3pk', 'gsi3sk'],
  active: ['activePk', 'activeSk'],
} as const;

export type IndexName = keyof typeof INDEXES;

/** Epoch seconds after which DynamoDB's TTL may delete the item (finished runs only). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Partition value of the sparse `active` index. */
export const ACTIVE = 'ACTIVE';

export const keys = {
  user: (email: string) => ({ pk: `USER#${email}`, sk: 'USER' }),
  refreshToken: (jti: string) => ({ pk: `REFRESH#${jti}`, sk: 'REFRESH' }),
  app: (appId: string) => ({ pk: `APP#${appId}`, sk: 'APP' }),
  appVersion: (appId: string, version: number) => ({ pk: `APP#${appId}`, sk: `VERSION#${String(version).padStart(6, '0')}` }),
  appName: (ownerId: string, name: string) => ({ pk: `APPNAME#${ownerId}#${name}`, sk: 'APPNAME' }),
  run: (runId: string) => ({ pk: `RUN#${runId}`, sk: 'RUN' }),
  schedule: (scheduleId: string) => ({ pk: `SCHEDULE#${scheduleId}`, sk: 'SCHEDULE' }),
  fire: (scheduleId: string, scheduledTime: string) => ({ pk: `SCHEDULE#${scheduleId}`, sk: `FIRE#${scheduledTime}` }),
} as const;

/** The table's definition for CreateTable (dev mode); the CDK stack mirrors it. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = [KEY.pk, KEY.sk, ...Object.values(INDEXES).flat()];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' },
      { AttributeName: KEY.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.entries(INDEXES).map(([name, [hash, range]]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        { AttributeName: range, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
