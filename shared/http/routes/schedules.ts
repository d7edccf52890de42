/** Routes of schedules: cron or rate schedules of an app, their next fire times and what each fire did. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { pageOf } from '../../schemas.js';
import { Schedule, ScheduleCreate, ScheduleFire, SchedulePatch, SchedulePreview, SchedulePreviewRequest } from '../../schedule-schemas.js';
import { preview } from '../../services/schedules.js';
import type { Api } from '../app.js';
import { bodyProblems, idParam, json, jsonBody, problems, secured } from './common.js';

const params = idParam('scheduleId');
const ListQuery = z.object({ appId: z.string().optional(), cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });
const PageQuery = ListQuery.omit({ appId: true });

const createScheduleRoute = createRoute({
  operationId: 'createSchedule',
  tags: ['Schedules'],
  method: 'post',
  path: '/apps/{appId}/schedules',
  summary: 'Run the app on a cron or rate schedule (EventBridge syntax, UTC)',
  security: secured,
  request: { params: idParam('appId'), ...jsonBody(ScheduleCreate) },
  responses: { 201: json(Schedule, 'created'), 400: problems[400], 401: problems[401], 404: problems[404], ...bodyProblems },
});

const listAppSchedulesRoute = createRoute({
  operationId: 'listAppSchedules',
  tags: ['Schedules'],
  method: 'get',
  path: '/apps/{appId}/schedules',
  summary: "The app's schedules",
  security: secured,
  request: { params: idParam('appId'), query: PageQuery },
  responses: { 200: json(pageOf(Schedule), 'a page of schedules'), 401: problems[401], 404: problems[404] },
});

const listSchedulesRoute = createRoute({
  operationId: 'listSchedules',
  tags: ['Schedules'],
  method: 'get',
  path: '/schedules',
  summary: 'Your schedules (admins: all)',
  security: secured,
  request: { query: ListQuery },
  responses: { 200: json(pageOf(Schedule), 'a page of schedules'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

const getScheduleRoute = createRoute({
  operationId: 'getSchedule',
  tags: ['Schedules'],
  method: 'get',
  path: '/schedules/{scheduleId}',
  summary: 'One schedule',
  security: secured,
  request: { params },
  responses: { 200: json(Schedule, 'the schedule'), 401: problems[401], 404: problems[404] },
});

const updateScheduleRoute = createRoute({
  operationId: 'updateSchedule',
  tags: ['Schedules'],
  method: 'patch',
  path: '/schedules/{scheduleId}',
  summary: 'Change a schedule (enabled: false suspends it)',
  security: secured,
  request: { params, ...jsonBody(SchedulePatch) },
  responses: { 200: json(Schedule, 'updated'), 400: problems[400], 401: problems[401], 404: problems[404], ...bodyProblems },
});

const deleteScheduleRoute = createRoute({
  operationId: 'deleteSchedule',
  tags: ['Schedules'],
  method: 'delete',
  path: '/schedules/{scheduleId}',
  summary: 'Delete a schedule',
  security: secured,
  request: { params },
  responses: { 204: { description: 'deleted' }, 401: problems[401], 404: problems[404] },
});

const nextFiresRoute = createRoute({
  operationId: 'nextFires',
  tags: ['Schedules'],
  method: 'get',
  path: '/schedules/{scheduleId}/next',
  summary: "The next fire times (UTC), and each slot in the schedule's time zone with the slots daylight saving skips",
  security: secured,
  request: { params, query: z.object({ count: z.coerce.number().int().min(1).max(100).default(5) }) },
  responses: { 200: json(SchedulePreview, 'fire times, ascending'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

const listFiresRoute = createRoute({
  operationId: 'listFires',
  tags: ['Schedules'],
  method: 'get',
  path: '/schedules/{scheduleId}/fires',
  summary: 'The ledger: what happened at each slot (STARTED, REPLACED, SKIPPED, LAUNCH_FAILED, MISSED), newest first',
  security: secured,
  request: {
    params,
    query: PageQuery.extend({
      from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'slots at or after this time' }),
      to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'slots at or before this time' }),
    }),
  },
  responses: { 200: json(pageOf(ScheduleFire), 'a page of fires'), 401: problems[401], 404: problems[404] },
});

const previewRoute = createRoute({
  method: 'post',
  path: '/schedules/preview',
  operationId: 'previewSchedule',
  tags: ['Schedules'],
  summary:
    'Check an expression in a time zone and list its next slots without saving anything, as GET /schedules/{id}/next does (a rate counts from now, as a schedule created now would)',
  security: secured,
  request: jsonBody(SchedulePreviewRequest),
  responses: { 200: json(SchedulePreview, 'fire times, ascending'), 400: problems[400], 401: problems[401] },
});

/** Registers the schedule routes over the schedule service. */
export function scheduleRoutes(app: Api, { schedules }: Platform): void {
  app.openapi(createScheduleRoute, async (c) => c.json(await schedules.create(c.get('principal'), c.req.valid('param').appId, c.req.valid('json')), 201));
  app.openapi(listAppSchedulesRoute, async (c) =>
    c.json(await schedules.list(c.get('principal'), { ...c.req.valid('query'), appId: c.req.valid('param').appId }), 200),
  );
  app.openapi(listSchedulesRoute, async (c) => c.json(await schedules.list(c.get('principal'), c.req.valid('query')), 200));
  app.openapi(getScheduleRoute, async (c) => c.json(await schedules.get(c.get('principal'), c.req.valid('param').scheduleId), 200));
  app.openapi(updateScheduleRoute, async (c) => c.json(await schedules.update(c.get('principal'), c.req.valid('param').scheduleId, c.req.valid('json')), 200));
  app.openapi(deleteScheduleRoute, async (c) => {
    await schedules.delete(c.get('principal'), c.req.valid('param').scheduleId);
    return c.body(null, 204);
  });
  app.openapi(nextFiresRoute, async (c) => c.json(await schedules.next(c.get('principal'), c.req.valid('param').scheduleId, c.req.valid('query').count), 200));
  app.openapi(previewRoute, (c) => {
    const { count, expression, timeZone } = c.req.valid('json');
    const now = new Date().toISOString();
    return c.json(preview({ expression, timeZone, updatedAt: now }, new Date(), count), 200);
  });
  app.openapi(listFiresRoute, async (c) => {
    return c.json(await schedules.fires(c.get('principal'), c.req.valid('param').scheduleId, c.req.valid('query')), 200);
  });
}
