import { createRoute, z } from '@hono/zod-openapi';
import type { Api } from '../app.js';
import { json } from './common.js';

/** Named checks; each resolves when its dependency answers and throws otherwise. */
export type HealthChecks = Record<string, () => Promise<unknown>>;

const Health = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })) });

export function healthRoutes(app: Api, checks: HealthChecks): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/health',
      summary: 'Whether the store and the container runtime answer',
      responses: { 200: json(Health, 'all checks pass'), 503: json(Health, 'a check failed') },
    }),
    async (c) => {
      const entries = await Promise.all(
        Object.entries(checks).map(async ([name, check]): Promise<[string, { ok: boolean; detail?: string }]> => {
          try {
            await check();
            return [name, { ok: true }];
          } catch (err) {
            return [name, { ok: false, detail: (err as Error).message }];
          }
        }),
      );
      const results = Object.fromEntries(entries);
      const ok = Object.values(results).every((r) => r.ok);
      return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), checks: results }, ok ? 200 : 503);
    },
  );
}
