/** Routes of alert rules: webhooks for failed, timed-out, never-launched, slow or missing runs, failure streaks and the budget. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { Alert, AlertCreate, AlertDelivery, AlertPatch, AlertWithSecret } from '../../alert-schemas.js';
import { pageOf } from '../../schemas.js';
import type { Api } from '../app.js';
import { bodyProblems, idParam, json, jsonBody, problems, secured } from './common.js';

const tags = ['Alerts'];
const params = idParam('alertId');
const PageQuery = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });

const createAlertRoute = createRoute({
  operationId: 'createAlert',
  tags,
  method: 'post',
  path: '/alerts',
  summary: 'Create an alert rule: conditions on an app, a schedule, or all your apps, sent to a webhook (Standard Webhooks)',
  description: 'The response carries the `whsec_` signing secret, the only time it is shown (POST /alerts/{alertId}/secret makes a new one).',
  security: secured,
  request: jsonBody(AlertCreate),
  responses: {
    201: json(AlertWithSecret, 'created, with its signing secret'),
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
    ...bodyProblems,
  },
});

const listAlertsRoute = createRoute({
  operationId: 'listAlerts',
  tags,
  method: 'get',
  path: '/alerts',
  summary: 'Your alert rules, newest first (admins: all)',
  security: secured,
  request: { query: PageQuery },
  responses: { 200: json(pageOf(Alert), 'a page of alert rules'), 400: problems[400], 401: problems[401] },
});

const getAlertRoute = createRoute({
  operationId: 'getAlert',
  tags,
  method: 'get',
  path: '/alerts/{alertId}',
  summary: 'One alert rule (never its secret)',
  security: secured,
  request: { params },
  responses: { 200: json(Alert, 'the alert rule'), 401: problems[401], 404: problems[404] },
});

const updateAlertRoute = createRoute({
  operationId: 'updateAlert',
  tags,
  method: 'patch',
  path: '/alerts/{alertId}',
  summary: 'Change an alert rule: its conditions, webhook, mute (mutedUntil; null unmutes) or enabled',
  security: secured,
  request: { params, ...jsonBody(AlertPatch) },
  responses: { 200: json(Alert, 'updated'), 400: problems[400], 401: problems[401], 404: problems[404], ...bodyProblems },
});

const deleteAlertRoute = createRoute({
  operationId: 'deleteAlert',
  tags,
  method: 'delete',
  path: '/alerts/{alertId}',
  summary: 'Delete an alert rule (its pending deliveries are not sent)',
  security: secured,
  request: { params },
  responses: { 204: { description: 'deleted' }, 401: problems[401], 404: problems[404] },
});

const rotateSecretRoute = createRoute({
  operationId: 'rotateAlertSecret',
  tags,
  method: 'post',
  path: '/alerts/{alertId}/secret',
  summary: 'Make a new signing secret for the rule, returned this once; the old one stops signing at once',
  security: secured,
  request: { params },
  responses: { 200: json(AlertWithSecret, 'the rule with its new secret'), 401: problems[401], 404: problems[404] },
});

const testAlertRoute = createRoute({
  operationId: 'testAlert',
  tags,
  method: 'post',
  path: '/alerts/{alertId}/test',
  summary: 'Send a TEST alert through the rule now and return its delivery (retried as any alert when it fails)',
  security: secured,
  request: { params },
  responses: { 200: json(AlertDelivery, 'the delivery with its first attempt'), 401: problems[401], 404: problems[404] },
});

const listDeliveriesRoute = createRoute({
  operationId: 'listAlertDeliveries',
  tags,
  method: 'get',
  path: '/alerts/{alertId}/deliveries',
  summary: "The rule's delivery log, newest first: each alert with its attempts (status code, error, time)",
  security: secured,
  request: { params, query: PageQuery },
  responses: { 200: json(pageOf(AlertDelivery), 'a page of deliveries'), 400: problems[400], 401: problems[401], 404: problems[404] },
});

const redeliverRoute = createRoute({
  operationId: 'redeliverAlert',
  tags,
  method: 'post',
  path: '/alerts/{alertId}/deliveries/{deliveryId}/redeliver',
  summary: 'Send one delivery again now, with the same webhook-id (within the 7-day replay window)',
  security: secured,
  request: { params: params.extend(idParam('deliveryId').shape) },
  responses: { 200: json(AlertDelivery, 'the delivery with the new attempt'), 401: problems[401], 404: problems[404], 410: problems[410] },
});

/** Registers the alert routes over the alert services. */
export function alertRoutes(app: Api, { alerts, alertDeliveries }: Platform): void {
  app.openapi(createAlertRoute, async (c) => c.json(await alerts.create(c.get('principal'), c.req.valid('json')), 201));
  app.openapi(listAlertsRoute, async (c) => c.json(await alerts.list(c.get('principal'), c.req.valid('query')), 200));
  app.openapi(getAlertRoute, async (c) => c.json(await alerts.get(c.get('principal'), c.req.valid('param').alertId), 200));
  app.openapi(updateAlertRoute, async (c) => c.json(await alerts.update(c.get('principal'), c.req.valid('param').alertId, c.req.valid('json')), 200));
  app.openapi(deleteAlertRoute, async (c) => {
    await alerts.delete(c.get('principal'), c.req.valid('param').alertId);
    return c.body(null, 204);
  });
  app.openapi(rotateSecretRoute, async (c) => c.json(await alerts.rotateSecret(c.get('principal'), c.req.valid('param').alertId), 200));
  app.openapi(testAlertRoute, async (c) => c.json(await alertDeliveries.test(c.get('principal'), c.req.valid('param').alertId), 200));
  app.openapi(listDeliveriesRoute, async (c) =>
    c.json(await alertDeliveries.list(c.get('principal'), c.req.valid('param').alertId, c.req.valid('query')), 200),
  );
  app.openapi(redeliverRoute, async (c) => {
    const { alertId, deliveryId } = c.req.valid('param');
    return c.json(await alertDeliveries.redeliver(c.get('principal'), alertId, deliveryId), 200);
  });
}
