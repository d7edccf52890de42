import { describe, expect, it } from 'vitest';
import { isImageReference } from '../../shared/image-reference.js';
import { isId } from '../../shared/ids.js';
import { clipReason, MAX_REASON_CHARS } from '../../shared/item-limits.js';
import { AppCreate, RunListQuery } from '../../shared/schemas.js';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor.js';
import { childrenQuery, children, indexKeys, partitionQuery } from '../../shared/table.js';
import { ClientError } from '../../shared/errors.js';

describe('image references (distribution/reference grammar)', () => {
  it.each([
    'busybox',
    'containerizer/busybox:latest',
    'public.ecr.aws/docker/library/busybox:1.36',
    'localhost:5000/a/b_c/d-e:v1.2',
    `busybox@sha256:${'a'.repeat(64)}`,
    '[::1]:5000/x:y',
  ])('accepts %s', (image) => expect(isImageReference(image)).toBe(true));

  it.each(['..', '../x', 'http://example.com/x', 'Busybox', 'a//b', '/x', 'x:', 'x::y', 'a'.repeat(256), 'x:' + 't'.repeat(129), ' busybox', 'x@sha256:abc'])(
    'refuses %j',
    (image) => expect(isImageReference(image)).toBe(false),
  );
});

describe('ids', () => {
  it('accepts ULIDs only', () => {
    expect(isId('01J2ABCDEFGHJKMNPQRSTVWXYZ')).toBe(true);
    expect(isId('01NOPE')).toBe(false);
    expect(isId('x'.repeat(5000))).toBe(false);
    expect(isId('81J2ABCDEFGHJKMNPQRSTVWXYZ')).toBe(false);
  });
});

describe('sizes that fit a DynamoDB item', () => {
  const app = { name: 'a', image: 'busybox' };
  it('refuses an env or a command over its total', () => {
    const env = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`K${i}`, 'v'.repeat(30_000)]));
    expect(AppCreate.safeParse({ ...app, env }).success).toBe(false);
    expect(AppCreate.safeParse({ ...app, command: Array.from({ length: 20 }, () => 'c'.repeat(4000)) }).success).toBe(false);
    expect(AppCreate.safeParse({ ...app, env: { K: 'v'.repeat(30_000) }, command: ['c'.repeat(4000)] }).success).toBe(true);
  });
  it('clips long reasons', () => {
    expect(clipReason('r'.repeat(5000))).toHaveLength(MAX_REASON_CHARS);
    expect(clipReason('short')).toBe('short');
  });
});

describe('run listing dates', () => {
  it('refuses dates a ULID cannot hold and a range that ends before it starts', () => {
    expect(RunListQuery.safeParse({ from: '1969-12-31T23:59:59Z' }).success).toBe(false);
    expect(RunListQuery.safeParse({ to: '+275760-09-13T00:00:00Z' }).success).toBe(false);
    expect(RunListQuery.safeParse({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }).success).toBe(false);
    expect(RunListQuery.safeParse({ from: '1970-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }).success).toBe(true);
  });
});

describe('cursors', () => {
  const aliceRuns = partitionQuery(indexKeys.runsOfOwner('alice'), { low: '0', high: 'Z' });
  const bobRuns = partitionQuery(indexKeys.runsOfOwner('bob'), { low: '0', high: 'Z' });
  const key = { pk: 'RUN#01J', sk: 'RUN', gsi2pk: indexKeys.runsOfOwner('alice').pk, gsi2sk: '01J2ABCDEFGHJKMNPQRSTVWXYZ' };
  const refused = (cursor: string, query: Parameters<typeof decodeCursor>[1]) => {
    try {
      decodeCursor(cursor, query);
    } catch (err) {
      return err instanceof ClientError && err.status === 400;
    }
    return false;
  };

  it('takes back the cursor of the same listing', () => {
    expect(decodeCursor(encodeCursor(key), aliceRuns)).toEqual(key);
  });
  it("refuses another caller's cursor, another listing's, one outside the range, and junk", () => {
    expect(refused(encodeCursor(key), bobRuns)).toBe(true);
    expect(refused(encodeCursor(key), partitionQuery(indexKeys.appsOfOwner('alice')))).toBe(true);
    expect(refused(encodeCursor(key), partitionQuery(indexKeys.runsOfOwner('alice'), { low: '7', high: 'Z' }))).toBe(true);
    expect(refused(encodeCursor({ ...key, extra: 'x' }), aliceRuns)).toBe(true);
    expect(refused(encodeCursor({ ...key, gsi2sk: 'x'.repeat(2000) }), aliceRuns)).toBe(true);
    expect(refused(encodeCursor({ ...key, gsi2sk: 5 as unknown as string }), aliceRuns)).toBe(true);
    expect(refused('not-a-cursor', aliceRuns)).toBe(true);
    expect(refused('x'.repeat(20_000), aliceRuns)).toBe(true);
    const fires = childrenQuery(children.firesOfSchedule('S1'));
    expect(refused(encodeCursor({ pk: 'SCHEDULE#S1', sk: 'FIRE#2030' }), fires)).toBe(false);
    expect(refused(encodeCursor({ pk: 'SCHEDULE#S2', sk: 'FIRE#2030' }), fires)).toBe(true);
    expect(refused(encodeCursor({ pk: 'SCHEDULE#S1', sk: 'SCHEDULE' }), fires)).toBe(true);
  });
});
