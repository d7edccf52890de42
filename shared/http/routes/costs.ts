/** Routes of costs: the roll-up of finished runs' costs per app, schedule or owner and day or month. */
import { createRoute } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { CostQuery, CostReport } from '../../schemas.js';
import type { Api } from '../app.js';
import { json, problems, secured } from './common.js';

const costsRoute = createRoute({
  method: 'get',
  path: '/costs',
  operationId: 'getCosts',
  tags: ['Runs'],
  summary: "Finished runs' costs summed per app, schedule or owner, per UTC day or month (the caller's runs; admins: everyone's)",
  description:
    "Each run is costed as GET /runs/{runId} shows it: Fargate vCPU-hours and GB-hours at the deployment's price plus the platform's share. " +
    'Runs are placed by their creation time; a range of more than 20,000 runs is refused (400): narrow from and to.',
  security: secured,
  request: { query: CostQuery },
  responses: { 200: json(CostReport, 'the roll-up'), 400: problems[400], 401: problems[401] },
});

/** Registers GET /costs. */
export function costRoutes(app: Api, { costs }: Platform): void {
  app.openapi(costsRoute, async (c) => c.json(await costs.report(c.get('principal'), c.req.valid('query')), 200));
}
