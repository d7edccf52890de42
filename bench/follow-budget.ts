/**
 * `npx tsx bench/follow-budget.ts [followers] [seconds]` (or main() from bench/run.ts): live log
 * follows against a CloudWatch Logs stand-in that enforces GetLogEvents' quota (10 requests/s,
 * the lowest Regional figure: test/functions/support.ts GET_LOG_EVENTS_QUOTA), through the
 * log-follow function's handler on dynalite. `followers` follows (default 20, one per running run,
 * each run writing a line every 200 ms) for `seconds` (default 10), twice: without the follow
 * budget (each follower polls on its own) and with it (FOLLOW_READS_PER_SECOND 8 shared). Prints
 * GetLogEvents calls per second, how many were throttled, and how late lines reached the clients
 * (p50 / p95 / max), the figure behind the README's "concurrent followers a deployment serves".
 * Target: with the budget, no call throttled, and calls ≤ the quota.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logStreamName } from '../shared/aws/cloudwatch-logs.js';
import type { CloudPlatform } from '../shared/cloud-platform.js';
import type { Principal } from '../shared/domain.js';
import { streamingHandler } from '../shared/lambda/api.js';
import { DEFAULT_FOLLOW_READS_PER_SECOND, FollowBudget, MAX_READ_WAIT_MS } from '../shared/lambda/follow-budget.js';
import { FOLLOW_POLL_MS } from '../shared/http/log-follow.js';
import { taskStateChangeHandler } from '../shared/lambda/task-state-change.js';
import { AppCreate } from '../shared/schemas.js';
import { sseEvents } from '../test/support/sse.js';
import {
  ecsTask,
  GET_LOG_EVENTS_QUOTA,
  httpEvent,
  installLambdaStreamingRuntime,
  invokeStreaming,
  startCloud,
  startFakeCloudWatchLogs,
  type StoredLogEvent,
} from '../test/functions/support.js';

const LINE_EVERY_MS = 200;
const print = (line: string) => process.stdout.write(line + '\n');

/** One configuration's figures. */
export interface FollowFigures {
  followers: number;
  callsPerSecond: number;
  throttled: number;
  latencyMs: { p50: number; p95: number; max: number };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** Runs both configurations and prints their figures. */
export async function main(followers = 20, seconds = 10): Promise<FollowFigures[]> {
  const figures: FollowFigures[] = [];
  for (const budgeted of [false, true]) figures.push(await measure(followers, seconds, budgeted));
  print(
    `\nLive follows: ${followers} followers for ${seconds} s, a line every ${LINE_EVERY_MS} ms each, GetLogEvents quota ${GET_LOG_EVENTS_QUOTA.perSecond}/s`,
  );
  console.table(
    Object.fromEntries(
      figures.map((f, i) => [
        i === 0 ? 'each follower on its own' : `shared budget (${DEFAULT_FOLLOW_READS_PER_SECOND}/s)`,
        { 'GetLogEvents/s': f.callsPerSecond, throttled: f.throttled, 'line latency p50 ms': f.latencyMs.p50, p95: f.latencyMs.p95, max: f.latencyMs.max },
      ]),
    ),
  );
  const met = figures[1]!.throttled === 0 && figures[1]!.callsPerSecond <= GET_LOG_EVENTS_QUOTA.perSecond;
  print(
    `with the budget: ${figures[1]!.throttled} throttled, ${figures[1]!.callsPerSecond} calls/s (target 0, ≤ ${GET_LOG_EVENTS_QUOTA.perSecond}) ${met ? 'MET' : 'NOT MET'}`,
  );
  return figures;
}

async function measure(followers: number, seconds: number, budgeted: boolean): Promise<FollowFigures> {
  const cloud = await startCloud();
  const cloudWatch = await startFakeCloudWatchLogs({ quota: GET_LOG_EVENTS_QUOTA });
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = cloudWatch.url;
  const removeRuntime = installLambdaStreamingRuntime();
  const timers: NodeJS.Timeout[] = [];
  try {
    const platform: CloudPlatform = await cloud.platform();
    const budget = budgeted ? new FollowBudget(platform.db, { followsPerUser: followers, readsPerSecond: DEFAULT_FOLLOW_READS_PER_SECOND }) : undefined;
    const handler = streamingHandler(platform, budget) as Parameters<typeof invokeStreaming>[0];
    await platform.auth.register('bench-follow@example.com', 'correct horse battery', '203.0.113.1');
    const { accessToken } = await platform.auth.login('bench-follow@example.com', 'correct horse battery', '203.0.113.1');
    const owner: Principal = { userId: (await platform.auth.verify(accessToken)).userId, role: 'user' };

    const logs: StoredLogEvent[][] = [];
    const runIds: string[] = [];
    for (let i = 0; i < followers; i++) {
      const app = await platform.apps.create(owner, AppCreate.parse({ name: `follow-${i}`, image: 'public.ecr.aws/docker/library/busybox:1.36' }));
      const run = await platform.runs.create(owner, app.appId, {});
      const task = ecsTask(run.runId);
      await taskStateChangeHandler(platform)(task.running);
      const log: StoredLogEvent[] = [];
      cloudWatch.streams.set(logStreamName('run', task.taskArn), log);
      logs.push(log);
      runIds.push(run.runId);
    }
    const latencies: number[] = [];
    const callsBefore = cloudWatch.calls();
    const throttledBefore = cloudWatch.throttled();
    const started = performance.now();
    for (const log of logs) timers.push(setInterval(() => log.push({ timestamp: Date.now(), message: String(Date.now()) }), LINE_EVERY_MS));
    const invocations = await Promise.all(
      runIds.map(async (runId) => {
        const event = httpEvent('GET', `/runs/${runId}/logs`, { token: accessToken });
        Object.assign(event.headers, { accept: 'text/event-stream' });
        const invocation = await invokeStreaming(handler, event);
        const reading = (async () => {
          for await (const sse of sseEvents(invocation.response)) if (sse.event === 'log') latencies.push(Date.now() - Number(JSON.parse(sse.data).message));
        })().catch(() => undefined);
        return { invocation, reading };
      }),
    );
    await new Promise((done) => setTimeout(done, seconds * 1000));
    const elapsed = (performance.now() - started) / 1000;
    const calls = cloudWatch.calls() - callsBefore;
    const throttled = cloudWatch.throttled() - throttledBefore;
    for (const timer of timers) clearInterval(timer);
    for (const { invocation } of invocations) invocation.disconnect();
    await Promise.all(invocations.map(({ invocation }) => invocation.done.catch(() => undefined)));
    // A follower that was waiting for its slot reads once more before it sees its client gone.
    await new Promise((done) => setTimeout(done, MAX_READ_WAIT_MS + FOLLOW_POLL_MS.max));
    const round = (n: number) => Math.round(n);
    return {
      followers,
      callsPerSecond: Math.round((calls / elapsed) * 10) / 10,
      throttled,
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), max: round(Math.max(...latencies)) },
    };
  } finally {
    for (const timer of timers) clearInterval(timer);
    removeRuntime();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
    else process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = savedEndpoint;
    await cloudWatch.close();
    await cloud.close();
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  await main(Number(process.argv[2] ?? 20), Number(process.argv[3] ?? 10));
}
