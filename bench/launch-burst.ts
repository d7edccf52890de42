/**
 * A launch burst on the cloud backend (`npx tsx bench/launch-burst.ts [runs]`, or main() from
 * bench/run.ts): RUNS runs (default 2,000) submitted at once against an ECS mock that enforces
 * Fargate's launch token bucket (100 tasks of burst, 20 per second: ThrottlingException beyond)
 * and a 64-vCPU quota (ECS's "You've reached the limit on the number of vCPUs…" in failures[]),
 * with the reconciler ticking every minute as EventBridge runs it (sweep, then the launch queue
 * until 2 s before its 55 s timeout). Each task runs 12–20 s and exits with its run's code.
 *
 * Checks: every run ends in its true status (exit 0 → SUCCEEDED, else FAILED with that code),
 * none fails for capacity, the quota is never exceeded, and the launches run at ≥ 90 % of the
 * allowed rate: the rate of an ideal launcher that starts each run, in order, the moment it has
 * been submitted, the bucket has a token and the quota has room (simulated on the same runs,
 * submission times and task times: on a loaded machine, submitting is slower than launching).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { monotonicFactory } from 'ulid';
import { forEachLimited } from '../shared/concurrency.js';
import { isTerminal, type Run } from '../shared/domain.js';
import { ENV } from '../shared/env.js';
import { RECONCILER_TIMEOUT_SECONDS } from '../shared/cloud-limits.js';
import { reconcilerHandler } from '../shared/lambda/reconciler.js';
import { taskStateChangeHandler } from '../shared/lambda/task-state-change.js';
import { FargateAccount } from '../test/aws/fixtures.js';
import { createApp, ecsTask, OWNER, startCloud } from '../test/functions/support.js';
import { dynaliteProcess } from './lambda.js';

const VCPU_QUOTA = 64;
const RATE = { burst: 100, perSecond: 20 };
/** How long each task runs (s): 12–20, by run (long enough for the quota to bind, as well as the bucket). */
const taskSeconds = (i: number) => 12 + 2 * (i % 5);
/** The two apps' vCPUs: 0.25 and 0.5, alternating runs. */
const cpuOf = (i: number) => (i % 2 === 0 ? 0.25 : 0.5);
/** Creates in flight at once: the API's concurrent invocations. */
const SUBMIT_CONCURRENCY = 50;
const TICK_MS = 60_000;

/** The burst's figures. */
export interface LaunchBurstFigures {
  runs: number;
  launchSeconds: number;
  launchesPerSecond: number;
  allowedPerSecond: number;
  ratio: number;
  wrongStatus: number;
  failedForCapacity: number;
  maxVcpusInUse: number;
}

