/**
 * The one place every JSON body passes before a route sees it: what the store cannot hold
 * (item-limits.ts's storableProblems: nesting past DynamoDB's 32 levels, numbers DynamoDB or
 * the SDK's marshaller refuse, prototype keys) is a 400 naming the field, so no route, schema
 * or service can forget it and nothing of the kind reaches DynamoDB (or dev mode's dynalite).
 */
import type { MiddlewareHandler } from 'hono';
import { storableProblems } from '../item-limits.js';
import { problemResponse } from './problem.js';

/** Media types read as JSON: application/json and any `+json` suffix (RFC 6839). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Checks the body of a request that carries JSON: a JSON media type, or `readsJson` says the
 * route parses its body whatever the media type (the result route). A body that is not JSON
 * at all is left to the route, which answers its own 400. The body stays readable (Hono caches it).
 */
export function jsonBodyGuard(readsJson: (method: string, path: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    const { method, path } = c.req;
    if (method === 'GET' || method === 'HEAD' || c.req.raw.body === null) return next();
    if (!JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '') && !readsJson(method, path)) return next();
    let document: unknown;
    try {
      document = JSON.parse(await c.req.text());
    } catch (err) {
      if (err instanceof SyntaxError) return next();
      throw err; // a body over the size limit: bodyLimit answers 413
    }
    const errors = storableProblems(document);
    if (errors.length === 0) return next();
    return problemResponse(c, {
      title: 'Bad Request',
      status: 400,
      detail: `the body cannot be stored: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      errors,
    });
  };
}
