/**
 * GET /costs' service on the cloud composition (dynalite, ECS events): roll-ups by owner, app and schedule
 * from the listings' Queries, each owner seeing their own runs and an admin everyone's, a run counted once
 * however often its events come, and the monthly budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/domain.js';
import { createCloudPlatform, type CloudPlatform } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { CostQuery } from '../../shared/schemas.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud, type TaskStop } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
const OTHER: Principal = { userId: 'user-2', role: 'user' };
const ADMIN: Principal = { userId: 'admin-1', role: 'admin' };
const exited: TaskStop = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 };

beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.close());

/** A run of `appId` by `principal` that runs `seconds` s, its stop event delivered twice. */
async function finishedRun(principal: Principal, appId: string, seconds: number) {
  const run = await platform.runs.create(principal, appId, {});
  const task = ecsTask(run.runId, { runningSeconds: seconds });
  const handler = taskStateChangeHandler(platform);
  for (const event of [task.running, task.stopped(exited), task.stopped(exited)]) await handler(event);
  return platform.runs.get(principal, run.runId);
}

describe('costs', () => {
  it("sums each owner's own runs, everyone's for an admin, a run once however often its stop event came", async () => {
    // $3.6 per vCPU-hour: 0.25 vCPU is $0.00025 a second; memory free.
    platform = await createCloudPlatform({
      ...cloud.env,
      [ENV.FARGATE_PRICE_VCPU_HOUR]: '3.6',
      [ENV.FARGATE_PRICE_GB_HOUR]: '0.0001',
      [ENV.MONTHLY_BUDGET_USD]: '0.05',
    });
    const mine = await createApp(platform);
    const { appId: _appId, ownerId: _ownerId, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, updatedBy: _updatedBy, ...body } = mine;
    const theirs = await platform.apps.create(OTHER, { ...body, name: 'theirs' });
    const runs = [await finishedRun(OWNER, mine.appId, 120), await finishedRun(OWNER, mine.appId, 30), await finishedRun(OTHER, theirs.appId, 90)];
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);

    const query = CostQuery.parse({ groupBy: 'owner', period: 'month' });
    const own = await platform.costs.report(OWNER, query);
    expect(own.lines).toEqual([expect.objectContaining({ key: OWNER.userId, runs: 2 })]);
    // 120 s and the 60 s minimum of the 30 s run, at 0.25 vCPU.
    expect(own.lines[0]!.vcpuHours).toBeCloseTo((0.25 * 180) / 3600, 12);

    const all = await platform.costs.report(ADMIN, query);
    expect(all.lines.map((line) => [line.key, line.runs])).toEqual(
      [
        [OWNER.userId, 2],
        [OTHER.userId, 1],
      ].sort(),
    );
    // The owner's runs cost about $0.045 + the platform's share: under the $0.05 budget; one more run of 60 s takes them over.
    await expect(platform.costs.checkBudget(OWNER.userId)).resolves.toBeUndefined();
    await finishedRun(OWNER, mine.appId, 60);
    await expect(platform.runs.create(OWNER, mine.appId, {})).rejects.toMatchObject({ status: 402 });
    await expect(platform.costs.checkBudget(OTHER.userId)).resolves.toBeUndefined();

    const byApp = await platform.costs.report(ADMIN, CostQuery.parse({ groupBy: 'app', ownerId: OTHER.userId }));
    expect(byApp.lines.map((line) => [line.key, line.runs])).toEqual([[theirs.appId, 1]]);
    // One app's or one schedule's runs only; another owner's app is not the caller's to see.
    const ofApp = await platform.costs.report(ADMIN, CostQuery.parse({ groupBy: 'owner', appId: mine.appId }));
    expect(ofApp.lines.map((line) => [line.key, line.runs])).toEqual([[OWNER.userId, 3]]);
    expect((await platform.costs.report(OTHER, CostQuery.parse({ appId: mine.appId }))).lines).toEqual([]);
    expect((await platform.costs.report(OWNER, CostQuery.parse({ scheduleId: 'no-such-schedule' }))).lines).toEqual([]);
  });
});
