/**
 * Listing cursors: DynamoDB's LastEvaluatedKey as base64url JSON, checked on the way back in
 * against the Query it is meant to continue. A cursor is accepted only when it holds exactly
 * the key attributes of the table and the queried index, each a string within DynamoDB's key
 * sizes, in the queried partition (which names the owner for an owner's listing, so another
 * caller's cursor is refused) and within the query's sort-key bounds. Anything else is a 400,
 * never a DynamoDB ValidationException.
 */
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { invalidCursor } from '../errors.js';
import { INDEXES, KEY } from '../table.js';

/** Partition and sort key values are at most 2048 and 1024 UTF-8 bytes (AWS docs, DynamoDB quotas, "Attributes"). */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;
/** A cursor holds at most four key attributes; anything longer than this (characters) is not one of ours. */
const MAX_CURSOR_CHARS = 8192;

type Key = Record<string, string>;
type Query = Pick<QueryCommandInput, 'IndexName' | 'ExpressionAttributeValues'>;

/** The cursor of a page that ended at `lastEvaluatedKey`. */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url');
}

/**
 * The ExclusiveStartKey a cursor stands for, if it continues `query` (built with table.ts's
 * partitionQuery or childrenQuery, whose placeholders :pk, :low, :high and :prefix it reads).
 * @throws ClientError 400 (invalidCursor) when it does not.
 */
export function decodeCursor(cursor: string, query: Query): Key {
  const key = cursor.length <= MAX_CURSOR_CHARS ? parse(cursor) : undefined;
  const why = key ? mismatch(key, query) : 'not base64url JSON of a key';
  if (why) throw invalidCursor(new Error(why));
  return key!;
}

function parse(cursor: string): Key | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key) && Object.values(key).every((v) => typeof v === 'string')) return key as Key;
  } catch {
    // not JSON: refused below
  }
  return undefined;
}

/** Why `key` does not continue `query`, or undefined when it does. */
function mismatch(key: Key, query: Query): string | undefined {
  const [partition, sort] = query.IndexName ? INDEXES[query.IndexName as keyof typeof INDEXES] : [KEY.pk, KEY.sk];
  const expected = new Set<string>([KEY.pk, KEY.sk, partition, sort]);
  const names = Object.keys(key);
  if (names.length !== expected.size || !names.every((name) => expected.has(name))) return `key attributes ${names.join(',')} are not this listing's`;
  if (Buffer.byteLength(key[KEY.pk]!) > MAX_PARTITION_KEY_BYTES || Buffer.byteLength(key[partition]!) > MAX_PARTITION_KEY_BYTES)
    return 'partition key too long';
  if (Buffer.byteLength(key[KEY.sk]!) > MAX_SORT_KEY_BYTES || Buffer.byteLength(key[sort]!) > MAX_SORT_KEY_BYTES) return 'sort key too long';
  const values = query.ExpressionAttributeValues ?? {};
  if (key[partition] !== values[':pk']) return 'another listing';
  const position = key[sort]!;
  if (typeof values[':prefix'] === 'string' && !position.startsWith(values[':prefix'])) return 'outside the listing';
  if (typeof values[':from'] === 'string' && typeof values[':to'] === 'string' && (position < values[':from'] || position > values[':to']))
    return 'outside the listing';
  if (typeof values[':low'] === 'string' && position < values[':low']) return 'before the listing';
  if (typeof values[':high'] === 'string' && position > values[':high']) return 'after the listing';
  return undefined;
}
