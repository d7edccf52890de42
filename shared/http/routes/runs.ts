import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { isTerminal } from '../../domain.js';
import type { Platform } from '../../platform.js';
import { LogPage, LogQuery, pageOf, Run, RunCreate, RunHistory, RunListQuery, StopRequestBody } from '../../schemas.js';
import { RunService } from '../../services/runs.js';
import type { Api } from '../app.js';
import { idParam, json, problems, secured } from './common.js';

const params = idParam('runId');
/** How often (ms) a log follow polls for new lines. */
const FOLLOW_POLL_MS = 500;

export function runRoutes(app: Api, { runs, logs }: Platform, maxFollowMs: number): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/apps/{appId}/runs',
      summary: 'Start a run of the app. 202 with the run as it stands once launched (PENDING, or further along); FAILED when the launch failed',
      security: secured,
      request: { params: idParam('appId'), body: { content: { 'application/json': { schema: RunCreate } }, required: false } },
      responses: { 202: json(Run, 'accepted'), 400: problems[400], 401: problems[401], 404: problems[404] },
    }),
    async (c) => {
      const run = await runs.create(c.get('principal'), c.req.valid('param').appId, c.req.valid('json') ?? {});
      c.header('location', `/runs/${run.runId}`);
      return c.json(RunService.view(run), 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs',
      summary: 'Runs, newest first (filters: appId, status, from, to)',
      security: secured,
      request: { query: RunListQuery },
      responses: { 200: json(pageOf(Run), 'a page of runs'), 400: problems[400], 401: problems[401], 404: problems[404] },
    }),
    async (c) => {
      const page = await runs.list(c.get('principal'), c.req.valid('query'));
      return c.json({ items: page.items.map(RunService.view), nextCursor: page.nextCursor }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{runId}',
      summary: 'One run',
      security: secured,
      request: { params },
      responses: { 200: json(Run, 'the run'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => c.json(RunService.view(await runs.get(c.get('principal'), c.req.valid('param').runId)), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{runId}/history',
      summary: 'Every accepted status transition',
      security: secured,
      request: { params },
      responses: { 200: json(RunHistory, 'the history'), 401: problems[401], 404: problems[404] },
    }),
    async (c) => {
      const run = await runs.get(c.get('principal'), c.req.valid('param').runId);
      return c.json({ runId: run.runId, status: run.status, history: run.history }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs/{runId}/stop',
      summary: 'SIGTERM, then SIGKILL after graceSeconds (default 10); the run ends STOPPED',
      security: secured,
      request: { params, body: { content: { 'application/json': { schema: StopRequestBody } }, required: false } },
      responses: { 202: json(Run, 'stopping'), 400: problems[400], 401: problems[401], 404: problems[404], 409: problems[409] },
    }),
    async (c) => {
      const { graceSeconds } = StopRequestBody.parse(c.req.valid('json') ?? {});
      return c.json(RunService.view(await runs.stop(c.get('principal'), c.req.valid('param').runId, { graceSeconds })), 202);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/runs/{runId}/kill',
      summary: 'SIGKILL now; the run ends STOPPED',
      security: secured,
      request: { params },
      responses: { 202: json(Run, 'killed'), 401: problems[401], 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(RunService.view(await runs.stop(c.get('principal'), c.req.valid('param').runId, { graceSeconds: 0, kill: true })), 202),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/runs/{runId}/logs',
      summary: 'Log lines from a cursor; with Accept: text/event-stream, follows until the run ends',
      description: 'SSE events: `log` (data: one log event, id: the cursor after it) and `end` when the run is over. Reconnect with Last-Event-ID to resume.',
      security: secured,
      request: { params, query: LogQuery },
      responses: {
        200: { ...json(LogPage, 'a page of log lines'), content: { 'application/json': { schema: LogPage }, 'text/event-stream': { schema: z.string() } } },
        400: problems[400],
        401: problems[401],
        404: problems[404],
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const { runId } = c.req.valid('param');
      const query = c.req.valid('query');
      const run = await runs.get(principal, runId);
      if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
        return c.json(await logs.read(run, query), 200);
      }
      return streamSSE(c, async (stream) => {
        let cursor = c.req.header('last-event-id') ?? query.cursor;
        const deadline = Date.now() + maxFollowMs;
        while (!stream.aborted && Date.now() < deadline) {
          const current = await runs.get(principal, runId);
          const page = await logs.read(current, { cursor, limit: query.limit, startTime: query.startTime });
          cursor = page.nextCursor;
          for (const event of page.events) await stream.writeSSE({ event: 'log', id: cursor, data: JSON.stringify(event) });
          if (page.events.length > 0) continue;
          if (isTerminal(current.status)) {
            await stream.writeSSE({ event: 'end', id: cursor, data: JSON.stringify({ status: current.status, exitCode: current.exitCode }) });
            return;
          }
          await stream.sleep(FOLLOW_POLL_MS);
        }
      });
    },
  );
}
