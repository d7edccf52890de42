/**
 * The single DynamoDB table: key attributes, indexes, and the one builder of every key and
 * index value, so reads and writes cannot disagree on a string (a typo is a compile error).
 * Both the dev-mode bootstrap (dynalite) and the CDK stack build the table from these names.
 *
 * Access patterns (all GetItem or Query, never Scan):
 * - an item by id: pk = `<KIND>#<id>`, sk = `<KIND>` (`keys`)
 * - items under an item: an app's versions (sk `VERSION#<n>`), a schedule's fires (sk `FIRE#<time>`) (`children`)
 * - children of a parent, newest first (apps of an owner, runs/schedules of an app): index `byParent`
 * - runs/schedules of an owner across apps, by time: index `byOwner`
 * - everything of a kind, for admins and start-up loads: index `byKind`
 * - an array job's children by index: index `byParent` in their app's runs, the id range after the parent's id
 *   (a child's id is `<parentRunId>-<index>`), so the app's listing shows them beside their parent
 * - active runs, for timeouts and reconciliation: sparse index `active`
 * - the active runs of a schedule, for its overlap policy: marker items under the schedule (`children`)
 * - the active runs of an owner, for the per-user run quota: marker items under `OWNER#<ownerId>` (`children`),
 *   counted with one strongly consistent Query
 * - images: the image (sk `IMAGE`), its versions (`VERSION#<n>`), builds (`BUILD#<n>`) and the
 *   apps that name it (`USE#<appId>`) under one partition key; unsettled builds in `active`
 * (index partitions: `indexKeys`). Ids are ULIDs, so sorting by id sorts by creation time.
 *
 * Write ceiling: a DynamoDB partition takes at most 1,000 WCU/s (AWS docs, "Best practices for
 * designing and using partition keys effectively"), and a GSI short of capacity throttles the
 * base table. A run item (~2 KB, so 2 WCU per write) is written about 6 times in its life
 * (insert, task, PROVISIONING, RUNNING, terminal, leaving `active`), each write replicated to
 * every index the item is in: ~12 WCU per run in each index partition it shares. With one `RUN`
 * partition in byKind and one `ACTIVE` partition in `active`, every run shared both: 1,000 / 12
 * ≈ 80 run starts/s platform-wide. Both are now split into RUN_SHARDS partitions by run id:
 * 16 × 1,000 / 12 ≈ 1,300 run starts/s platform-wide (sustained). What remains is per tenant:
 * one app's runs (byParent) and one owner's runs (byOwner) still share a partition, ≈ 80 run
 * starts/s per app and per owner. The schedule overlap check reads the schedule's own marker
 * items, never the platform's active runs. Since byParent, byOwner and byKind project only a few
 * attributes (INDEX_PROJECTIONS), a run write reaches them only when it changes one of those (its
 * status, its TTL), at one write unit each, so these ceilings are now conservative.
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export const KEY = { pk: 'pk', sk: 'sk' } as const;

/** Global secondary indexes: name → [partition key attribute, sort key attribute]. */
export const INDEXES = {
  byParent: ['gsi1pk', 'gsi1sk'],
  byOwner: ['gsi2pk', 'gsi2sk'],
  byKind: ['gsi3pk', 'gsi3sk'],
  active: ['activePk', 'activeSk'],
} as const;

export type IndexName = keyof typeof INDEXES;

/** Epoch seconds after which DynamoDB's TTL may delete the item (finished runs, refresh tokens). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** What a GSI projects besides the table's and its own key attributes: every attribute, or the listed ones (INCLUDE). */
export type IndexProjection = 'ALL' | readonly string[];

/**
 * What each index projects: the attributes its Queries evaluate on the index itself (FilterExpression,
 * ProjectionExpression); every listing that shows more reads the items from the table (BatchGetItem).
 * Run listings filter on `status` and the TTL attribute; the retention sweep reads `runId` of expired
 * runs on byKind. `active` is the reconciler's and the launch queue's listing, which needs whole runs
 * and builds every minute: it projects everything (its items leave it once settled).
 * DynamoDB allows at most 100 projected non-key attributes across a table's indexes.
 */
export const INDEX_PROJECTIONS: Readonly<Record<IndexName, IndexProjection>> = {
  byParent: ['status', TTL_ATTRIBUTE],
  byOwner: ['status', TTL_ATTRIBUTE],
  byKind: ['runId', 'status', TTL_ATTRIBUTE],
  active: 'ALL',
};

/**
 * Attributes a run item keeps for its conditional writes: its status's rank and the backend's
 * event order (ECS detail.version). Build items keep their status's rank in `statusRank` too.
 */
export const RUN_ORDER = { statusRank: 'statusRank', taskVersion: 'taskVersion' } as const;

