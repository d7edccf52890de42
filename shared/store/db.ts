/**
 * DynamoDB access shared by the services: the document client, the table name, and the
 * few helpers every store needs (conditional-write failures, cursors, item ↔ object).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { STORAGE_ATTRIBUTES } from '../table.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { storeError } from './store-errors.js';

export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Builds the document client; `undefined` values are dropped, as optional fields are. Every
 * command's failure passes through storeError (store-errors.ts), so what the store or the
 * marshaller refuses about the data reaches the caller as a 4xx and an unavailable store as a 503.
 */
export function createDb(tableName: string, config: DynamoDBClientConfig = {}): Db {
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
  return { doc, tableName };
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
  return {
    items: (out.Items ?? []).map((item) => fromItem<T>(item)),
    nextCursor: out.LastEvaluatedKey ? encodeCursor(out.LastEvaluatedKey) : undefined,
  };
}

/** Counts what a Query matches (after its filter), page by page: a read of every matching key, never of the items' values to the caller. */
export async function countAll(db: Db, input: Omit<QueryCommandInput, 'TableName' | 'Select'>): Promise<number> {
  let count = 0;
  for await (const page of paginateQuery({ client: db.doc }, { ...input, TableName: db.tableName, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}

/** Reads a Query to the end, page by page (the SDK's paginator follows LastEvaluatedKey). */
export async function queryAll<T>(db: Db, input: Omit<QueryCommandInput, 'TableName'>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: db.doc }, { ...input, TableName: db.tableName })) {
    items.push(...(page.Items ?? []).map((item) => fromItem<T>(item)));
  }
  return items;
}
