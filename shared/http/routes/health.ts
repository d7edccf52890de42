/** GET /health: whether the platform's dependencies answer. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Api } from '../app.js';
import { json, open } from './common.js';

/** Named checks; each resolves when its dependency answers and throws otherwise. */
export type HealthChecks = Record<string, () => Promise<unknown>>;

type CheckResult = { ok: boolean; detail?: string };

const Health = z.object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })) });

const healthRoute = createRoute({
  operationId: 'health',
  tags: ['Health'],
  method: 'get',
  path: '/health',
  summary: 'Whether the store and the container runtime answer',
  security: open,
  responses: { 200: json(Health, 'all checks pass'), 503: json(Health, 'a check failed') },
});

async function runCheck(check: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await check();
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: (err as Error).message };
  }
}

/** Registers GET /health: 200 when every check passes, else 503 with each check's result. */
export function healthRoutes(app: Api, checks: HealthChecks): void {
  app.openapi(healthRoute, async (c) => {
    const results = Object.fromEntries(await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const)));
    const ok = Object.values(results).every((r) => r.ok);
    return c.json({ status: ok ? ('ok' as const) : ('degraded' as const), checks: results }, ok ? 200 : 503);
  });
}