/** A parent run's attribute holding the indexes of its children counted as ended (a number set: each is counted once). */
export const ARRAY_ENDED = 'arrayEnded';

/**
 * A parent run's attributes for the one fill that creates its children at a time (services/array-runs.ts): its filler's
 * claim (a map: `token`, `until` in epoch ms) and the count of wake-ups other fills left it (a child ended meanwhile).
 */
export const ARRAY_FILL = { filler: 'arrayFiller', wakes: 'arrayFillWakes' } as const;

/** The run item's attribute holding the SHA-256 (hex) of its run token; never shown (services/run-tokens.ts). */
export const RUN_TOKEN_HASH = 'runTokenHash';

/** Attributes that exist for the table's sake, not the domain's; `fromItem` strips them. */
export const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set<string>([
  ...Object.values(KEY),
  ...Object.values(INDEXES).flat(),
  TTL_ATTRIBUTE,
  ...Object.values(RUN_ORDER),
  RUN_TOKEN_HASH,
  ARRAY_ENDED,
  ...Object.values(ARRAY_FILL),
]);

const KIND = {
  user: 'USER',
  refresh: 'REFRESH',
  app: 'APP',
  appName: 'APPNAME',
  run: 'RUN',
  schedule: 'SCHEDULE',
  counter: 'COUNTER',
  metric: 'METRIC',
  image: 'IMAGE',
  migration: 'MIGRATION',
  secret: 'SECRET',
  alert: 'ALERT',
} as const;
const SK_PREFIX = {
  version: 'VERSION#',
  fire: 'FIRE#',
  activeRun: 'ACTIVE#',
  result: 'RESULT#',
  build: 'BUILD#',
  use: 'USE#',
  delivery: 'DELIVERY#',
  slots: 'SLOTS#',
} as const;
const ACTIVE = 'ACTIVE';

/** How many partitions the platform-wide run listings (byKind RUN, `active`) are split into (see the write ceiling above). */
export const RUN_SHARDS = 16;

/** Crockford's base32, the alphabet of ULIDs. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The shard of a run: its ULID's last character is random, uniform over 32 values, so `mod RUN_SHARDS` spreads runs evenly. */
export function runShard(runId: string): number {
  return Math.max(0, CROCKFORD.indexOf(runId.at(-1)!.toUpperCase())) % RUN_SHARDS;
}

const shardSuffix = (shard: number) => `#${String(shard).padStart(2, '0')}`;

const appPk = (appId: string) => `${KIND.app}#${appId}`;
const ownerPk = (ownerId: string) => `OWNER#${ownerId}`;
const schedulePk = (scheduleId: string) => `${KIND.schedule}#${scheduleId}`;
const imagePk = (imageId: string) => `${KIND.image}#${imageId}`;
const secretPk = (ownerId: string, name: string) => `${KIND.secret}#${ownerId}#${name}`;
const alertPk = (alertId: string) => `${KIND.alert}#${alertId}`;
const padded = (n: number) => String(n).padStart(6, '0');

