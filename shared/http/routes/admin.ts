/** Admin routes: garbage collection on demand (dev mode: Docker; the cloud: the ECR repository). */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { Problem } from '../../schemas.js';
import type { Api } from '../app.js';
import { json, problems, secured } from './common.js';

const GcReport = z
  .object({
    removed: z.array(
      z.object({
        kind: z.enum(['container', 'image', 'volume']),
        id: z.string(),
        bytes: z.number().int().openapi({ description: 'bytes the object held alone' }),
        reason: z.string().openapi({ example: 'old build' }),
      }),
    ),
    bytesFreed: z.number().int(),
  })
  .openapi('GcReport');

const gcRoute = createRoute({
  operationId: 'collectGarbage',
  tags: ['Admin'],
  method: 'post',
  path: '/admin/gc',
  summary:
    "Removes the platform's leftovers now: exited run containers, failed builds' layers and unused run volumes (dev mode), dangling and old build images no app or recent run uses (admins)",
  security: secured,
  responses: {
    200: json(GcReport, 'what was removed'),
    401: problems[401],
    403: problems[403],
    503: {
      content: { 'application/problem+json': { schema: Problem } },
      description: 'this backend has no garbage collector (no image repository)',
    },
  },
});

/** Registers POST /admin/gc. */
export function adminRoutes(app: Api, { garbage }: Platform): void {
  app.openapi(gcRoute, async (c) => c.json(await garbage.collectFor(c.get('principal')), 200));
}
