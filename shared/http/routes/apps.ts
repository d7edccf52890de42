/** Routes of /apps: register, list, read, change (a new version), delete, versions. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { App, AppCreate, AppPatch, AppVersion, pageOf, VersionDiff } from '../../schemas.js';
import type { Api } from '../app.js';
import {
  bodyProblems,
  etag,
  idParam,
  ifMatchHeader,
  json,
  jsonBody,
  problems,
  secured,
  versionedUpdateResponses,
  versionFromIfMatch,
  withHeaders,
} from './common.js';

const params = idParam('appId');
const ListQuery = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });

const createAppRoute = createRoute({
  operationId: 'createApp',
  tags: ['Apps'],
  method: 'post',
  path: '/apps',
  summary: 'Register an app',
  security: secured,
  request: jsonBody(AppCreate),
  responses: { 201: withHeaders(json(App, 'created'), 'ETag', 'Location'), 400: problems[400], 401: problems[401], 409: problems[409], ...bodyProblems },
});

const listAppsRoute = createRoute({
  operationId: 'listApps',
  tags: ['Apps'],
  method: 'get',
  path: '/apps',
  summary: 'Your apps (admins: all)',
  security: secured,
  request: { query: ListQuery },
  responses: { 200: json(pageOf(App), 'a page of apps'), 400: problems[400], 401: problems[401] },
});

const getAppRoute = createRoute({
  operationId: 'getApp',
  tags: ['Apps'],
  method: 'get',
  path: '/apps/{appId}',
  summary: 'One app (ETag = its version)',
  security: secured,
  request: { params },
  responses: { 200: withHeaders(json(App, 'the app'), 'ETag'), 401: problems[401], 404: problems[404] },
});

const updateAppRoute = createRoute({
  operationId: 'updateApp',
  tags: ['Apps'],
  method: 'patch',
  path: '/apps/{appId}',
  summary: 'Change an app: a new version. Send If-Match (its ETag) or `version` to refuse a stale change',
  security: secured,
  request: { params, headers: ifMatchHeader, ...jsonBody(AppPatch) },
  responses: versionedUpdateResponses(App),
});

const deleteAppRoute = createRoute({
  operationId: 'deleteApp',
  tags: ['Apps'],
  method: 'delete',
  path: '/apps/{appId}',
  summary: 'Delete an app and its schedules; its runs stay in the history',
  security: secured,
  request: { params },
  responses: { 204: { description: 'deleted' }, 401: problems[401], 404: problems[404] },
});

const listAppVersionsRoute = createRoute({
  operationId: 'listAppVersions',
  tags: ['Apps'],
  method: 'get',
  path: '/apps/{appId}/versions',
  summary: 'Every version: who changed what, when',
  security: secured,
  request: { params },
  responses: { 200: json(z.object({ items: z.array(AppVersion) }), 'versions, oldest first'), 401: problems[401], 404: problems[404] },
});

const DiffQuery = z.object({
  against: z.coerce.number().int().min(1).optional().openapi({ description: 'the version to compare with (default: the one before)' }),
});

const diffAppVersionsRoute = createRoute({
  operationId: 'diffAppVersions',
  tags: ['Apps'],
  method: 'get',
  path: '/apps/{appId}/versions/{version}/diff',
  summary: "What a version changed: who, when, which fields, and a unified diff of the script's lines",
  security: secured,
  request: {
    params: z.object({
      appId: z
        .string()
        .min(1)
        .openapi({ param: { name: 'appId', in: 'path' } }),
      version: z.coerce
        .number()
        .int()
        .min(1)
        .openapi({ param: { name: 'version', in: 'path' } }),
    }),
    query: DiffQuery,
  },
  responses: { 200: json(VersionDiff, 'the diff, `against` → `version`'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

/** Registers the /apps routes over the app service. */
export function appRoutes(app: Api, { apps }: Platform): void {
  app.openapi(createAppRoute, async (c) => {
    const created = await apps.create(c.get('principal'), c.req.valid('json'));
    c.header('etag', etag(created.version));
    c.header('location', `/apps/${created.appId}`);
    return c.json(created, 201);
  });
  app.openapi(listAppsRoute, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    return c.json(await apps.list(c.get('principal'), cursor, limit), 200);
  });
  app.openapi(getAppRoute, async (c) => {
    const found = await apps.get(c.get('principal'), c.req.valid('param').appId);
    c.header('etag', etag(found.version));
    return c.json(found, 200);
  });
  app.openapi(updateAppRoute, async (c) => {
    const patch = c.req.valid('json');
    const expected = versionFromIfMatch(c.req.header('if-match')) ?? patch.version;
    const updated = await apps.update(c.get('principal'), c.req.valid('param').appId, patch, expected);
    c.header('etag', etag(updated.version));
    return c.json(updated, 200);
  });
  app.openapi(deleteAppRoute, async (c) => {
    await apps.delete(c.get('principal'), c.req.valid('param').appId);
    return c.body(null, 204);
  });
  app.openapi(listAppVersionsRoute, async (c) => c.json({ items: await apps.versions(c.get('principal'), c.req.valid('param').appId) }, 200));
  app.openapi(diffAppVersionsRoute, async (c) => {
    const { appId, version } = c.req.valid('param');
    return c.json(await apps.diff(c.get('principal'), appId, version, c.req.valid('query').against ?? version - 1), 200);
  });
}
