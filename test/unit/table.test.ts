/**
 * The table's one builder of keys and index values: writes and Queries share each value,
 * and what fromItem strips is exactly the storage attributes.
 */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { fromItem } from '../../shared/store/db.js';
import { createTableInput, readsAt, FINAL_INDEX_STEP } from '../../shared/table-indexes.js';
import {
  ARRAY_ENDED,
  INDEXES,
  KEY,
  RUN_ORDER,
  RUN_SHARDS,
  RUN_TOKEN_HASH,
  STORAGE_ATTRIBUTES,
  ARRAY_FILL,
  TTL_ATTRIBUTE,
  children,
  childrenQuery,
  runShard,
  shardedPartitions,
  indexAttributes,
  indexKeys,
  keys,
  partitionQuery,
} from '../../shared/table.js';

describe('keys', () => {
  it.each([
    ['user', keys.user('a@b.c'), { pk: 'USER#a@b.c', sk: 'USER' }],
    ['refreshToken', keys.refreshToken('J'), { pk: 'REFRESH#J', sk: 'REFRESH' }],
    ['app', keys.app('A'), { pk: 'APP#A', sk: 'APP' }],
    ['appVersion', keys.appVersion('A', 12), { pk: 'APP#A', sk: 'VERSION#000012' }],
    ['appName', keys.appName('U', 'job'), { pk: 'APPNAME#U#job', sk: 'APPNAME' }],
    ['run', keys.run('R'), { pk: 'RUN#R', sk: 'RUN' }],
    ['schedule', keys.schedule('S'), { pk: 'SCHEDULE#S', sk: 'SCHEDULE' }],
    ['fire', keys.fire('S', '2025-01-01T00:00:00.000Z'), { pk: 'SCHEDULE#S', sk: 'FIRE#2025-01-01T00:00:00.000Z' }],
  ])('%s', (_, key, expected) => {
    expect(key).toEqual(expected);
  });

  it('puts versions and fires under their parent, where their children query finds them', () => {
    const versions = childrenQuery(children.versionsOfApp('A')).ExpressionAttributeValues;
    expect(versions[':pk']).toBe(keys.app('A').pk);
    expect(keys.appVersion('A', 1).sk.startsWith(versions[':prefix'] as string)).toBe(true);
    const fires = childrenQuery(children.firesOfSchedule('S')).ExpressionAttributeValues;
    expect(fires[':pk']).toBe(keys.schedule('S').pk);
    expect(keys.fire('S', 'T').sk.startsWith(fires[':prefix'] as string)).toBe(true);
  });

  it('sorts app versions by number', () => {
    expect(keys.appVersion('A', 9).sk < keys.appVersion('A', 10).sk).toBe(true);
  });
});

describe('index partitions', () => {
  it.each([
    ['appsOfOwner', indexKeys.appsOfOwner('U'), 'byParent', 'OWNER#U#APPS'],
    ['allApps', indexKeys.allApps(), 'byKind', 'APP'],
    ['runsOfApp', indexKeys.runsOfApp('A'), 'byParent', 'APP#A#RUNS'],
    ['runsOfOwner', indexKeys.runsOfOwner('U'), 'byOwner', 'OWNER#U#RUNS'],
    ['allRuns', indexKeys.allRuns(3), 'byKind', 'RUN#03'],
    ['activeRuns', indexKeys.activeRuns(15), 'active', 'ACTIVE#15'],
    ['schedulesOfApp', indexKeys.schedulesOfApp('A'), 'byParent', 'APP#A#SCHEDULES'],
    ['schedulesOfOwner', indexKeys.schedulesOfOwner('U'), 'byOwner', 'OWNER#U#SCHEDULES'],
    ['allSchedules', indexKeys.allSchedules(), 'byKind', 'SCHEDULE'],
  ])('%s', (_, partition, index, pk) => {
    expect(partition).toEqual({ index, pk });
  });

  it('writes the attributes the Query on the same partition reads', () => {
    const partition = indexKeys.runsOfApp('A');
    const item = indexAttributes('R1', partition, indexKeys.activeRuns(0));
    expect(item).toEqual({ gsi1pk: 'APP#A#RUNS', gsi1sk: 'R1', activePk: 'ACTIVE#00', activeSk: 'R1' });
    const query = partitionQuery(partition, { low: '0', high: 'Z' });
    expect(query).toEqual({
      IndexName: 'byParent',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': 'APP#A#RUNS', ':low': '0', ':high': 'Z' },
    });
    expect(item[INDEXES.byParent[0]]).toBe(query.ExpressionAttributeValues[':pk']);
  });

  it('queries a whole partition without a range', () => {
    expect(partitionQuery(indexKeys.activeRuns(1))).toEqual({
      IndexName: 'active',
      KeyConditionExpression: 'activePk = :pk',
      ExpressionAttributeValues: { ':pk': 'ACTIVE#01' },
    });
  });

  it('spreads runs evenly over RUN_SHARDS shards by the random end of their ULID, and lists every shard and the unsharded partition of older items', () => {
    const counts = new Array<number>(RUN_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[runShard(ulid())]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(runShard('01HZX3K4M5N6P7Q8R9S0T1V2W3')).toBe(runShard('01HZX3K4M5N6P7Q8R9S0T1V2W3'.toLowerCase()));
    expect(shardedPartitions.activeRuns().map((p) => p.pk)).toEqual([
      ...Array.from({ length: RUN_SHARDS }, (_, i) => `ACTIVE#${String(i).padStart(2, '0')}`),
      'ACTIVE',
    ]);
    expect(shardedPartitions.allRuns().at(-1)).toEqual({ index: 'byKind', pk: 'RUN' });
  });

  it('defines every index the builders use, with string key attributes', () => {
    const table = createTableInput('t');
    const defined = new Set(table.AttributeDefinitions!.map((a) => a.AttributeName));
    for (const [name, attributes] of Object.entries(INDEXES)) {
      expect(table.GlobalSecondaryIndexes!.map((i) => i.IndexName)).toContain(readsAt(FINAL_INDEX_STEP)[name as keyof typeof INDEXES].name);
      for (const attribute of attributes) expect(defined.has(attribute)).toBe(true);
    }
  });
});

describe('storage attributes', () => {
  it("are the keys, every index attribute, the TTL, the run order attributes, the run token's hash and an array's ended indexes and filler", () => {
    expect([...STORAGE_ATTRIBUTES].sort()).toEqual(
      [
        KEY.pk,
        KEY.sk,
        ...Object.values(INDEXES).flat(),
        TTL_ATTRIBUTE,
        RUN_ORDER.statusRank,
        RUN_ORDER.taskVersion,
        RUN_TOKEN_HASH,
        ARRAY_ENDED,
        ...Object.values(ARRAY_FILL),
      ].sort(),
    );
  });

  it('are what fromItem strips, leaving the domain object', () => {
    const domain = { runId: 'R1', status: 'RUNNING', history: [] };
    const item = {
      ...keys.run('R1'),
      ...indexAttributes('R1', indexKeys.runsOfApp('A'), indexKeys.runsOfOwner('U'), indexKeys.allRuns(0), indexKeys.activeRuns(0)),
      expiresAt: 1,
      statusRank: 2,
      taskVersion: 3,
      ...domain,
    };
    expect(fromItem(item)).toEqual(domain);
  });
});
