/**
 * Array jobs on the cloud backend (issue 21): the children of a parent fan out through RunTask, one task a call (each child's
 * env differs: its index, its run token), within the RunTask rate and the account's Fargate vCPU quota, against the ECS mock
 * that enforces both (test/aws/fixtures.ts FargateAccount); children over the quota wait in the launch queue, never FAILED.
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { Run } from '../../shared/domain.js';
import { ENV } from '../../shared/env.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { FargateAccount } from '../aws/fixtures.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

/** The account's quota here: 5 vCPUs, twenty tasks of 0.25 vCPU. */
const QUOTA = 5;
const SIZE = 120;
const PARALLELISM = 40;

let cloud: Cloud;
let platform: CloudPlatform;
let applyTaskEvent: ReturnType<typeof taskStateChangeHandler>;

beforeAll(async () => {
  cloud = await startCloud();
  cloud.env[ENV.FARGATE_VCPU_QUOTA] = String(QUOTA);
  cloud.env[ENV.MAX_ACTIVE_RUNS_PER_USER] = '1000';
  // Fargate's own launch rate (burst 100, 20 a second), enforced: a call over it is a ThrottlingException.
  cloud.fargate = new FargateAccount(QUOTA);
  platform = await cloud.platform();
  applyTaskEvent = taskStateChangeHandler(platform);
});
afterAll(() => cloud?.close());

/** The task of `run` runs and exits with `exitCode`: its events applied (which start the next children), its vCPUs freed. */
async function finish(run: Run, exitCode = 0): Promise<void> {
  const task = ecsTask(run.runId);
  await applyTaskEvent(task.running);
  cloud.fargate!.stop(task.taskArn);
  await applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode }));
}

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

describe('array jobs in the cloud', () => {
  it('fans out 120 children within the vCPU quota and the RunTask rate, each with its own index, and ends the parent with the counts', async () => {
    const { appId } = await createApp(platform, { cpu: 0.25, memoryMiB: 512 });
    const parent = await platform.runs.create(OWNER, appId, { arrayProperties: { size: SIZE }, parallelism: PARALLELISM });
    expect(parent.arrayProperties).toMatchObject({ size: SIZE, parallelism: PARALLELISM, nextIndex: PARALLELISM });

    // Forty children exist; twenty fit the quota, the others wait PENDING in the launch queue.
    let now = await children(parent.runId);
    expect(now).toHaveLength(PARALLELISM);
    expect(now.filter((child) => child.taskRef)).toHaveLength(20);
    expect(now.filter((child) => !child.taskRef).every((child) => child.status === 'PENDING' && child.launchRetry)).toBe(true);

    for (let round = 0; round < 60; round++) {
      const running = now.filter((child) => child.taskRef && child.status !== 'SUCCEEDED' && child.status !== 'FAILED');
      // Index 7 fails: the parent ends FAILED with the counts.
      for (const child of running) await finish(child, child.arrayProperties!.index === 7 ? 1 : 0);
      await platform.runs.drainQueue(new Date(Date.now() + 2_000), 20);
      expect(cloud.fargate!.vcpusInUse).toBeLessThanOrEqual(QUOTA);
      now = await children(parent.runId);
      if ((await platform.runs.get(OWNER, parent.runId)).status === 'FAILED') break;
    }
    const done = await platform.runs.get(OWNER, parent.runId);
    expect(done).toMatchObject({
      status: 'FAILED',
      stoppedReason: '120 of 120 children ended: 119 SUCCEEDED, 1 FAILED',
      arrayProperties: { nextIndex: SIZE, statusSummary: { SUCCEEDED: 119, FAILED: 1, STOPPED: 0, TIMED_OUT: 0 } },
    });
    expect(now.map((child) => child.arrayProperties!.index)).toEqual(Array.from({ length: SIZE }, (_, index) => index));

    // One task a RunTask call, each child's own index; none refused for the rate, none twice.
    const calls = cloud.ecs.commandCalls(RunTaskCommand).map((call) => call.args[0].input);
    expect(calls.every((input) => (input.count ?? 1) === 1)).toBe(true);
    const started = calls.filter((input) => input.startedBy?.startsWith(`${parent.runId}-`));
    const indexOf = (input: (typeof calls)[number]) =>
      input.overrides!.containerOverrides![0]!.environment!.find((e) => e.name === 'CONTAINERIZER_ARRAY_INDEX')?.value;
    expect(new Set(started.map(indexOf)).size).toBe(SIZE);
    expect(cloud.fargate!.counts).toMatchObject({ started: SIZE, throttled: 0, conflicts: 0 });
  }, 120_000);
});
