/**
 * The platform-wide run listing over its RUN_SHARDS partitions (shared/table.ts): an admin pages
 * through every run newest first, without a gap or a repeat, with and without a status filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { Principal } from '../../shared/domain.js';
import { runShard } from '../../shared/table.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

const ADMIN: Principal = { userId: 'admin-1', email: 'admin@example.com', role: 'admin' };
let cloud: Cloud;
let platform: CloudPlatform;
const runIds: string[] = [];

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  const apps = await Promise.all([createApp(platform), createApp(platform), createApp(platform)]);
  for (let i = 0; i < 45; i++) runIds.push((await platform.runs.create(OWNER, apps[i % 3]!.appId, {})).runId);
  // One of them ends, for the status filter.
  await taskStateChangeHandler(platform)(ecsTask(runIds[7]!).stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'done', exitCode: 0 }));
});
afterAll(() => cloud?.close());

async function listAll(query: { limit: number; status?: 'PENDING' }) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await platform.runs.list(ADMIN, { ...query, cursor });
    seen.push(...page.items.map((run) => run.runId));
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 50);
  return { seen, pages };
}

describe('the sharded all-runs listing', () => {
  it('spreads the runs over several shards', () => {
    expect(new Set(runIds.map(runShard)).size).toBeGreaterThan(5);
  });

  it('pages every run newest first, without a gap or a repeat', async () => {
    const { seen, pages } = await listAll({ limit: 10 });
    expect(seen).toEqual([...runIds].reverse());
    expect(pages).toBeGreaterThanOrEqual(5);
  });

  it('filters by status over every shard', async () => {
    const { seen } = await listAll({ limit: 7, status: 'PENDING' });
    expect(seen).toEqual([...runIds].reverse().filter((id) => id !== runIds[7]));
  });

  it('refuses a cursor it did not hand out', async () => {
    await expect(platform.runs.list(ADMIN, { limit: 10, cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ status: 400 });
  });
});
