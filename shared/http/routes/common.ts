/** Pieces every route module uses: JSON bodies, problem responses, the bearer requirement. */
import { z } from '@hono/zod-openapi';
import { Problem } from '../../schemas.js';

/** The `security` of a route that needs a bearer token (the `Bearer` scheme registered in app.ts). */
export const secured = [{ Bearer: [] }];

/** The `security` of a route anyone may call (OpenAPI: an empty list overrides any default). */
export const open: Array<Record<string, string[]>> = [];

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

/** A response entry with some of the API's response headers (responseHeaders) declared. */
export function withHeaders<T extends object>(response: T, ...names: Array<keyof typeof responseHeaders>) {
  return { ...response, headers: Object.fromEntries(names.map((name) => [name, responseHeaders[name]])) };
}

/** A JSON response entry for createRoute's `responses`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}

/** Response headers the API sends, as OpenAPI header objects. */
export const responseHeaders = {
  ETag: { description: 'the version of the item, `"v<version>"`; send it back in If-Match', schema: { type: 'string' as const } },
  Location: { description: 'the URL path of the item created or started', schema: { type: 'string' as const } },
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' as const } },
  'WWW-Authenticate': { description: 'the bearer challenge (RFC 6750 §3)', schema: { type: 'string' as const } },
  Connection: { description: '`close`: the unread body is still on the connection, so it is not reused', schema: { type: 'string' as const } },
};

const problem = (description: string, headers?: Partial<typeof responseHeaders>) => ({
  content: { 'application/problem+json': { schema: Problem } },
  description,
  ...(headers && { headers }),
});

/** The error responses of a route, by status. */
export const problems = {
  400: problem('invalid input: the problem document lists each bad field'),
  401: problem('missing, invalid or expired bearer token', { 'WWW-Authenticate': responseHeaders['WWW-Authenticate'] }),
  402: problem("over the owner's monthly budget (MONTHLY_BUDGET_USD) until the month ends"),
  403: problem('the token is valid but not for this'),
  404: problem('no such item, or not yours'),
  409: problem('conflicts with the current state'),
  410: problem('what the request needs is gone for good'),
  412: problem('the item changed since the version you sent'),
  413: problem('the body is larger than the route allows; the connection is closed', { Connection: responseHeaders.Connection }),
  415: problem('the body is not of a media type the route takes'),
  429: problem('over a rate limit or quota; Retry-After says when to try again', { 'Retry-After': responseHeaders['Retry-After'] }),
  503: problem('a backing service is throttling or down; Retry-After says when to try again', { 'Retry-After': responseHeaders['Retry-After'] }),
} as const;

/** The refusals of a route that takes a JSON body: too large (the body limit, app.ts), not JSON. */
export const bodyProblems = { 413: problems[413], 415: problems[415] } as const;

/** The responses of a change that makes a new version (PATCH with If-Match): the new version with its ETag, or why not. */
export function versionedUpdateResponses<T extends z.ZodType>(schema: T) {
  return {
    200: withHeaders(json(schema, 'the new version'), 'ETag'),
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
    412: problems[412],
    ...bodyProblems,
  };
}

/** An optional `If-Match` request header: the ETag of the version a change is based on (412 when stale). */
export const ifMatchHeader = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ param: { name: 'if-match', in: 'header' }, description: 'the ETag (`"v<version>"`) of the version this change is based on; 412 when stale' }),
});

/** An optional `Last-Event-ID` request header: where an SSE follow resumes (an event id the follow sent). */
export const lastEventIdHeader = z.object({
  'last-event-id': z
    .string()
    .optional()
    .openapi({
      param: { name: 'last-event-id', in: 'header' },
      description: 'resume an SSE follow after this event id (EventSource sends it on reconnecting)',
    }),
});

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
