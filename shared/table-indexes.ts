/**
 * The table's global secondary indexes as DynamoDB has them: which physical index (name, keys,
 * projection) serves each logical index of shared/table.ts, and the sequence of deploys that
 * moves a deployment from the previous release's indexes (every attribute projected) to this
 * release's (only what each listing's Query evaluates on the index; the items themselves are read
 * from the table by key, store/hydrate.ts).
 *
 * Why a sequence: a projection cannot be changed in place (the index must be replaced), and
 * CloudFormation creates or deletes at most one GSI per stack update (AWS::DynamoDB::Table,
 * GlobalSecondaryIndexes: "You can create or delete only one global secondary index per
 * UpdateTable operation"). Step k's template declares `indexesAt(k)`, one GSI away from step k-1's;
 * the functions of step k read `readsAt(k)`: indexes already in step k-1's template (created by an
 * earlier deploy, and ACTIVE, backfilled, before the next: the upgrade's instructions wait for it) that step k keeps. During deploy k the table is
 * updated before the functions, so step k-1's code still runs while step k's indexes change: it
 * never reads an index step k deletes (test/infra/table-indexes.test.ts checks both rules for every
 * step, and step 0 against the previous release's template). docs/upgrading-indexes.md says how to deploy it.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { INDEX_PROJECTIONS, INDEXES, KEY, type IndexName, type IndexProjection } from './table.js';

/** One GSI as the table has it. */
export interface PhysicalIndex {
  /** Its IndexName on the table. */
  name: string;
  /** The logical index (shared/table.ts INDEXES) it serves: its partition and sort key attributes. */
  serves: IndexName;
  projection: IndexProjection;
}

const LOGICAL = Object.keys(INDEXES) as IndexName[];

/** The previous release's indexes: each logical index under its own name, everything projected. */
export const PREVIOUS_RELEASE_INDEXES: readonly PhysicalIndex[] = LOGICAL.map((serves) => ({ name: serves, serves, projection: 'ALL' }));

/** This release's replacement of an index whose projection changes: a new name (a GSI's projection is fixed when it is created). */
const replacement = (serves: IndexName): PhysicalIndex => ({ name: `${serves}_v2`, serves, projection: INDEX_PROJECTIONS[serves] });

/** The indexes this release replaces: those whose projection is no longer everything. */
const REPLACED = LOGICAL.filter((index) => INDEX_PROJECTIONS[index] !== 'ALL');

/** Each deploy's one change: first every replacement is created, then every replaced index is deleted. */
const CHANGES: readonly ({ add: PhysicalIndex } | { remove: string })[] = [
  ...REPLACED.map((index) => ({ add: replacement(index) })),
  ...REPLACED.map((index) => ({ remove: index })),
];

/** The step a new deployment, or one that has finished the upgrade, is at (the CDK context `tableIndexStep` defaults to it). */
export const FINAL_INDEX_STEP = CHANGES.length;

/** True for an integer step of the sequence (0 … FINAL_INDEX_STEP). */
export function isIndexStep(step: number): boolean {
  return Number.isInteger(step) && step >= 0 && step <= FINAL_INDEX_STEP;
}

/** The GSIs step `step`'s template declares. @throws RangeError for a step outside 0 … FINAL_INDEX_STEP. */
export function indexesAt(step: number): PhysicalIndex[] {
  if (!isIndexStep(step)) throw new RangeError(`tableIndexStep must be an integer from 0 to ${FINAL_INDEX_STEP}, not ${step}`);
  let indexes = [...PREVIOUS_RELEASE_INDEXES];
  for (const change of CHANGES.slice(0, step)) indexes = 'add' in change ? [...indexes, change.add] : indexes.filter((index) => index.name !== change.remove);
  return indexes;
}

/**
 * The physical index the functions of step `step` read for each logical index: the newest one both
 * step `step - 1` and step `step` declare (a fresh deployment at the final step reads the final ones).
 * @throws RangeError for a step outside 0 … FINAL_INDEX_STEP.
 */
export function readsAt(step: number): Record<IndexName, PhysicalIndex> {
  const now = indexesAt(step);
  const before = new Set(indexesAt(Math.max(0, step - 1)).map((index) => index.name));
  return Object.fromEntries(LOGICAL.map((logical) => [logical, now.filter((index) => index.serves === logical && before.has(index.name)).at(-1)!])) as Record<
    IndexName,
    PhysicalIndex
  >;
}

/**
 * What to read on a table as it stands (dev mode's dynalite, whose tables cannot add or drop an
 * index): for each logical index, the newest of its physical indexes the table has.
 * @throws Error when the table has none for some logical index.
 */
export function readsOfTable(indexNames: readonly string[]): Record<IndexName, PhysicalIndex> {
  const present = new Set(indexNames);
  const candidates = [...PREVIOUS_RELEASE_INDEXES, ...REPLACED.map(replacement)];
  return Object.fromEntries(
    LOGICAL.map((logical) => {
      const found = candidates.filter((index) => index.serves === logical && present.has(index.name)).at(-1);
      if (!found) throw new Error(`the table has no index for ${logical} (it has ${indexNames.join(', ') || 'none'})`);
      return [logical, found];
    }),
  ) as Record<IndexName, PhysicalIndex>;
}

/**
 * The table's definition for CreateTable (dev mode): the indexes of step `step`, by default this
 * release's (the final step's), as the CDK stack declares them (infra/data.ts).
 */
export function createTableInput(tableName: string, step = FINAL_INDEX_STEP): CreateTableCommandInput {
  const attributes = [KEY.pk, KEY.sk, ...Object.values(INDEXES).flat()];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' },
      { AttributeName: KEY.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexesAt(step).map(({ name, serves, projection }) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: INDEXES[serves][0], KeyType: 'HASH' },
        { AttributeName: INDEXES[serves][1], KeyType: 'RANGE' },
      ],
      Projection: projection === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection] },
    })),
  };
}
