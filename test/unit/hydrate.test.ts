/**
 * Listings on an INCLUDE index read their items from the table: BatchGetItem at most 100 keys a
 * call, keys DynamoDB leaves unprocessed sent again, the index's order kept, items deleted since
 * the Query left out; an index that projects everything, a COUNT or a ProjectionExpression reads
 * nothing more.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../shared/store/db.js';
import { itemsOf, needsItems } from '../../shared/store/hydrate.js';
import { FINAL_INDEX_STEP, readsAt } from '../../shared/table-indexes.js';

type Keys = { pk: string; sk: string }[];

/** A Db whose client answers BatchGetItem from `table`, leaving `unprocessed` keys of the first call unprocessed. */
function fakeDb(table: Map<string, Record<string, unknown>>, unprocessed = 0) {
  const calls: Keys[] = [];
  let first = true;
  const doc = {
    send: async (command: BatchGetCommand) => {
      expect(command).toBeInstanceOf(BatchGetCommand);
      const keys = command.input.RequestItems!.t!.Keys as Keys;
      expect(keys.length).toBeLessThanOrEqual(100);
      calls.push(keys);
      const left = first ? keys.slice(0, unprocessed) : [];
      first = false;
      const served = keys.slice(left.length).flatMap((key) => table.get(key.pk) ?? []);
      return { Responses: { t: served }, UnprocessedKeys: left.length > 0 ? { t: { Keys: left } } : {} };
    },
  };
  return { db: { doc, tableName: 't', indexes: readsAt(FINAL_INDEX_STEP) } as unknown as Db, calls };
}

describe('itemsOf', () => {
  it('reads 250 items in three calls of at most 100 keys, in the order the index gave, sending unprocessed keys again', async () => {
    const table = new Map(Array.from({ length: 250 }, (_, i) => [`RUN#${i}`, { pk: `RUN#${i}`, sk: 'RUN', runId: String(i), image: 'x' }]));
    const { db, calls } = fakeDb(table, 7);
    const indexItems = [...table.values()].reverse().map(({ pk, sk }) => ({ pk, sk, status: 'RUNNING' }));
    const items = await itemsOf(db, indexItems);
    expect(items.map((item) => item.runId)).toEqual(indexItems.map((item) => item.pk.slice(4)));
    expect(items[0]).toHaveProperty('image', 'x');
    expect(calls.map((keys) => keys.length)).toEqual([100, 7, 100, 50]);
  });

  it('leaves out an item deleted since the Query', async () => {
    const table = new Map([['RUN#a', { pk: 'RUN#a', sk: 'RUN', runId: 'a' }]]);
    const { db } = fakeDb(table);
    expect(
      await itemsOf(db, [
        { pk: 'RUN#gone', sk: 'RUN' },
        { pk: 'RUN#a', sk: 'RUN' },
      ]),
    ).toEqual([{ pk: 'RUN#a', sk: 'RUN', runId: 'a' }]);
  });
});

describe('needsItems', () => {
  it('is true only for a Query of whole items on an index that projects part of them', () => {
    const { db } = fakeDb(new Map());
    expect(needsItems(db, 'byParent', {})).toBe(true);
    expect(needsItems(db, 'byKind', {})).toBe(true);
    expect(needsItems(db, 'active', {})).toBe(false);
    expect(needsItems(db, undefined, {})).toBe(false);
    expect(needsItems(db, 'byKind', { ProjectionExpression: 'runId' })).toBe(false);
    expect(needsItems(db, 'byParent', { Select: 'COUNT' })).toBe(false);
    const previous = { ...db, indexes: readsAt(0) };
    expect(needsItems(previous, 'byParent', {})).toBe(false);
  });
});
