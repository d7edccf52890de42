/**
 * The live follow's budget (shared/lambda/follow-budget.ts) through the log-follow function's
 * handler, on dynalite and a CloudWatch Logs stand-in that enforces GetLogEvents' quota: a user's
 * follows are capped, a follow ends (and frees its slot) once its client has gone, and followers
 * share one GetLogEvents budget instead of getting each other throttled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logStreamName } from '../../shared/aws/cloudwatch-logs.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { Principal } from '../../shared/domain.js';
import { FollowBudget, MAX_READ_WAIT_MS } from '../../shared/lambda/follow-budget.js';
import { FOLLOW_POLL_MS } from '../../shared/http/log-follow.js';
import { streamingHandler } from '../../shared/lambda/api.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { AppCreate } from '../../shared/schemas.js';
import { SharedTokenBucket } from '../../shared/store/token-bucket.js';
import { sseEvents } from '../support/sse.js';
import {
  ecsTask,
  GET_LOG_EVENTS_QUOTA,
  httpEvent,
  installLambdaStreamingRuntime,
  invokeStreaming,
  startCloud,
  startFakeCloudWatchLogs,
  type Cloud,
  type FakeCloudWatchLogs,
  type StoredLogEvent,
} from './support.js';

let cloud: Cloud;
let cloudWatch: FakeCloudWatchLogs;
let platform: CloudPlatform;
let handler: Parameters<typeof invokeStreaming>[0];
let removeStreamingRuntime: () => void;
let token: string;
let owner: Principal;
const savedEndpoint = process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
const FOLLOWS_PER_USER = 2;

beforeAll(async () => {
  cloud = await startCloud();
  cloudWatch = await startFakeCloudWatchLogs({ quota: GET_LOG_EVENTS_QUOTA });
  // The platform's CloudWatch Logs client reads its endpoint from the environment, as the bundle's does.
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = cloudWatch.url;
  platform = await cloud.platform();
  removeStreamingRuntime = installLambdaStreamingRuntime();
  handler = streamingHandler(platform, new FollowBudget(platform.db, { followsPerUser: FOLLOWS_PER_USER, readsPerSecond: 4 })) as typeof handler;
  const user = await platform.auth.register('budget@example.com', 'correct horse battery', '203.0.113.9');
  owner = { userId: user.userId, email: user.email, role: 'user' };
  token = (await platform.auth.login('budget@example.com', 'correct horse battery', '203.0.113.9')).accessToken;
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
  else process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = savedEndpoint;
  removeStreamingRuntime?.();
  await cloud?.close();
  await cloudWatch?.close();
});

let apps = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A RUNNING run of the user, its log stream holding one line. */
async function runningRun() {
  const app = await platform.apps.create(owner, AppCreate.parse({ name: `follow-${++apps}`, image: 'public.ecr.aws/docker/library/busybox:1.36' }));
  const run = await platform.runs.create(owner, app.appId, {});
  const task = ecsTask(run.runId);
  await taskStateChangeHandler(platform)(task.running);
  const log: StoredLogEvent[] = [{ timestamp: Date.now(), message: 'first line' }];
  cloudWatch.streams.set(logStreamName('run', task.taskArn), log);
  return {
    run,
    log,
    finish: () => taskStateChangeHandler(platform)(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'done', exitCode: 0 })),
  };
}

/** Opens a follow of `runId` and waits for its first log line. */
async function follow(runId: string) {
  const event = httpEvent('GET', `/runs/${runId}/logs`, { token });
  Object.assign(event.headers, { accept: 'text/event-stream' });
  const invocation = await invokeStreaming(handler, event);
  if (invocation.response.status === 200) {
    const events = sseEvents(invocation.response);
    const first = await events.next();
    expect(first.value).toMatchObject({ event: 'log' });
    return { ...invocation, events };
  }
  return { ...invocation, events: undefined };
}

describe('the live follow budget', () => {
  it("refuses a user's follow beyond the cap with a 429, and admits it once a follow has ended", async () => {
    const runs = await Promise.all([runningRun(), runningRun(), runningRun()]);
    const open = [await follow(runs[0]!.run.runId), await follow(runs[1]!.run.runId)];
    const refused = await follow(runs[2]!.run.runId);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toBe('5');
    expect(await refused.response.json()).toMatchObject({ status: 429, detail: expect.stringContaining(`${FOLLOWS_PER_USER} live log follows open`) });
    await refused.done;

    // The run ends: its follow writes `end`, and its slot is free again.
    await runs[0]!.finish();
    for await (const event of open[0]!.events!) if (event.event === 'end') break;
    await open[0]!.done;
    const admitted = await follow(runs[2]!.run.runId);
    expect(admitted.response.status).toBe(200);
    for (const invocation of [open[1]!, admitted]) invocation.disconnect();
    await Promise.all([open[1]!.done, admitted.done]);
  });

  it('stops polling once the client has gone, and frees its slot', async () => {
    const { run } = await runningRun();
    const first = await follow(run.runId);
    const second = await follow(run.runId);
    first.disconnect();
    second.disconnect();
    await Promise.all([first.done, second.done]);
    // Both slots are free again: two more follows are admitted.
    const again = [await follow(run.runId), await follow(run.runId)];
    expect(again.map((invocation) => invocation.response.status)).toEqual([200, 200]);
    for (const invocation of again) invocation.disconnect();
    await Promise.all(again.map((invocation) => invocation.done));
    // No follow of this run reads on: a follow left behind would poll at least every FOLLOW_POLL_MS.max for STREAMED_FOLLOW_MS (5 min).
    // An absence takes time to show: one read already waiting for its slot may still land, then nothing for a whole poll interval.
    const quiet = FOLLOW_POLL_MS.max + MAX_READ_WAIT_MS;
    await sleep(quiet);
    const calls = cloudWatch.calls();
    await sleep(FOLLOW_POLL_MS.max + 1_000);
    expect(cloudWatch.calls()).toBe(calls);
  }, 60_000);

  it('gives every caller of a shared bucket its own slot: a burst at once, then one per interval, none beyond the wait', async () => {
    const bucket = new SharedTokenBucket(platform.db, `test-bucket-${Date.now()}`, { perSecond: 10, burst: 3 });
    const now = Date.now();
    const slots = await Promise.all(Array.from({ length: 20 }, () => bucket.reserve(1_000, now)));
    const granted = slots.filter((slot): slot is number => slot !== undefined).sort((a, b) => a - b);
    // 3 at once, then one each 100 ms up to the 1 s wait: 10 more.
    expect(granted.map((slot) => slot - now)).toEqual([0, 0, 0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(slots.filter((slot) => slot === undefined)).toHaveLength(7);
  });
});
