/**
 * The launch queue of the cloud backend (RunService.drainQueue, run by the reconciler): runs
 * beyond the account's Fargate vCPU quota wait PENDING, never FAILED, and are launched oldest first
 * as tasks stop, against an ECS mock that enforces Fargate's quota, launch rate and clientToken
 * rules (test/aws/fixtures.ts FargateAccount).
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { Run } from '../../shared/domain.js';
import { ENV } from '../../shared/env.js';
import { reconcilerHandler } from '../../shared/lambda/reconciler.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { FargateAccount, VCPU_QUOTA_REASON } from '../aws/fixtures.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

/** How long (ms) each drain of the queue here may take: generous, for a loaded machine. */
const DRAIN_MS = 2_000;

/** The account's quota in this file: four tasks of 0.25 vCPU. */
const QUOTA = 1;

let cloud: Cloud;
let platform: CloudPlatform;
let applyTaskEvent: ReturnType<typeof taskStateChangeHandler>;

beforeAll(async () => {
  cloud = await startCloud();
  cloud.env[ENV.FARGATE_VCPU_QUOTA] = String(QUOTA);
  cloud.fargate = new FargateAccount(QUOTA);
  platform = await cloud.platform();
  applyTaskEvent = taskStateChangeHandler(platform);
});
afterAll(() => cloud?.close());

/** The task of `run` runs and exits 0: its events applied, its vCPUs freed. */
async function finish(run: Run): Promise<void> {
  const task = ecsTask(run.runId);
  await applyTaskEvent(task.running);
  cloud.fargate!.stop(task.taskArn);
  await applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }));
}

const runsNow = (ids: string[]) => Promise.all(ids.map((id) => platform.runs.get(OWNER, id)));

describe('the launch queue', () => {
  it("keeps runs beyond the account's vCPU quota PENDING, then launches them oldest first as tasks stop, within the quota", async () => {
    const { appId } = await createApp(platform, { cpu: 0.25, memoryMiB: 512 });
    const created: Run[] = [];
    // One after another, so that creation order is the queue's order.
    for (let i = 0; i < 10; i++) created.push(await platform.runs.create(OWNER, appId, {}));
    const ids = created.map((r) => r.runId);

    // Four fit the quota; ECS refuses the other six with its quota reason, and they wait instead of failing.
    expect(created.filter((r) => r.taskRef)).toHaveLength(4);
    const waiting = created.filter((r) => !r.taskRef);
    expect(waiting.map((r) => r.status)).toEqual(Array(6).fill('PENDING'));
    expect(waiting.every((r) => r.launchRetry?.reason.includes(VCPU_QUOTA_REASON))).toBe(true);
    expect(cloud.fargate!.counts).toMatchObject({ started: 4, quota: 6 });

    // The quota is full: the queue sends ECS nothing it would refuse.
    const calls = cloud.ecs.commandCalls(RunTaskCommand).length;
    expect(await platform.runs.drainQueue(new Date(Date.now() + DRAIN_MS), 50)).toBe(0);
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(calls);

    // Two tasks stop: the two oldest waiting runs are launched, and no more.
    await finish(created[0]!);
    await finish(created[1]!);
    expect(await platform.runs.drainQueue(new Date(Date.now() + DRAIN_MS), 50)).toBe(2);
    let now = await runsNow(ids);
    expect(now.map((r) => Boolean(r.taskRef))).toEqual([true, true, true, true, true, true, false, false, false, false]);
    expect(cloud.fargate!.vcpusInUse).toBeLessThanOrEqual(QUOTA);

    // Tasks go on stopping as the reconciler drains the queue, until every run has run.
    for (let round = 0; round < 10 && now.some((r) => r.status !== 'SUCCEEDED'); round++) {
      for (const run of now.filter((r) => r.taskRef && r.status !== 'SUCCEEDED')) await finish(run);
      await platform.runs.drainQueue(new Date(Date.now() + DRAIN_MS), 50);
      expect(cloud.fargate!.vcpusInUse).toBeLessThanOrEqual(QUOTA);
      now = await runsNow(ids);
    }
    expect(now.map((r) => r.status)).toEqual(Array(10).fill('SUCCEEDED'));
    expect(cloud.fargate!.counts).toMatchObject({ started: 10, quota: 6, conflicts: 0, throttled: 0 });
  });

  it('is drained by the reconciler after its sweep, until shortly before its timeout when runs still wait', async () => {
    const { appId } = await createApp(platform, { cpu: 1, memoryMiB: 2048 });
    const first = await platform.runs.create(OWNER, appId, {});
    const second = await platform.runs.create(OWNER, appId, {});
    expect(first.taskRef).toBeDefined();
    expect(second.status).toBe('PENDING');
    expect(second.taskRef).toBeUndefined();

    // A Lambda context with 8 s left: the reconciler drains until 2 s before it, launching the second run once the first's task stops.
    const context = { getRemainingTimeInMillis: () => 8_000 } as Parameters<ReturnType<typeof reconcilerHandler>>[1];
    const reconciling = reconcilerHandler(platform)(undefined, context);
    await finish(first);
    const started = Date.now();
    await reconciling;
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await platform.runs.get(OWNER, second.runId)).toMatchObject({ status: 'PENDING', taskRef: expect.any(String) });
    await finish(await platform.runs.get(OWNER, second.runId));
  });
});
