/**
 * Dev mode serves the web console (web/, built into web/dist by `npm run build:web`) from the
 * API's own origin, in front of the API and without changing it:
 * - `/assets/*`: the bundle's hashed files (cached for a year: a new build has new names);
 * - a page a browser navigates to (GET, `Accept: text/html`, no Authorization header) on any
 *   path but the public API documents (/health, /openapi.json, /auth/*): index.html, and the
 *   console's router shows the page. API clients send a token or no text/html, so every API route
 *   and every 404 problem document answers as before.
 * Everything else goes to the API.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/** Where `npm run build:web` writes the bundle. */
export const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));

/** Paths a browser may open directly that are the API's, not the console's. */
const API_DOCUMENTS = /^\/(health|openapi\.json|auth(\/.*)?)$/;

/**
 * What a page of the console may load: its own files, and the API on its own origin (dev mode);
 * nothing inline, nothing from elsewhere, never framed.
 */
export const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** True when the request is a browser opening a page of the console. */
export function isPageNavigation(method: string, path: string, headers: Headers): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    !headers.has('authorization') &&
    (headers.get('accept') ?? '').includes('text/html') &&
    !API_DOCUMENTS.test(path) &&
    !path.startsWith('/assets/')
  );
}

/**
 * The API behind the console's files. Without a built console (web/dist/index.html) it is the
 * API alone, and the start-up log says how to build it.
 */
export function withConsole(api: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }, dist = WEB_DIST) {
  const index = join(dist, 'index.html');
  const site = new Hono();
  site.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('cache-control', 'public, max-age=31536000, immutable');
  });
  site.use('/assets/*', serveStatic({ root: dist }));
  site.all('*', async (c) => {
    if (isPageNavigation(c.req.method, c.req.path, c.req.raw.headers) && existsSync(index)) {
      return c.html(await readFile(index, 'utf8'), 200, {
        'cache-control': 'no-cache',
        'content-security-policy': CONSOLE_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    }
    // The server's bindings (the socket) pass on: the API names the caller by them (client-address.ts).
    return api.fetch(c.req.raw, c.env);
  });
  return (request: Request, env?: unknown): Response | Promise<Response> => site.fetch(request, env);
}
