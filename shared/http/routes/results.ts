/** Routes of job results and metrics: a job posts its result with its run token; owners read the metric series. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { MetricPoint, MetricQuery, pageOf, RunResult } from '../../schemas.js';
import type { Api } from '../app.js';
import { idParam, json, problems, secured } from './common.js';

/** The result route authenticates the run token itself, so the API's user-token check lets it through. */
export function isResultPost(method: string, path: string): boolean {
  return method === 'POST' && /^\/runs\/[^/]+\/result$/.test(path);
}

const postResultRoute = createRoute({
  operationId: 'postResult',
  tags: ['Results'],
  method: 'post',
  path: '/runs/{runId}/result',
  summary: "A job's result: a JSON object (≤ 64 KiB); its numeric top-level fields are metrics. Bearer: the run token (CONTAINERIZER_RUN_TOKEN)",
  description:
    'A job may post more than once; every post is kept in order and the run shows the last one. The token works for its own run only, while the run is active. ' +
    "The values of the run's secrets are masked before the result is stored (`***`, as GET /runs/{runId} describes), so metrics are taken from the masked object. " +
    'A run posts at most RESULT_POSTS_PER_RUN results (409 past it), RESULT_POSTS_PER_MINUTE a minute (429 with Retry-After), METRICS_PER_RESULT metrics each; ' +
    'the object nests at most 31 levels, its numbers are 0 or between 1e-130 and 2^53-1 in magnitude, and no key is __proto__, constructor or prototype (400 naming the field). ' +
    'Dev mode also sets CONTAINERIZER_RESULT_FILE: a job without network may write the object there, and it is read when the container stops. ' +
    "On ECS Fargate that variable is not set (a stopped task's files cannot be read): a job posts here.",
  security: [{ RunToken: [] }],
  // The body (RunResult) is checked by the result service, size first (413), then shape (400), so it is not validated here.
  request: { params: idParam('runId') },
  responses: {
    202: json(z.object({ runId: z.string(), resultAt: z.string(), metrics: z.array(z.string()) }), 'recorded'),
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
    413: problems[413],
    429: problems[429],
  },
});

const getMetricsRoute = createRoute({
  operationId: 'getMetrics',
  tags: ['Results'],
  method: 'get',
  path: '/apps/{appId}/metrics',
  summary: "A metric's series across the app's runs, oldest first: [{time, runId, value}], paged",
  security: secured,
  request: { params: idParam('appId'), query: MetricQuery },
  responses: { 200: json(pageOf(MetricPoint), 'a page of points'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

/** Registers the result and metric routes. */
export function resultRoutes(app: Api, { results }: Platform): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'RunToken', { type: 'http', scheme: 'bearer', description: 'CONTAINERIZER_RUN_TOKEN' });
  app.openAPIRegistry.register('RunResult', RunResult);
  app.openapi(postResultRoute, async (c) => {
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    return c.json(await results.post(c.req.valid('param').runId, token, await c.req.text()), 202);
  });
  app.openapi(getMetricsRoute, async (c) => c.json(await results.series(c.get('principal'), c.req.valid('param').appId, c.req.valid('query')), 200));
}
