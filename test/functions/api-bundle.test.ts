import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logStreamName } from '../../shared/aws/cloudwatch-logs.js';
import { FOLLOW_BYTES } from '../../shared/cloud-limits.js';
import type { Principal } from '../../shared/domain.js';
import { AppCreate } from '../../shared/schemas.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { logger } from '../../shared/logger.js';
import { sseEvents, type SseEvent } from '../support/sse.js';
import {
  API_BUNDLE_BUDGET_KIB,
  bundleFunction,
  ecsTask,
  httpEvent,
  installLambdaStreamingRuntime,
  invokeStreaming,
  startCloud,
  startFakeCloudWatchLogs,
  type Bundle,
  type Cloud,
  type HttpResult,
  type StoredLogEvent,
} from './support.js';

let cloud: Cloud;
let cloudWatch: Awaited<ReturnType<typeof startFakeCloudWatchLogs>>;
let outDir: string;
let bundle: Bundle;
let handler: (event: unknown) => Promise<HttpResult>;
let streamingHandler: Parameters<typeof invokeStreaming>[0];
let removeStreamingRuntime: () => void;
const savedEnv = { ...process.env };

/** Lambda's synchronous invocation payload limit (6 MB; AWS docs, "Lambda quotas"): a buffered response larger than this fails. */
const SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

beforeAll(async () => {
  // The bundle carries its own copy of the SDK, so the mocks do not reach it: it talks to dynalite and to a CloudWatch Logs stand-in.
  cloud = await startCloud();
  cloudWatch = await startFakeCloudWatchLogs();
  outDir = mkdtempSync(join(tmpdir(), 'containerizer-api-bundle-'));
  bundle = await bundleFunction('api', outDir);
  // As deployed, functions/api.ts composes the platform from process.env when it is imported, in a runtime with response streaming.
  Object.assign(process.env, cloud.env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cloudWatch.url });
  removeStreamingRuntime = installLambdaStreamingRuntime();
  ({ handler, streamingHandler } = await import(pathToFileURL(bundle.file).href));
});
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  removeStreamingRuntime?.();
  await cloud?.close();
  await cloudWatch?.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { ...result, json: JSON.parse(result.body) };
}

