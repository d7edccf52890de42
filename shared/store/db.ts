/**
 * DynamoDB access shared by the services: the document client, the table name, and the
 * few helpers every store needs (conditional-write failures, cursors, item ↔ object).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand, paginateQuery, type QueryCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { STORAGE_ATTRIBUTES, type IndexName } from '../table.js';
import { FINAL_INDEX_STEP, readsAt, type PhysicalIndex } from '../table-indexes.js';
import { itemsOf, needsItems } from './hydrate.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { storeError } from './store-errors.js';

export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The physical index each logical index is read from (table-indexes.ts): its name on the table and what it projects. */
  indexes: Record<IndexName, PhysicalIndex>;
}

/**
 * Builds the document client; `undefined` values are dropped, as optional fields are. Every
 * command's failure passes through storeError (store-errors.ts), so what the store or the
 * marshaller refuses about the data reaches the caller as a 4xx and an unavailable store as a 503.
 * The stores name logical indexes (table.ts); each Query is sent to the physical index `indexes`
 * maps it to (default: this release's, table-indexes.ts readsAt(FINAL_INDEX_STEP)).
 */
export function createDb(tableName: string, config: DynamoDBClientConfig = {}, indexes: Record<IndexName, PhysicalIndex> = readsAt(FINAL_INDEX_STEP)): Db {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
  // The initialize step wraps the document client's marshalling as well as the request itself.
  doc.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        throw storeError(err);
      }
    },
    { step: 'initialize', priority: 'high', name: 'containerizerStoreErrors' },
  );
  doc.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { IndexName?: string };
      const physical = input.IndexName === undefined ? undefined : indexes[input.IndexName as IndexName]?.name;
      return next(physical === undefined ? args : { ...args, input: { ...input, IndexName: physical } });
    },
    { step: 'initialize', priority: 'low', name: 'containerizerIndexNames' },
  );
  return { doc, tableName, indexes };
}

/** True for the error a failed `ConditionExpression` raises. */
export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * Sends a conditional write. Returns false when its condition failed (the domain's "someone
 * got there first" or "not in that state"), true when it was applied.
 * @throws whatever else the write throws.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}

/** The expressions of one UpdateItem (the table and the key are the caller's). */
export type UpdateInput = Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

/**
 * One conditional UpdateItem of the item at `key`: the item after it (ReturnValues ALL_NEW, storage
 * attributes included), or undefined when its condition failed. @throws whatever else the write throws.
 */
export async function updateIfHeld(db: Db, key: Record<string, string>, input: UpdateInput): Promise<Record<string, unknown> | undefined> {
  try {
    const out = await db.doc.send(new UpdateCommand({ ...input, TableName: db.tableName, Key: key, ReturnValues: 'ALL_NEW' }));
    return out.Attributes!;
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

/** Strips the storage attributes from an item, leaving the domain object. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k))) as T;
}

/** A page of a listing; `nextCursor` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Runs a Query one page at a time. The cursor is DynamoDB's LastEvaluatedKey (cursor.ts).
 * @throws ClientError 400 when the cursor is not one this listing handed out.
 */
export async function queryPage<T>(db: Db, input: Omit<QueryCommandInput, 'TableName'>, cursor?: string): Promise<Page<T>> {
  const out = await db.doc.send(new QueryCommand({ ...input, TableName: db.tableName, ExclusiveStartKey: cursor ? decodeCursor(cursor, input) : undefined }));
  const items = needsItems(db, input.IndexName, input) ? await itemsOf(db, out.Items ?? []) : (out.Items ?? []);
  return {
    items: items.map((item) => fromItem<T>(item)),
    nextCursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined,
  };
}

/** Counts what a Query matches (after its filter), page by page: a read of every matching key, never of the items' values to the caller. */
export async function countAll(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
  let count = 0;
  for await (const page of paginateQuery({ client: db.doc }, { ...input, TableName: db.tableName, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}

/** Reads a Query to the end, page by page (the SDK's paginator follows LastEvaluatedKey); items read from the table as queryPage does. */
export async function queryAll<T>(db: Db, input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const items: T[] = [];
  const hydrate = needsItems(db, input.IndexName, input);
  for await (const page of paginateQuery({ client: db.doc }, { ...input, TableName: db.tableName })) {
    const found = hydrate ? await itemsOf(db, page.Items ?? []) : (page.Items ?? []);
    items.push(...found.map((item) => fromItem<T>(item)));
  }
  return items;
}
