/**
 * RFC 9457 problem documents: every error the API returns has this shape and the
 * `application/problem+json` media type.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ClientError, type FieldError } from '../errors.js';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

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

/** Maps any thrown error to a problem response; only unexpected errors are 500s (and logged). */
export function errorToProblem(err: Error, c: Context): Response {
  if (err instanceof ClientError) {
    const headers: Record<string, string> =
      err.status === 401
        ? { 'www-authenticate': `Bearer realm="containerizer", error="invalid_token", error_description="${err.message.replace(/"/g, "'")}"` }
        : {};
    return problemResponse(c, { title: err.title, status: err.status, detail: err.message, errors: err.errors }, headers);
  }
  if (err instanceof HTTPException) {
    return problemResponse(c, { title: err.status === 400 ? 'Bad Request' : 'Error', status: err.status, detail: err.message });
  }
  console.error(`${c.req.method} ${c.req.path}:`, err);
  return problemResponse(c, { title: 'Internal Server Error', status: 500, detail: 'an unexpected error occurred; it has been logged' });
}