/** Primary keys of single items. App versions are zero-padded so they sort by number. */
export const keys = {
  user: (email: string) => ({ pk: `${KIND.user}#${email}`, sk: KIND.user }),
  refreshToken: (jti: string) => ({ pk: `${KIND.refresh}#${jti}`, sk: KIND.refresh }),
  app: (appId: string) => ({ pk: appPk(appId), sk: KIND.app }),
  appVersion: (appId: string, version: number) => ({ pk: appPk(appId), sk: `${SK_PREFIX.version}${String(version).padStart(6, '0')}` }),
  appName: (ownerId: string, name: string) => ({ pk: `${KIND.appName}#${ownerId}#${name}`, sk: KIND.appName }),
  run: (runId: string) => ({ pk: `${KIND.run}#${runId}`, sk: KIND.run }),
  schedule: (scheduleId: string) => ({ pk: schedulePk(scheduleId), sk: KIND.schedule }),
  fire: (scheduleId: string, scheduledTime: string) => ({ pk: schedulePk(scheduleId), sk: `${SK_PREFIX.fire}${scheduledTime}` }),
  /** A one-time data or trigger migration that has completed (e.g. schedules moved to EventBridge Scheduler). */
  migration: (name: string) => ({ pk: `${KIND.migration}#${name}`, sk: KIND.migration }),
  /** A fixed-window counter (rate limits): what it counts (e.g. `login:address:203.0.113.7`) and its window's start (epoch ms). */
  counter: (name: string, windowStart: number) => ({ pk: `${KIND.counter}#${name}#${windowStart}`, sk: KIND.counter }),
  /** The marker of a schedule's run that has not been settled yet (its overlap policy reads these). */
  activeRunOfSchedule: (scheduleId: string, runId: string) => ({ pk: schedulePk(scheduleId), sk: `${SK_PREFIX.activeRun}${runId}` }),
  /** The marker of an owner's run that has not reached a terminal status yet (the per-user run quota counts these). */
  activeRunOfOwner: (ownerId: string, runId: string) => ({ pk: ownerPk(ownerId), sk: `${SK_PREFIX.activeRun}${runId}` }),
  /** One result a run posted; `resultId` is a ULID, so a run's results sort in the order posted. */
  result: (runId: string, resultId: string) => ({ pk: `${KIND.run}#${runId}`, sk: `${SK_PREFIX.result}${resultId}` }),
  /** One point of an app's metric series, sorted by time (ISO 8601) then by the result that carried it. */
  metricPoint: (appId: string, name: string, time: string, resultId: string) => ({ pk: metricSeriesPk(appId, name), sk: `${time}#${resultId}` }),
  image: (imageId: string) => ({ pk: imagePk(imageId), sk: KIND.image }),
  imageVersion: (imageId: string, version: number) => ({ pk: imagePk(imageId), sk: `${SK_PREFIX.version}${padded(version)}` }),
  build: (imageId: string, number: number) => ({ pk: imagePk(imageId), sk: `${SK_PREFIX.build}${padded(number)}` }),
  /** An app's claim that it names the image (checked against the app before an image is deleted). */
  imageUse: (imageId: string, appId: string) => ({ pk: imagePk(imageId), sk: `${SK_PREFIX.use}${appId}` }),
  /** An owner's secret (its metadata: names are unique per owner). */
  secret: (ownerId: string, name: string) => ({ pk: secretPk(ownerId, name), sk: KIND.secret }),
  /** One version of a secret: where its value is kept (dev mode: the sealed value; cloud: the Secrets Manager version). */
  secretVersion: (ownerId: string, name: string, version: number) => ({ pk: secretPk(ownerId, name), sk: `${SK_PREFIX.version}${padded(version)}` }),
  /** An app's claim that it references the secret (checked against the app before the secret is deleted). */
  secretUse: (ownerId: string, name: string, appId: string) => ({ pk: secretPk(ownerId, name), sk: `${SK_PREFIX.use}${appId}` }),
  /** An alert rule (services/alerts.ts). */
  alert: (alertId: string) => ({ pk: alertPk(alertId), sk: KIND.alert }),
  /** One alert of a rule, its delivery attempts and (while PENDING) its place in the outbox; `deliveryId` is its webhook-id. */
  alertDelivery: (alertId: string, deliveryId: string) => ({ pk: alertPk(alertId), sk: `${SK_PREFIX.delivery}${deliveryId}` }),
  /** How far a MISSED_SLOT rule has checked one schedule's slots, and the first slot of the run of missed slots it alerted, if open. */
  alertSlots: (alertId: string, scheduleId: string) => ({ pk: alertPk(alertId), sk: `${SK_PREFIX.slots}${scheduleId}` }),
};

/** The partition of one metric of one app: its points across the app's runs. */
export function metricSeriesPk(appId: string, name: string): string {
  return `${KIND.metric}#${appId}#${name}`;
}

/** Items stored under another item's partition key, their sort keys sharing a prefix. */
export interface Children {
  pk: string;
  skPrefix: string;
}

export const children = {
  versionsOfApp: (appId: string): Children => ({ pk: appPk(appId), skPrefix: SK_PREFIX.version }),
  firesOfSchedule: (scheduleId: string): Children => ({ pk: schedulePk(scheduleId), skPrefix: SK_PREFIX.fire }),
  activeRunsOfSchedule: (scheduleId: string): Children => ({ pk: schedulePk(scheduleId), skPrefix: SK_PREFIX.activeRun }),
  activeRunsOfOwner: (ownerId: string): Children => ({ pk: ownerPk(ownerId), skPrefix: SK_PREFIX.activeRun }),
  resultsOfRun: (runId: string): Children => ({ pk: `${KIND.run}#${runId}`, skPrefix: SK_PREFIX.result }),
  versionsOfImage: (imageId: string): Children => ({ pk: imagePk(imageId), skPrefix: SK_PREFIX.version }),
  buildsOfImage: (imageId: string): Children => ({ pk: imagePk(imageId), skPrefix: SK_PREFIX.build }),
  usesOfImage: (imageId: string): Children => ({ pk: imagePk(imageId), skPrefix: SK_PREFIX.use }),
  versionsOfSecret: (ownerId: string, name: string): Children => ({ pk: secretPk(ownerId, name), skPrefix: SK_PREFIX.version }),
  usesOfSecret: (ownerId: string, name: string): Children => ({ pk: secretPk(ownerId, name), skPrefix: SK_PREFIX.use }),
};