describe('the api function, bundled as deployed', () => {
  it('stays within its size budget', () => {
    logger.info('api bundle size', { bytes: bundle.bytes, kib: Math.round(bundle.bytes / 102.4) / 10, budgetKiB: API_BUNDLE_BUDGET_KIB });
    expect(bundle.bytes).toBeLessThanOrEqual(API_BUNDLE_BUDGET_KIB * 1024);
  });

  it("carries zod's English messages only, of its ~60 locales", () => {
    const locales = Object.keys(bundle.metafile.inputs).filter((path) => /zod\/v4\/locales\//.test(path));
    expect(locales.map((path) => basename(path))).toEqual(['en.js']);
  });

  it('answers its health check from DynamoDB', async () => {
    const res = await call('GET', '/health');
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ status: 'ok', checks: { store: { ok: true } } });
  });

  it('registers, signs in, creates an app and lists it with the bearer token', async () => {
    const credentials = { email: 'Alice@Example.com', password: 'correct horse battery' };

    const registered = await call('POST', '/auth/register', { body: credentials });
    expect(registered.statusCode).toBe(201);
    expect(registered.json).toEqual({ userId: expect.any(String), email: 'alice@example.com', role: 'user', createdAt: expect.any(String) });

    const login = await call('POST', '/auth/login', { body: credentials });
    expect(login.statusCode).toBe(200);
    expect(login.json).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const token: string = login.json.accessToken;

    const unauthenticated = await call('GET', '/apps');
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['content-type']).toBe('application/problem+json');

    const created = await call('POST', '/apps', {
      token,
      body: { name: 'nightly-report', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['sh', '-c', 'echo hello'] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers).toMatchObject({ etag: '"v1"', location: `/apps/${created.json.appId}` });
    expect(created.json).toMatchObject({
      ownerId: registered.json.userId,
      name: 'nightly-report',
      image: 'public.ecr.aws/docker/library/busybox:1.36',
      command: ['sh', '-c', 'echo hello'],
      env: {},
      cpu: 0.25,
      memoryMiB: 512,
      timeoutSeconds: 3600,
      retry: { maxAttempts: 1 },
      version: 1,
    });

    const listed = await call('GET', '/apps', { token, query: 'limit=10' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json).toEqual({ items: [created.json] });
  });
});

describe('the log follow through the api bundle, as deployed', () => {
  let token: string;
  let owner: Principal;

  beforeAll(async () => {
    const credentials = { email: 'follower@example.com', password: 'correct horse battery' };
    owner = { userId: (await call('POST', '/auth/register', { body: credentials })).json.userId, role: 'user' };
    token = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
  });

  /** A run of the signed-in user, launched (ECS mocked) and seen RUNNING, with its (empty) log stream in the CloudWatch stand-in. */
  async function runningRun() {
    const platform = await cloud.platform();
    const app = await platform.apps.create(owner, AppCreate.parse({ name: `follow-${Date.now()}`, image: 'public.ecr.aws/docker/library/busybox:1.36' }));
    const run = await platform.runs.create(owner, app.appId, {});
    const task = ecsTask(run.runId);
    await taskStateChangeHandler(platform)(task.running);
    const log: StoredLogEvent[] = [];
    cloudWatch.streams.set(logStreamName('run', task.taskArn), log);
    const finish = () => taskStateChangeHandler(platform)(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'done', exitCode: 0 }));
    return { run, log, finish };
  }

  /** GET /runs/{runId}/logs as SSE, as a function URL or API Gateway delivers it (payload format 2.0). */
  const sseRequest = (runId: string, lastEventId?: string) => {
    const event = httpEvent('GET', `/runs/${runId}/logs`, { token });
    Object.assign(event.headers, { accept: 'text/event-stream' }, lastEventId && { 'last-event-id': lastEventId });
    return event;
  };

  it('streams through the function URL: a present line reaches the client within a second, a later one while the response is open', async () => {
    const { run, log, finish } = await runningRun();
    log.push({ timestamp: Date.now(), message: 'present line' });
    const started = performance.now();
    const { response, done } = await invokeStreaming(streamingHandler, sseRequest(run.runId));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');

    const events: SseEvent[] = [];
    for await (const event of sseEvents(response)) {
      events.push(event);
      if (events.length === 1) {
        expect(performance.now() - started).toBeLessThan(1000);
        log.push({ timestamp: Date.now(), message: 'later line' });
      }
      if (event.event === 'log' && JSON.parse(event.data).message === 'later line') await finish();
    }
    await done;
    expect(events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).message)).toEqual(['present line', 'later line']);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'SUCCEEDED', exitCode: 0 });
  });

  it('serves only the log follow on the function URL', async () => {
    const { response, done } = await invokeStreaming(streamingHandler, httpEvent('GET', '/apps', { token }));
    await done;
    expect(response.status).toBe(404);
  });

  it('follows a 40,000-line log in bounded responses, through the function URL and through API Gateway, resuming without loss or repeat', async () => {
    const { run, log, finish } = await runningRun();
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} `.padEnd(120, 'x'));
    const at = Date.now();
    log.push(...lines.map((message, i) => ({ timestamp: at + i, message })));
    await finish();

    /** Follows to the end, one response after another with Last-Event-ID; returns the lines and each response's size. */
    const followAll = async (respond: (lastEventId?: string) => Promise<{ events: SseEvent[]; bytes: number }>) => {
      const received: string[] = [];
      const sizes: number[] = [];
      let lastEventId: string | undefined;
      for (let responses = 0; responses < 100; responses++) {
        const { events, bytes } = await respond(lastEventId);
        sizes.push(bytes);
        received.push(...events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).message));
        lastEventId = events.filter((e) => e.id !== undefined).at(-1)?.id ?? lastEventId;
        if (events.at(-1)?.event === 'end') break;
      }
      return { received, sizes };
    };

    const streamed = await followAll(async (lastEventId) => {
      const invocation = await invokeStreaming(streamingHandler, sseRequest(run.runId, lastEventId));
      const events: SseEvent[] = [];
      for await (const event of sseEvents(invocation.response)) events.push(event);
      await invocation.done;
      return { events, bytes: invocation.bytes() };
    });
    const buffered = await followAll(async (lastEventId) => {
      const result = await handler(sseRequest(run.runId, lastEventId));
      expect(result.headers.link).toMatch(/^<.*\/runs\/.*\/logs>; rel="alternate"$/);
      const events: SseEvent[] = [];
      for await (const event of sseEvents(new Response(result.body))) events.push(event);
      // What Lambda returns to API Gateway: the whole result object, JSON-encoded.
      return { events, bytes: Buffer.byteLength(JSON.stringify(result)) };
    });

    for (const { received, sizes } of [streamed, buffered]) {
      expect(received).toEqual(lines);
      expect(sizes.length).toBeGreaterThan(4);
      // A response ends after FOLLOW_BYTES plus the page that crossed it (1,000 lines here).
      for (const size of sizes) expect(size).toBeLessThan(FOLLOW_BYTES + 200_000);
      expect(Math.max(...sizes)).toBeLessThan(SYNC_PAYLOAD_BYTES);
    }
    logger.info('40,000-line follow', {
      streamedResponses: streamed.sizes.length,
      bufferedResponses: buffered.sizes.length,
      maxBytes: Math.max(...buffered.sizes),
    });
  });
});
