/**
 * Array jobs' fan-out (issue 21; `npx tsx bench/arrays.ts [size] [devSize] [largeSize]`, or main() from bench/run.ts; a
 * devSize of 0 runs the mock's part alone, BENCH_DETAIL=1 adds launches per second and DynamoDB calls per expression):
 *
 * 1. Dev mode on real Docker: an array of `devSize` children (default 1,000) of `sh -c :` with parallelism 20, from the
 *    POST to the parent's terminal status: children per second, and the most children running at once (from their
 *    recorded start and stop times; must be ≤ 20).
 * 2. The cloud backend against the ECS mock that enforces Fargate's launch rate (100 of burst, 20 a second:
 *    ThrottlingException beyond) and a 64-vCPU quota (test/aws/fixtures.ts FargateAccount): an array of `size` children
 *    (default 1,000) of 0.25 vCPU with parallelism 1,000, each task running 5 s on its own clock, the launch queue drained
 *    as the reconciler does (the sweep, then the launch queue until 2 s before its 55 s timeout). Figures: time to launch
 *    every child, against the least time the bucket allows (100 at once, then 20 a second: ≥ 90 % of it is the target),
 *    throttled calls, DynamoDB calls per child, the bench process's CPU per child.
 * 3. With `largeSize` (BENCH_ARRAYS_LARGE), part 2 again with that many children (10,000: Batch's largest array).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTerminal, type Run } from '../shared/domain.js';
import { ENV } from '../shared/env.js';
import { RECONCILER_TIMEOUT_SECONDS } from '../shared/cloud-limits.js';
import { taskStateChangeHandler } from '../shared/lambda/task-state-change.js';
import { loadConfig } from '../local/config.js';
import { startServer } from '../local/server.js';
import { FARGATE_LAUNCH_RATE } from '../shared/aws/fargate-capacity.js';
import { FargateAccount } from '../test/aws/fixtures.js';
import { createApp, ecsTask, OWNER, startCloud } from '../test/functions/support.js';
import { jsonClient, signUp } from './client.js';
import { dynaliteProcess } from './lambda.js';

const DEV_PARALLELISM = 20;
const VCPU_QUOTA = 64;
const TASK_SECONDS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The most intervals open at once. */
function maxOverlap(intervals: { start: number; stop: number }[]): number {
  const edges = intervals.flatMap(({ start, stop }) => [
    { at: start, delta: 1 },
    { at: stop, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (open += edge.delta));
  return most;
}

/** Counts the commands sent through `client`, by name (e.g. QueryCommand), as they are sent. */
function countCommands(client: { middlewareStack: { add: (mw: any, options: any) => void } }): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next: any, context: any) => (args: any) => {
      const input = args.input ?? {};
      const what = process.env.BENCH_DETAIL
        ? `${context.commandName}[${String(input.Key?.pk ?? input.Item?.pk ?? input.ExpressionAttributeValues?.[':pk'] ?? '').replace(/[0-9A-Z]{26}.*$/, '*')}|${(input.UpdateExpression ?? input.ConditionExpression ?? '').slice(0, 50)}]`
        : context.commandName;
      counts.set(what, (counts.get(what) ?? 0) + 1);
      if (!process.env.BENCH_DETAIL) return next(args);
      const t = performance.now();
      return next(args).finally(() => counts.set(`${what} ms`, (counts.get(`${what} ms`) ?? 0) + performance.now() - t));
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  return counts;
}

/** Part 1: dev mode. */
export async function devFigures(size = 1_000): Promise<{ seconds: number; childrenPerSecond: number; maxRunning: number; status: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-arrays-'));
  const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir, MAX_ACTIVE_RUNS_PER_USER: String(DEV_PARALLELISM) }), port: 0 });
  try {
    const call = jsonClient(server.url);
    const token = await signUp(call, 'bench-arrays@example.com');
    const api = (method: string, path: string, body?: unknown) => call(method, path, body, token);
    const app = await api('POST', '/apps', { name: 'bench-array', image: 'containerizer/busybox:latest', command: ['sh', '-c', ':'] });
    const t0 = performance.now();
    const { runId } = await api('POST', `/apps/${app.appId}/runs`, { arrayProperties: { size }, parallelism: DEV_PARALLELISM });
    let parent: Run;
    for (;;) {
      parent = (await api('GET', `/runs/${runId}`)) as Run;
      if (isTerminal(parent.status)) break;
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const children: Run[] = [];
    let cursor: string | undefined;
    do {
      const page = await api('GET', `/runs/${runId}/children?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      children.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const maxRunning = maxOverlap(children.map((c) => ({ start: Date.parse(c.startedAt!), stop: Date.parse(c.stoppedAt!) })));
    console.log(
      `\nArray job, dev mode: ${size} children of \`sh -c :\`, parallelism ${DEV_PARALLELISM}: ${parent.status} in ${seconds.toFixed(1)} s ` +
        `(${(size / seconds).toFixed(1)} children/s); at most ${maxRunning} running at once ${maxRunning <= DEV_PARALLELISM ? 'MET' : 'NOT MET'}`,
    );
    return { seconds, childrenPerSecond: size / seconds, maxRunning, status: parent.status };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Part 2: the cloud backend against the Fargate-rate mock. */
export async function cloudFigures(size = 1_000): Promise<{
  launchSeconds: number;
  launchesPerSecond: number;
  shareOfRate: number;
  dynamoCallsPerChild: number;
  throttled: number;
  status: string;
}> {
  const dynamo = await dynaliteProcess();
  const cloud = await startCloud({ dynamoEndpoint: dynamo.endpoint });
  try {
    cloud.env[ENV.FARGATE_VCPU_QUOTA] = String(VCPU_QUOTA);
    cloud.env[ENV.MAX_ACTIVE_RUNS_PER_USER] = String(size);
    const account = new FargateAccount(VCPU_QUOTA);
    cloud.fargate = account;
    const platform = await cloud.platform();
    const dynamoCalls = countCommands(platform.db.doc);
    const applyTaskEvent = taskStateChangeHandler(platform);
    const { appId } = await createApp(platform, { cpu: 0.25, memoryMiB: 512 });
    const launchedAt: number[] = [];
    const taskEnds: Promise<void>[] = [];
    const runTask = account.runTask.bind(account);
    account.runTask = (input, vcpus, start) =>
      runTask(input, vcpus, () => {
        const taskArn = start();
        launchedAt.push(performance.now());
        taskEnds.push(runOwnClock(input.startedBy!));
        return taskArn;
      });
    const runOwnClock = async (runId: string) => {
      const task = ecsTask(runId, { runningSeconds: TASK_SECONDS });
      await sleep(200);
      await applyTaskEvent(task.running);
      await sleep(TASK_SECONDS * 1000 - 200);
      account.stop(task.taskArn);
      await applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }));
    };
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const parent = await platform.runs.create(OWNER, appId, { arrayProperties: { size }, parallelism: size });
    let status = parent.status;
    // The reconciler's part, tick by tick: the sweep (which resumes the array), then the launch queue drained (which fills
    // the array too) until 2 s before its 55 s timeout, or until no run is active; until the parent ends.
    while (!isTerminal(status)) {
      await platform.runs.sweep({ describe: false });
      await platform.runs.drainQueue(new Date(Date.now() + (RECONCILER_TIMEOUT_SECONDS - 2) * 1000));
      status = (await platform.runs.get(OWNER, parent.runId)).status;
    }
    await Promise.all(taskEnds);
    const launchSeconds = (launchedAt.at(-1)! - t0) / 1000;
    const launchesPerSecond = launchedAt.length / launchSeconds;
    // The least time Fargate's bucket allows for `size` launches from a full bucket: the burst at once, the rest at its rate.
    const boundSeconds = Math.max(0, size - FARGATE_LAUNCH_RATE.burst) / FARGATE_LAUNCH_RATE.perSecond;
    const shareOfRate = boundSeconds > 0 ? boundSeconds / launchSeconds : 1;
    const calls = [...dynamoCalls].filter(([name]) => !name.endsWith(' ms'));
    const perChild = calls.reduce((sum, [, n]) => sum + n, 0) / size;
    if (process.env.BENCH_DETAIL) {
      const perSecond = new Map<number, number>();
      for (const at of launchedAt) perSecond.set(Math.floor((at - t0) / 1000), (perSecond.get(Math.floor((at - t0) / 1000)) ?? 0) + 1);
      console.log(`launches per second: ${[...perSecond].map(([second, n]) => `${second}:${n}`).join(' ')}`);
      console.log(`DynamoDB calls (and ms) per child: ${[...dynamoCalls].map(([name, n]) => `${name} ${(n / size).toFixed(2)}`).join(', ')}`);
    }
    const cpuMsPerChild = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 / size;
    console.log(
      `\nArray job, cloud (Fargate-rate mock: burst ${FARGATE_LAUNCH_RATE.burst}, ${FARGATE_LAUNCH_RATE.perSecond}/s; ${VCPU_QUOTA} vCPU; ${TASK_SECONDS} s tasks): ` +
        `${size} children launched in ${launchSeconds.toFixed(1)} s (${launchesPerSecond.toFixed(1)}/s); the rate allows ${boundSeconds.toFixed(1)} s: ` +
        `${(shareOfRate * 100).toFixed(0)} % of it (target ≥ 90 %: ${shareOfRate >= 0.9 ? 'MET' : 'NOT MET'}); parent ${status}; ` +
        `tasks started: ${account.counts.started} (one per child: ${account.counts.started === size}); ` +
        `throttled calls: ${account.counts.throttled}, quota refusals: ${account.counts.quota}, max vCPU ≤ ${VCPU_QUOTA}: ${account.vcpusInUse <= VCPU_QUOTA}; ` +
        `DynamoDB calls per child: ${perChild.toFixed(1)} (${calls.map(([name, n]) => `${name.replace('Command', '')} ${(n / size).toFixed(2)}`).join(', ')}); ` +
        `the bench process's CPU per child: ${cpuMsPerChild.toFixed(1)} ms`,
    );
    return { launchSeconds, launchesPerSecond, shareOfRate, dynamoCallsPerChild: perChild, throttled: account.counts.throttled, status };
  } finally {
    await cloud.close();
    await dynamo.close();
  }
}

/**
 * The figures: dev mode's `devSize` children, the mock's `size`, and, when `largeSize` > 0 (BENCH_ARRAYS_LARGE, e.g. 10000:
 * about 8 minutes at the rate), the mock's `largeSize` too.
 */
export async function main(size = 1_000, devSize = 1_000, largeSize = Number(process.env.BENCH_ARRAYS_LARGE ?? 0)): Promise<void> {
  await devFigures(devSize);
  await cloudFigures(size);
  if (largeSize > 0) await cloudFigures(largeSize);
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [size, devSize, largeSize] = process.argv.slice(2).map(Number);
  if (devSize === 0) await cloudFigures(size ?? 1_000);
  else await main(size ?? 1_000, devSize ?? 1_000, largeSize);
}
