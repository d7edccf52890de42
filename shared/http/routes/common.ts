/** Pieces every route module uses: JSON bodies, problem responses, the bearer requirement. */
import { z } from '@hono/zod-openapi';
import { Problem } from '../../schemas.js';

/** The `security` of a route that needs a bearer token (the `Bearer` scheme registered in app.ts). */
export const secured = [{ Bearer: [] }];

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

/** A JSON response entry for createRoute's `responses`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

const problem = (description: string) => ({ content: { 'application/problem+json': { schema: Problem } }, description });

/** The error responses of a route, by status. */
export const problems = {
  400: problem('invalid input: the problem document lists each bad field'),
  401: problem('missing, invalid or expired bearer token'),
  402: problem("over the owner's monthly budget (MONTHLY_BUDGET_USD) until the month ends"),
  403: problem('the token is valid but not for this'),
  404: problem('no such item, or not yours'),
  409: problem('conflicts with the current state'),
  410: problem('what the request needs is gone for good'),
  412: problem('the item changed since the version you sent'),
  413: problem('the body is larger than the route allows'),
  429: problem('over a rate limit or quota; Retry-After says when to try again'),
} as const;

/** A required, non-empty path parameter named `name` (e.g. appId). */
export const idParam = (name: string) =>
  z.object({
    [name]: z
      .string()
      .min(1)
      .openapi({ param: { name, in: 'path' } }),
  });

/** ETag of an item version (RFC 9110 §8.8.3); If-Match takes it back. */
export const etag = (version: number) => `"v${version}"`;

/** The version an If-Match header names; -1 (matches no version, so 412) when it names none of ours. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const match = /^(?:W\/)?"v(\d+)"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}
