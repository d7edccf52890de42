/**
 * Listings on an index that projects only some attributes (shared/table.ts INDEX_PROJECTIONS): the
 * Query finds the items' keys on the index, and the items themselves are read from the table by
 * key, BatchGetItem at most 100 keys a call (AWS API reference, BatchGetItem), the keys DynamoDB
 * leaves unprocessed under load sent again after a short backoff.
 */
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { IndexName } from '../table.js';
import { KEY } from '../table.js';
import type { Db } from './db.js';

/** BatchGetItem takes at most 100 keys (AWS API reference). */
const BATCH_GET = 100;
/** The first wait (ms) before sending unprocessed keys again, doubled each time (AWS: "retry the batch operation with exponential backoff"). */
const FIRST_BACKOFF_MS = 50;

/** True when a Query on the logical index `index` returns only part of each item, so its listing must read the items. */
export function needsItems(db: Db, index: string | undefined, input: { ProjectionExpression?: string; Select?: string }): boolean {
  if (index === undefined || input.ProjectionExpression !== undefined || input.Select === 'COUNT') return false;
  return db.indexes[index as IndexName]?.projection !== 'ALL';
}

/**
 * The table's items for the index items given, in their order; an item deleted since the Query is
 * left out. Each is read as the table has it now (eventually consistent, as the index itself is).
 */
export async function itemsOf(db: Db, indexItems: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const id = (key: Record<string, unknown>) => `${String(key[KEY.pk])}\u0000${String(key[KEY.sk])}`;
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < indexItems.length; i += BATCH_GET) {
    let keys: Record<string, unknown>[] | undefined = indexItems.slice(i, i + BATCH_GET).map((item) => ({ [KEY.pk]: item[KEY.pk], [KEY.sk]: item[KEY.sk] }));
    for (let backoff = FIRST_BACKOFF_MS; keys && keys.length > 0; backoff *= 2) {
      const out: BatchGetCommandOutput = await db.doc.send(new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys } } }));
      for (const item of out.Responses?.[db.tableName] ?? []) found.set(id(item), item);
      keys = out.UnprocessedKeys?.[db.tableName]?.Keys;
      if (keys && keys.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(backoff, 2_000)));
    }
  }
  return indexItems.map((item) => found.get(id(item))).filter((item): item is Record<string, unknown> => item !== undefined);
}