/** One partition of an index: the items written into it and the Query that reads them use the same value. */
export interface IndexPartition {
  index: IndexName;
  pk: string;
}

const partition = (index: IndexName, pk: string): IndexPartition => ({ index, pk });

export const indexKeys = {
  appsOfOwner: (ownerId: string) => partition('byParent', `OWNER#${ownerId}#APPS`),
  allApps: () => partition('byKind', KIND.app),
  runsOfApp: (appId: string) => partition('byParent', `${appPk(appId)}#RUNS`),
  runsOfOwner: (ownerId: string) => partition('byOwner', `OWNER#${ownerId}#RUNS`),
  /** One of the RUN_SHARDS partitions of every run (runShard). */
  allRuns: (shard: number) => partition('byKind', `${KIND.run}${shardSuffix(shard)}`),
  /** One of the RUN_SHARDS partitions of the sparse index of runs not yet settled (runShard). */
  activeRuns: (shard: number) => partition('active', `${ACTIVE}${shardSuffix(shard)}`),
  schedulesOfApp: (appId: string) => partition('byParent', `${appPk(appId)}#SCHEDULES`),
  schedulesOfOwner: (ownerId: string) => partition('byOwner', `OWNER#${ownerId}#SCHEDULES`),
  allSchedules: () => partition('byKind', KIND.schedule),
  imagesOfOwner: (ownerId: string) => partition('byParent', `OWNER#${ownerId}#IMAGES`),
  allImages: () => partition('byKind', KIND.image),
  /** An owner's secrets, sorted by name. */
  secretsOfOwner: (ownerId: string) => partition('byParent', `OWNER#${ownerId}#SECRETS`),
  /** The sparse index of builds not yet settled (QUEUED, BUILDING, or finished with follow-ups pending). */
  activeBuilds: () => partition('active', 'ACTIVE_BUILDS'),
  alertsOfOwner: (ownerId: string) => partition('byOwner', `OWNER#${ownerId}#ALERTS`),
  allAlerts: () => partition('byKind', KIND.alert),
  /** A rule's delivery log, sorted by creation time then id. */
  deliveriesOfAlert: (alertId: string) => partition('byParent', `${alertPk(alertId)}#DELIVERIES`),
  /** The outbox: deliveries still PENDING (sparse), sorted by their next attempt's time. */
  alertOutbox: () => partition('active', 'ALERT_OUTBOX'),
};

/**
 * Every partition of a sharded listing: the RUN_SHARDS shards, and the single partition runs were
 * written to before sharding (so that a deployment's older items are still listed and swept).
 */
export const shardedPartitions = {
  allRuns: (): IndexPartition[] => [...Array.from({ length: RUN_SHARDS }, (_, shard) => indexKeys.allRuns(shard)), partition('byKind', KIND.run)],
  activeRuns: (): IndexPartition[] => [...Array.from({ length: RUN_SHARDS }, (_, shard) => indexKeys.activeRuns(shard)), partition('active', ACTIVE)],
};

/** The attributes that put an item into each of `partitions`, sorted there by `sk` (its id). */
export function indexAttributes(sk: string, ...partitions: IndexPartition[]): Record<string, string> {
  return Object.fromEntries(
    partitions.flatMap(({ index, pk }) => {
      const [pkAttribute, skAttribute] = INDEXES[index];
      return [
        [pkAttribute, pk],
        [skAttribute, sk],
      ];
    }),
  );
}

type KeyCondition = Required<Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'>> & Pick<QueryCommandInput, 'IndexName'>;

/**
 * The Query key condition for one index partition; with `between`, its sort keys are bounded
 * too (inclusive, as DynamoDB's BETWEEN). Uses the value placeholders :pk, :low and :high.
 */
export function partitionQuery({ index, pk }: IndexPartition, between?: { low: string; high: string }): KeyCondition {
  const [pkAttribute, skAttribute] = INDEXES[index];
  return {
    IndexName: index,
    KeyConditionExpression: between ? `${pkAttribute} = :pk AND ${skAttribute} BETWEEN :low AND :high` : `${pkAttribute} = :pk`,
    ExpressionAttributeValues: { ':pk': pk, ...(between && { ':low': between.low, ':high': between.high }) },
  };
}

/** The Query key condition for the items under one partition key. Uses the placeholders :pk and :prefix. */
export function childrenQuery({ pk, skPrefix }: Children): KeyCondition {
  return {
    KeyConditionExpression: `${KEY.pk} = :pk AND begins_with(${KEY.sk}, :prefix)`,
    ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
  };
}
