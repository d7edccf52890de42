/**
 * The Hono app factory: the same routes, auth and problem documents on Lambda and on Node.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../domain.js';
import type { Platform } from '../platform.js';
import { bearerChallenge, errorToProblem, fieldErrors, problemResponse } from './problem.js';
import { authRoutes } from './routes/auth.js';
import { appRoutes } from './routes/apps.js';
import { imageRoutes } from './routes/images.js';
import { runRoutes } from './routes/runs.js';
import { scheduleRoutes } from './routes/schedules.js';
import { healthRoutes, type HealthChecks } from './routes/health.js';

export type ApiEnv = { Variables: { principal: Principal } };
export type Api = OpenAPIHono<ApiEnv>;

export interface ApiOptions {
  /** Named checks for GET /health (e.g. store, docker); each throws when unhealthy. */
  healthChecks: HealthChecks;
  /** How long (ms) one SSE log-follow response may stay open; clients resume with Last-Event-ID. */
  maxFollowMs?: number;
}

const PUBLIC = new Set(['/health', '/openapi.json', '/auth/register', '/auth/login', '/auth/refresh']);

/** Builds the API over the platform's services. */
export function createApi(platform: Platform, options: ApiOptions): Api {
  const app: Api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const errors = fieldErrors(result.error, result.target === 'json' ? undefined : result.target);
        return problemResponse(c, {
          title: 'Bad Request',
          status: 400,
          detail: `invalid request ${result.target}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          errors,
        });
      }
    },
  });
  app.onError(errorToProblem);
  app.notFound((c) => problemResponse(c, { title: 'Not Found', status: 404, detail: `no route for ${c.req.method} ${c.req.path}` }));

  app.use('*', async (c, next) => {
    if (PUBLIC.has(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return problemResponse(c, { title: 'Unauthorized', status: 401, detail: 'send an access token: Authorization: Bearer <token>' }, bearerChallenge());
    }
    c.set('principal', await platform.auth.verify(match[1]!));
    return next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  healthRoutes(app, options.healthChecks);
  authRoutes(app, platform);
  appRoutes(app, platform);
  runRoutes(app, platform, options.maxFollowMs ?? Infinity);
  scheduleRoutes(app, platform);
  imageRoutes(app, platform, options.maxFollowMs ?? Infinity);
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: 'Containerizer API', version: '1.0.0', description: 'Run containerized jobs on demand or on cron schedules.' },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  return app;
}