export async function main(runs = 2_000): Promise<LaunchBurstFigures> {
  const dynamo = await dynaliteProcess();
  const cloud = await startCloud({ dynamoEndpoint: dynamo.endpoint });
  const ticker: { timer?: NodeJS.Timeout; running?: Promise<void> } = {};
  try {
    cloud.env[ENV.FARGATE_VCPU_QUOTA] = String(VCPU_QUOTA);
    const account = new FargateAccount(VCPU_QUOTA, RATE);
    cloud.fargate = account;
    const platform = await cloud.platform();
    const applyTaskEvent = taskStateChangeHandler(platform);
    const reconcile = reconcilerHandler(platform);
    const apps = [await createApp(platform, { cpu: 0.25, memoryMiB: 512 }), await createApp(platform, { cpu: 0.5, memoryMiB: 1024 })];

    // Run ids in submission order (the queue's order is the run ids'); each run's index gives its exit code and task time.
    const nextId = monotonicFactory();
    const ids = Array.from({ length: runs }, () => nextId());
    const indexOf = new Map(ids.map((id, i) => [id, i]));
    const launchedAt: number[] = [];
    let maxVcpusInUse = 0;
    const taskEnds: Promise<void>[] = [];
    const runTask = account.runTask.bind(account);
    account.runTask = (input, vcpus, start) =>
      runTask(input, vcpus, () => {
        const taskArn = start();
        launchedAt.push(performance.now());
        maxVcpusInUse = Math.max(maxVcpusInUse, account.vcpusInUse + vcpus);
        taskEnds.push(runTaskOf(input.startedBy!));
        return taskArn;
      });
    // Each task runs and stops on its own clock, its events applied as EventBridge delivers them.
    const runTaskOf = async (runId: string) => {
      const i = indexOf.get(runId)!;
      const task = ecsTask(runId, { runningSeconds: taskSeconds(i) });
      await sleep(200);
      await applyTaskEvent(task.running);
      await sleep(taskSeconds(i) * 1000 - 200);
      account.stop(task.taskArn);
      const code = i % 3;
      await applyTaskEvent(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: code }));
    };

    // The reconciler's schedule: a tick now, then every minute, each with Lambda's remaining time.
    const tick = () => {
      const deadline = Date.now() + RECONCILER_TIMEOUT_SECONDS * 1000;
      ticker.running = reconcile(undefined, { getRemainingTimeInMillis: () => deadline - Date.now() } as Parameters<typeof reconcile>[1]);
    };
    const started = performance.now();
    /** When each run was submitted (ms, performance.now()): no launcher can start a run before it exists. */
    const submittedAt: number[] = [];
    await forEachLimited(
      Array.from({ length: runs }, (_, i) => i),
      SUBMIT_CONCURRENCY,
      async (i) => {
        submittedAt[i] = performance.now();
        await platform.runs.create(OWNER, apps[i % 2]!.appId, {}, { trigger: 'manual', runId: ids[i] });
        // The minute's tick comes as the burst begins (a burst into an idle deployment may wait up to one tick for it).
        if (i === 0) {
          tick();
          ticker.timer = setInterval(tick, TICK_MS);
        }
      },
    );
    const submitSeconds = (performance.now() - started) / 1000;

    let finished: Run[] = [];
    for (;;) {
      await Promise.all(taskEnds.slice());
      finished = await Promise.all(ids.map((id) => platform.runs.get(OWNER, id)));
      if (finished.every((r) => isTerminal(r.status))) break;
      await sleep(1_000);
    }
    clearInterval(ticker.timer);
    await ticker.running;

    const wrong = finished.filter((r, i) => r.status !== (i % 3 === 0 ? 'SUCCEEDED' : 'FAILED') || r.exitCode !== i % 3);
    const failedForCapacity = finished.filter((r) => r.status === 'FAILED' && /launch failed/.test(r.stoppedReason ?? '')).length;
    const launchSeconds = (launchedAt.at(-1)! - launchedAt[0]!) / 1000;
    const ideal = idealLaunchSeconds(submittedAt.map((at) => (at - launchedAt[0]!) / 1000));
    const figures: LaunchBurstFigures = {
      runs,
      launchSeconds,
      launchesPerSecond: runs / launchSeconds,
      allowedPerSecond: runs / ideal,
      ratio: ideal / launchSeconds,
      wrongStatus: wrong.length,
      failedForCapacity,
      maxVcpusInUse,
    };
    console.log(
      `\nLaunch burst: ${runs} runs submitted at once (in ${submitSeconds.toFixed(1)} s) against Fargate's launch bucket (${RATE.burst} burst, ${RATE.perSecond}/s) ` +
        `and a ${VCPU_QUOTA}-vCPU quota; tasks of 0.25/0.5 vCPU running 12–20 s; the reconciler every ${TICK_MS / 1000} s`,
    );
    console.table({
      launches: { value: runs, note: `first to last in ${launchSeconds.toFixed(1)} s` },
      'launch rate /s': { value: round(figures.launchesPerSecond), note: `allowed ${round(figures.allowedPerSecond)}/s (ideal launcher, same runs)` },
      'of the allowed rate': { value: `${(figures.ratio * 100).toFixed(1)} %`, note: `target ≥ 90 % ${figures.ratio >= 0.9 ? 'MET' : 'NOT MET'}` },
      'RunTask calls': {
        value: cloud.ecs.commandCalls(RunTaskCommand).length,
        note: `throttled ${account.counts.throttled}, refused for the quota ${account.counts.quota}`,
      },
      'max vCPUs in use': { value: maxVcpusInUse, note: `quota ${VCPU_QUOTA} ${maxVcpusInUse <= VCPU_QUOTA ? 'kept' : 'EXCEEDED'}` },
      'in their true status': { value: `${runs - wrong.length}/${runs}`, note: wrong.length === 0 ? 'MET' : 'NOT MET' },
      'failed for capacity': { value: failedForCapacity, note: failedForCapacity === 0 ? 'MET' : 'NOT MET' },
    });
    return figures;
  } finally {
    clearInterval(ticker.timer);
    await cloud.close();
    await dynamo.close();
  }
}

/**
 * Seconds from the first launch to the last of an ideal launcher: each run in order, at the
 * earliest moment it has been submitted (`submitted[i]`, s from the first launch), the bucket has
 * a token and the quota room for its vCPUs (its task holding them for its running time).
 */
export function idealLaunchSeconds(submitted: readonly number[]): number {
  const runs = submitted.length;
  let tokens: number = RATE.burst;
  let t = 0;
  let inUse = 0;
  const ends: { at: number; vcpus: number }[] = [];
  const advance = (to: number) => {
    tokens = Math.min(RATE.burst, tokens + (to - t) * RATE.perSecond);
    t = to;
  };
  const release = () => {
    for (let k = ends.length - 1; k >= 0; k--) if (ends[k]!.at <= t) inUse -= ends.splice(k, 1)[0]!.vcpus;
  };
  for (let i = 0; i < runs; i++) {
    if (submitted[i]! > t) advance(submitted[i]!);
    release();
    while (inUse + cpuOf(i) > VCPU_QUOTA) {
      advance(Math.min(...ends.map((e) => e.at)));
      release();
    }
    if (tokens < 1) advance(t + (1 - tokens) / RATE.perSecond);
    tokens -= 1;
    inUse += cpuOf(i);
    ends.push({ at: t + taskSeconds(i), vcpus: cpuOf(i) });
  }
  return t;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const round = (x: number) => Math.round(x * 10) / 10;

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const runs = Number(process.argv[2] ?? 2_000);
  await main(runs);
}
