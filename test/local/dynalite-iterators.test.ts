/**
 * The embedded DynamoDB: every Query leaves no LevelDB iterator open (an open one pins native
 * memory: the dev server's resident memory grew with each query, outside the JavaScript heap).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynaliteIteratorPrototypes, startDynalite, type EmbeddedDynamo } from '../../local/store/dynalite.js';
import { waitFor } from '../support/fixtures.js';

const TABLE = 'containerizer';

describe('embedded dynalite', () => {
  let dir: string;
  let dynamo: EmbeddedDynamo;
  /** Iterators that read, and those closed, by identity. */
  const read = new Set<object>();
  const closed = new Set<object>();
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    for (const shared of dynaliteIteratorPrototypes()) {
      const next = shared.next as (this: object) => Promise<unknown>;
      const close = shared.close as (this: object) => Promise<void>;
      shared.next = function (this: object) {
        read.add(this);
        return next.call(this);
      };
      shared.close = function (this: object) {
        closed.add(this);
        return close.call(this);
      };
      restore.push(() => Object.assign(shared, { next, close }));
    }
    dir = mkdtempSync(join(tmpdir(), 'containerizer-dynalite-'));
    dynamo = await startDynalite(dir, TABLE);
  });
  afterAll(async () => {
    await dynamo?.close();
    for (const undo of restore) undo();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes the LevelDB iterator of every Query, read to its end or stopped early by a Limit', async () => {
    for (let i = 0; i < 30; i++) await dynamo.db.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'P', sk: `S${String(i).padStart(3, '0')}` } }));
    const query = (limit?: number) =>
      dynamo.db.doc.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'P' }, Limit: limit }));
    read.clear();
    for (let i = 0; i < 20; i++) {
      expect((await query()).Items).toHaveLength(30);
      expect((await query(5)).Items).toHaveLength(5);
    }
    expect(read.size).toBeGreaterThanOrEqual(40);
    const open = await waitFor(async () => ([...read].every((it) => closed.has(it)) ? [] : undefined), 10_000, 'every iterator to be closed').catch(() =>
      [...read].filter((it) => !closed.has(it)),
    );
    expect(open).toHaveLength(0);
  });
});
