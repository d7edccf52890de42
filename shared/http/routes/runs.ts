/** Routes of runs: start, replay, list, read, history, stop, kill, and the log (a page, or followed as SSE). */
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { FARGATE_STOP_TIMEOUT_SECONDS } from '../../cloud-limits.js';
import type { Platform } from '../../services/platform-services.js';
import { ChildListQuery } from '../../array-schemas.js';
import { LogPage, LogQuery, pageOf, Run, RunCreate, RunHistory, RunListQuery, StopRequestBody } from '../../schemas.js';
import type { Api } from '../app.js';
import { followLogs, logPageView, type FollowOptions } from '../log-follow.js';
import { runView } from '../views.js';
import { idParam, json, lastEventIdHeader, problems, secured, withHeaders } from './common.js';

const params = idParam('runId');

/** What a stop is on Fargate, where ECS fixes the grace per task definition (cloud-limits.ts). */
const FARGATE_STOP =
  `Dev mode (Docker) does exactly this. In the cloud (ECS Fargate) ECS sends SIGTERM and SIGKILLs after the task definition's stopTimeout, ` +
  `which the platform sets to ${FARGATE_STOP_TIMEOUT_SECONDS} s: ECS has no per-call grace and no immediate SIGKILL, so on Fargate graceSeconds is ` +
  `not applied and stop and kill both give the job ${FARGATE_STOP_TIMEOUT_SECONDS} s after SIGTERM.`;

const createRunRoute = createRoute({
  operationId: 'createRun',
  tags: ['Runs'],
  method: 'post',
  path: '/apps/{appId}/runs',
  summary: 'Start a run of the app. 202 with the run as it stands once launched (PENDING, or further along); FAILED when the launch failed',
  security: secured,
  request: { params: idParam('appId'), body: { content: { 'application/json': { schema: RunCreate } }, required: false } },
  responses: {
    202: withHeaders(json(Run, 'accepted'), 'Location'),
    400: problems[400],
    401: problems[401],
    402: problems[402],
    404: problems[404],
    429: problems[429],
    413: problems[413],
  },
});

