/**
 * The Hono app factory: the same routes, auth and problem documents on Lambda and on Node.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { Context } from 'hono';
import type { Principal } from '../domain.js';
import type { Platform } from '../services/platform-services.js';
import { bearerChallenge, errorToProblem, fieldErrors, problemResponse } from './problem.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { appRoutes } from './routes/apps.js';
import { imageRoutes } from './routes/images.js';
import { runRoutes } from './routes/runs.js';
import { costRoutes } from './routes/costs.js';
import { alertRoutes } from './routes/alerts.js';
import { isResultPost, resultRoutes } from './routes/results.js';
import { scheduleRoutes } from './routes/schedules.js';
import { secretRoutes } from './routes/secrets.js';
import { healthRoutes, type HealthChecks } from './routes/health.js';
import { DEFAULT_FOLLOW, type FollowOptions } from './log-follow.js';
import { jsonBodyGuard } from './json-body-guard.js';

export type ApiEnv = { Variables: { principal: Principal } };
export type Api = OpenAPIHono<ApiEnv>;

/** The address a request came from, as the runtime knows it (one small function per runtime: local/client-address.ts, shared/lambda/client-address.ts). */
export type ClientAddressOf = (c: Context) => string | undefined;

export interface ApiOptions {
  /** Names the caller for the sign-in rate limits. */
  clientAddress: ClientAddressOf;
  /** Named checks for GET /health (e.g. store, docker); each throws when unhealthy. */
  healthChecks: HealthChecks;
  /** Bounds of one SSE log-follow response (clients resume with Last-Event-ID); default: open until the run ends, 1 MiB. */
  follow?: Partial<FollowOptions>;
  /** Origins whose pages may call the API from a browser (CORS_ALLOWED_ORIGINS, shared/settings.ts readCorsOrigins); none: same origin only. */
  corsOrigins?: readonly string[];
}

/**
 * CORS for the web console on another origin (the cloud's CloudFront, a front-end dev server):
 * the headers it sends (bearer token, If-Match, Last-Event-ID for resuming a follow) and the ones
 * it reads. No cookies are involved (credentials: false): the token travels in Authorization.
 */
const corsOf = (origins: readonly string[]) =>
  cors({
    origin: [...origins],
    allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['authorization', 'content-type', 'if-match', 'last-event-id', 'accept'],
    exposeHeaders: ['etag', 'location', 'link', 'retry-after'],
    maxAge: 600,
  });

/**
 * The largest request body read, bytes: every valid body is far smaller (item-limits.ts), and
 * API Gateway (10 MB) and Lambda (6 MB) would refuse much larger ones anyway. A larger
 * Content-Length is a 413 before the body is read; a chunked body is cut off at this size.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The largest body of the image routes (a build context: up to MAX_CONTEXT_BYTES of files,
 * base64 in JSON, or MAX_ARCHIVE_BYTES of tar), bytes: Lambda's 6 MB synchronous payload
 * (AWS docs, "Lambda quotas"), which caps what API Gateway can hand the api function anyway.
 */
export const MAX_IMAGE_BODY_BYTES = 6 * 1024 * 1024;

/** The largest body (bytes) a request to `path` may carry: MAX_IMAGE_BODY_BYTES on the image routes, else MAX_BODY_BYTES. */
export function maxBodyBytesOf(path: string): number {
  return path === '/images' || path.startsWith('/images/') ? MAX_IMAGE_BODY_BYTES : MAX_BODY_BYTES;
}

/**
 * A 413 before the body is read when it is over `maxSize` bytes (hono's bodyLimit). The unread
 * body is still on the connection, so the answer says `Connection: close` (RFC 9112 §9.6): a
 * client must not send its next request on it.
 */
const bodyLimitOf = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: (c) =>
      problemResponse(c, { title: 'Content Too Large', status: 413, detail: `request bodies are at most ${maxSize} bytes` }, { connection: 'close' }),
  });

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

  // Before auth: a preflight carries no token, and every answer (a 401 too) needs the CORS headers for the page to read it.
  if (options.corsOrigins?.length) app.use('*', corsOf(options.corsOrigins));
  const bodies = bodyLimitOf(MAX_BODY_BYTES);
  const contexts = bodyLimitOf(MAX_IMAGE_BODY_BYTES);
  app.use('*', (c, next) => (maxBodyBytesOf(c.req.path) === MAX_IMAGE_BODY_BYTES ? contexts(c, next) : bodies(c, next)));
  app.use('*', async (c, next) => {
    if (PUBLIC.has(c.req.path) || isResultPost(c.req.method, c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return problemResponse(c, { title: 'Unauthorized', status: 401, detail: 'send an access token: Authorization: Bearer <token>' }, bearerChallenge());
    }
    c.set('principal', await platform.auth.verify(match[1]!));
    return next();
  });
  app.use('*', jsonBodyGuard(isResultPost));

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  healthRoutes(app, options.healthChecks);
  authRoutes(app, platform, options.clientAddress);
  appRoutes(app, platform);
  runRoutes(app, platform, { ...DEFAULT_FOLLOW, ...options.follow });
  scheduleRoutes(app, platform);
  resultRoutes(app, platform);
  costRoutes(app, platform);
  alertRoutes(app, platform);
  imageRoutes(app, platform, { ...DEFAULT_FOLLOW, ...options.follow });
  adminRoutes(app, platform);
  secretRoutes(app, platform);
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: 'Containerizer API', version: '1.0.0', description: 'Run containerized jobs on demand or on cron schedules.' },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  return app;
}
