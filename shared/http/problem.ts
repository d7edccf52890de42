/**
 * RFC 9457 problem documents: every error the API returns has this shape and the
 * `application/problem+json` media type.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ClientError, retryAfter, ServiceUnavailableError, type FieldError } from '../errors.js';
import { logger } from '../logger.js';

/** An RFC 9457 problem document; `errors` lists each bad field of a 400. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

/** A problem response: `type` is about:blank (the status says it all, RFC 9457 §4.2.1), `instance` the request path. */
export function problemResponse(c: Context, problem: Omit<ProblemDocument, 'type' | 'instance'>, headers: Record<string, string> = {}): Response {
  const body: ProblemDocument = { type: 'about:blank', instance: c.req.path, ...problem };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** The field errors of a failed validation: one entry per issue, named by its dotted path. */
export function fieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [path, key].filter(Boolean).join('.'), message: 'unknown field' }));
    }
    return [{ field: path || '(body)', message: issue.message }];
  });
}

/**
 * The WWW-Authenticate challenge of a 401 (RFC 6750 §3): with no credentials sent, no error
 * code; with a token that failed, error="invalid_token" and why.
 */
export function bearerChallenge(invalidTokenDetail?: string): Record<string, string> {
  const error = invalidTokenDetail === undefined ? '' : `, error="invalid_token", error_description="${invalidTokenDetail.replace(/"/g, "'")}"`;
  return { 'www-authenticate': `Bearer realm="containerizer"${error}` };
}

/**
 * Maps any thrown error to a problem response: ClientError → its 4xx and headers (e.g.
 * Retry-After on a 429); ServiceUnavailableError → 503 with Retry-After (s) when known;
 * Hono's HTTPException → its status. Anything else is a 500, logged with the error (name,
 * stack, cause) and never shown to the caller.
 */
export function errorToProblem(err: Error, c: Context): Response {
  if (err instanceof ClientError) {
    const headers = { ...(err.status === 401 ? bearerChallenge(err.message) : {}), ...err.headers };
    return problemResponse(c, { title: err.title, status: err.status, detail: err.message, errors: err.errors }, headers);
  }
  if (err instanceof ServiceUnavailableError) {
    const headers = err.retryAfterSeconds === undefined ? {} : retryAfter(err.retryAfterSeconds);
    return problemResponse(c, { title: 'Service Unavailable', status: 503, detail: err.message }, headers);
  }
  if (err instanceof HTTPException) {
    return problemResponse(c, { title: err.status === 400 ? 'Bad Request' : 'Error', status: err.status, detail: err.message });
  }
  logger.error(`unexpected error in ${c.req.method} ${c.req.path}`, err);
  return problemResponse(c, { title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred; it has been logged' });
}
