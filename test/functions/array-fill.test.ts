/**
 * An array job's fills under concurrency (issue 21, the cloud fan-out): many child ends at once, each event delivered twice,
 * start fills that would otherwise race index by index. One fill holds the parent at a time (a claim on its item), the
 * others leave it a wake-up: every index is written once and launched once, the parallelism holds at every launch, no wake-up
 * is lost (the array finishes on task events alone, no sweep), and a claim left by a crashed fill expires.
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { Run } from '../../shared/domain.js';
import { ENV } from '../../shared/env.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { ArrayStore } from '../../shared/store/array-store.js';
import { FargateAccount } from '../aws/fixtures.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

const SIZE = 60;
const PARALLELISM = 10;

let cloud: Cloud;
let platform: CloudPlatform;
let applyTaskEvent: ReturnType<typeof taskStateChangeHandler>;
/** Conditional PutItems of run items (inserts), by run id. */
const inserts = new Map<string, number>();

beforeAll(async () => {
  cloud = await startCloud();
  cloud.env[ENV.FARGATE_VCPU_QUOTA] = '64';
  cloud.env[ENV.MAX_ACTIVE_RUNS_PER_USER] = '1000';
  cloud.fargate = new FargateAccount(64);
  platform = await cloud.platform();
  applyTaskEvent = taskStateChangeHandler(platform);
  platform.db.doc.middlewareStack.add(
    (next, context) => (args) => {
      const input = args.input as { Item?: { runId?: string; pk?: string }; ConditionExpression?: string };
      if (context.commandName === 'PutItemCommand' && input.ConditionExpression && input.Item?.runId && String(input.Item.pk).startsWith('RUN#'))
        inserts.set(input.Item.runId, (inserts.get(input.Item.runId) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'testCountInserts' },
  );
});
afterAll(() => cloud?.close());

async function children(parentRunId: string): Promise<Run[]> {
  const out: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await platform.runs.children(OWNER, parentRunId, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('array fills under concurrency', () => {
  it('writes and launches every index once, within the parallelism, on task events alone (each delivered twice, all at once)', async () => {
    const { appId } = await createApp(platform, { cpu: 0.25, memoryMiB: 512 });
    const account = cloud.fargate!;
    const running = new Set<string>();
    let mostRunning = 0;
    const runTask = account.runTask.bind(account);
    account.runTask = (input, vcpus, start) =>
      runTask(input, vcpus, () => {
        running.add(input.startedBy!);
        mostRunning = Math.max(mostRunning, running.size);
        return start();
      });
    const parent = await platform.runs.create(OWNER, appId, { arrayProperties: { size: SIZE }, parallelism: PARALLELISM });
    let status = parent.status;
    for (let round = 0; round < SIZE && status !== 'SUCCEEDED'; round++) {
      const launched = (await children(parent.runId)).filter((child) => child.taskRef && child.status !== 'SUCCEEDED');
      expect(launched.length).toBeGreaterThan(0);
      // Every launched child's task runs and exits, all at once, each event twice: their ends start concurrent fills.
      await Promise.all(
        launched.map(async (child) => {
          const task = ecsTask(child.runId);
          await Promise.all([applyTaskEvent(task.running), applyTaskEvent(task.running)]);
          running.delete(child.runId);
          account.stop(task.taskArn);
          const stopped = task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 });
          await Promise.all([applyTaskEvent(stopped), applyTaskEvent(stopped)]);
        }),
      );
      status = (await platform.runs.get(OWNER, parent.runId)).status;
    }
    const done = await platform.runs.get(OWNER, parent.runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', arrayProperties: { nextIndex: SIZE, statusSummary: { SUCCEEDED: SIZE } } });
    expect(mostRunning).toBeLessThanOrEqual(PARALLELISM);

    // Each child inserted once (no fill repeated another's writes), started by one RunTask call, none throttled.
    const childInserts = [...inserts].filter(([runId]) => runId.startsWith(`${parent.runId}-`));
    expect(childInserts).toHaveLength(SIZE);
    expect(childInserts.every(([, count]) => count === 1)).toBe(true);
    const started = cloud.ecs.commandCalls(RunTaskCommand).filter((call) => call.args[0].input.startedBy?.startsWith(`${parent.runId}-`));
    expect(started).toHaveLength(SIZE);
    expect(account.counts).toMatchObject({ throttled: 0, conflicts: 0 });
  }, 120_000);

  it("a fill that finds the parent held wakes its holder, whose release then fails until it has read again; a crashed fill's claim expires", async () => {
    const { appId } = await createApp(platform, { cpu: 0.25, memoryMiB: 512 });
    const parent = await platform.runs.create(OWNER, appId, { arrayProperties: { size: 4 }, parallelism: 1 });
    const arrays = new ArrayStore(platform.db);
    const now = Date.now();

    // Held (as by a fill in another process): a fill creates nothing and wakes the holder.
    const held = await arrays.claimFill(parent.runId, 'holder', now, now + 60_000);
    expect(held).toMatchObject({ wakes: 0, fillerToken: 'holder' });
    expect(await arrays.claimFill(parent.runId, 'other', now, now + 60_000)).toBeUndefined();
    const first = (await children(parent.runId))[0]!;
    const task = ecsTask(first.runId);
    await applyTaskEvent(task.running);
    await applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }));
    expect(await children(parent.runId)).toHaveLength(1);
    // The holder cannot let go on its old read: it reads again (one wake-up), then lets go; then fills go on.
    expect(await arrays.releaseFill(parent.runId, 'holder', held!.wakes)).toBe(false);
    const again = await arrays.fillState(parent.runId);
    expect(again).toMatchObject({ wakes: 1, fillerToken: 'holder', parent: { arrayProperties: { nextIndex: 1, statusSummary: { SUCCEEDED: 1 } } } });
    expect(await arrays.releaseFill(parent.runId, 'holder', again!.wakes)).toBe(true);
    await platform.runs.sweep({ describe: false });
    expect(await children(parent.runId)).toHaveLength(2);

    // A claim its fill never let go of (a crash) stops holding the parent once expired.
    const later = Date.now();
    expect(await arrays.claimFill(parent.runId, 'crashed', later - 60_000, later - 1)).toBeDefined();
    const second = (await children(parent.runId))[1]!;
    const next = ecsTask(second.runId);
    await applyTaskEvent(next.running);
    await applyTaskEvent(next.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }));
    expect((await children(parent.runId)).map((child) => child.arrayProperties!.index)).toEqual([0, 1, 2]);
    // Storage attributes only: the API's run shows neither the claim nor the wake-ups.
    expect(Object.keys(await platform.runs.get(OWNER, parent.runId))).not.toEqual(expect.arrayContaining(['arrayFiller']));
  }, 60_000);
});