const listRunsRoute = createRoute({
  operationId: 'listRuns',
  tags: ['Runs'],
  method: 'get',
  path: '/runs',
  summary: 'Runs, newest first (filters: appId, status, from, to)',
  security: secured,
  request: { query: RunListQuery },
  responses: { 200: json(pageOf(Run), 'a page of runs'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

const getRunRoute = createRoute({
  operationId: 'getRun',
  tags: ['Runs'],
  method: 'get',
  path: '/runs/{runId}',
  summary: 'One run',
  description:
    'With the last result the job posted (`result`). The values of the secrets the run received (`secretVersions`) are masked in it as in its logs: ' +
    'every string value and every key holding one has it replaced by `***` (a key that then clashes with another gets ` (2)`, ` (3)`, …), ' +
    'and a number whose digits hold one becomes the string `***` (and is no metric). Values shorter than 4 characters are not masked.',
  security: secured,
  request: { params },
  responses: { 200: json(Run, 'the run'), 401: problems[401], 404: problems[404] },
});

const getRunHistoryRoute = createRoute({
  operationId: 'getRunHistory',
  tags: ['Runs'],
  method: 'get',
  path: '/runs/{runId}/history',
  summary: 'Every accepted status transition',
  security: secured,
  request: { params },
  responses: { 200: json(RunHistory, 'the history'), 401: problems[401], 404: problems[404] },
});

const stopRunRoute = createRoute({
  operationId: 'stopRun',
  tags: ['Runs'],
  method: 'post',
  path: '/runs/{runId}/stop',
  summary: 'SIGTERM, then SIGKILL after graceSeconds (default 10); the run ends STOPPED',
  description: FARGATE_STOP,
  security: secured,
  request: { params, body: { content: { 'application/json': { schema: StopRequestBody } }, required: false } },
  responses: { 202: json(Run, 'stopping'), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409], 413: problems[413] },
});

const killRunRoute = createRoute({
  operationId: 'killRun',
  tags: ['Runs'],
  method: 'post',
  path: '/runs/{runId}/kill',
  summary: 'SIGKILL now; the run ends STOPPED',
  description: FARGATE_STOP,
  security: secured,
  request: { params },
  responses: { 202: json(Run, 'killed'), 401: problems[401], 404: problems[404], 409: problems[409] },
});

const getRunLogsRoute = createRoute({
  operationId: 'getRunLogs',
  tags: ['Runs'],
  method: 'get',
  path: '/runs/{runId}/logs',
  summary: 'Log lines from a cursor; with Accept: text/event-stream, follows until the run ends',
  description:
    'SSE events: `log` (data: one log event; its id is the cursor after it) and `end` when the run is over. ' +
    'Each response is bounded (about 1 MiB, and in time) and opens with a short `retry:`; reconnect with Last-Event-ID to resume: nothing is lost or repeated. ' +
    'In the cloud the API Gateway endpoint answers with what is there now and a `Link: <…>; rel="alternate"` header naming the live endpoint ' +
    '(a Lambda function URL with response streaming, the `LogFollowUrl` stack output) that streams lines as they come, with the same token.',
  security: secured,
  request: { params, query: LogQuery, headers: lastEventIdHeader },
  responses: {
    200: { ...json(LogPage, 'a page of log lines'), content: { 'application/json': { schema: LogPage }, 'text/event-stream': { schema: z.string() } } },
    400: problems[400],
    401: problems[401],
    404: problems[404],
    503: problems[503],
  },
});

const listChildrenRoute = createRoute({
  operationId: 'listRunChildren',
  tags: ['Runs'],
  method: 'get',
  path: '/runs/{runId}/children',
  summary: "An array job's children that have been created, by index (a retry follows its index: `<runId>-<index>-<attempt>`)",
  description:
    "Children not yet created wait PENDING (the parent's arrayProperties.nextIndex says how many exist). A child is a run: " +
    'GET /runs/{childRunId} and /runs/{childRunId}/logs read it, its id being `<runId>-<index>` with the index zero-padded to 4 digits.',
  security: secured,
  request: { params, query: ChildListQuery },
  responses: { 200: json(pageOf(Run), 'a page of children'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

const replayRunRoute = createRoute({
  method: 'post',
  path: '/runs/{runId}/replay',
  operationId: 'replayRun',
  tags: ['Runs'],
  summary: 'Start a new run with exactly what this one ran: its image digest (not the tag), command or script, env and sidecars (replayOf says which run)',
  description:
    'A 409 when the run never started (nothing ran); a 410 when it recorded no image digest or its image is gone (dev mode: no local image has that digest any more). ' +
    "A 402 over the owner's monthly budget, a 429 over the run quota, as a new run.",
  security: secured,
  request: { params },
  responses: {
    202: withHeaders(json(Run, 'accepted'), 'Location'),
    401: problems[401],
    402: problems[402],
    404: problems[404],
    409: problems[409],
    410: problems[410],
    429: problems[429],
  },
});

/** Registers the run routes; an SSE log follow is bounded by `follow`. */
export function runRoutes(app: Api, { runs, logs, costs, replays, results }: Platform, follow: FollowOptions): void {
  // A finished run's cost is derived from the run at the deployment's price (views.ts), never stored.
  const view = (run: Parameters<typeof runView>[0]) => runView(run, costs.pricing);
  app.openapi(createRunRoute, async (c) => {
    const run = await runs.create(c.get('principal'), c.req.valid('param').appId, c.req.valid('json') ?? {});
    c.header('location', `/runs/${run.runId}`);
    return c.json(view(run), 202);
  });
  app.openapi(replayRunRoute, async (c) => {
    const run = await replays.replay(c.get('principal'), c.req.valid('param').runId);
    c.header('location', `/runs/${run.runId}`);
    return c.json(view(run), 202);
  });
  app.openapi(listRunsRoute, async (c) => {
    const page = await runs.list(c.get('principal'), c.req.valid('query'));
    return c.json({ items: page.items.map(view), nextCursor: page.nextCursor }, 200);
  });
  app.openapi(listChildrenRoute, async (c) => {
    const page = await runs.children(c.get('principal'), c.req.valid('param').runId, c.req.valid('query'));
    return c.json({ items: page.items.map(view), nextCursor: page.nextCursor }, 200);
  });
  // The run item points to its last result (ResultStore); only this route reads the result itself.
  app.openapi(getRunRoute, async (c) => c.json(view(await results.withResult(await runs.get(c.get('principal'), c.req.valid('param').runId))), 200));
  app.openapi(getRunHistoryRoute, async (c) => {
    const { runId, status, history } = await runs.get(c.get('principal'), c.req.valid('param').runId);
    return c.json({ runId, status, history }, 200);
  });
  app.openapi(stopRunRoute, async (c) => {
    const { graceSeconds } = StopRequestBody.parse(c.req.valid('json') ?? {});
    return c.json(view(await runs.stop(c.get('principal'), c.req.valid('param').runId, { graceSeconds })), 202);
  });
  app.openapi(killRunRoute, async (c) => c.json(view(await runs.stop(c.get('principal'), c.req.valid('param').runId, { graceSeconds: 0, kill: true })), 202));
  app.openapi(getRunLogsRoute, async (c) => {
    const principal = c.get('principal');
    const { runId } = c.req.valid('param');
    const query = c.req.valid('query');
    const run = await runs.get(principal, runId);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(logPageView(await logs.read(run, query)), 200);
    const cursor = c.req.header('last-event-id') ?? query.cursor;
    if (follow.liveUrl) c.header('link', `<${new URL(`runs/${runId}/logs`, follow.liveUrl)}>; rel="alternate"`);
    return streamSSE(c, (stream) =>
      followLogs(stream, {
        readRun: () => runs.get(principal, runId),
        logs,
        cursor,
        limit: query.limit,
        startTime: query.startTime,
        container: query.container,
        maxFollowMs: follow.maxMs,
        pollMs: follow.pollMs,
        maxBytes: follow.maxBytes,
      }),
    );
  });
}
