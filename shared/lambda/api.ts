/**
 * The HTTP API's Lambda handlers, both over the same Hono app:
 * - `apiHandler`: API Gateway HTTP API (payload format 2.0), which buffers every response (up
 *   to Lambda's 6 MB synchronous payload): an SSE log follow answers with the lines there are now,
 *   at most FOLLOW_BYTES, and names the live endpoint in a Link header;
 * - `streamingHandler`: a Lambda function URL with InvokeMode RESPONSE_STREAM (hono's
 *   `streamHandle`), where a follow's lines reach the client as they are read.
 */
import { Hono } from 'hono';
import { defaultIsContentTypeBinary, handle, streamHandle } from 'hono/aws-lambda';
import type { CloudPlatform } from '../cloud-platform.js';
import { FOLLOW_BYTES, STREAMED_FOLLOW_MS } from '../cloud-limits.js';
import { createApi } from '../http/app.js';
import { problemResponse } from '../http/problem.js';
import { sourceIp } from './client-address.js';
import { withLambdaContext } from './context.js';

/** The api function's handler: the Hono app, with GET /health asking DynamoDB; `liveFollowUrl` is the streaming endpoint's base URL; `corsOrigins` the console's (CORS_ALLOWED_ORIGINS). */
export function apiHandler(platform: CloudPlatform, liveFollowUrl?: string, corsOrigins?: readonly string[]) {
  const app = createApi(platform, {
    corsOrigins,
    healthChecks: { store: () => platform.checkStore() },
    follow: { maxMs: 0, maxBytes: FOLLOW_BYTES, liveUrl: liveFollowUrl },
    clientAddress: sourceIp,
  });
  return withLambdaContext(handle(app, { isContentTypeBinary }));
}

/** hono's default, except that an SSE body is text: base64 would add a third to every follow response. */
function isContentTypeBinary(contentType: string): boolean {
  return !/^text\/event-stream/i.test(contentType) && defaultIsContentTypeBinary(contentType);
}

/** The runtime's response-streaming global (AWS docs, "Response streaming for Lambda functions"); only the Lambda Node.js runtime defines it. */
declare const awslambda: unknown;

/**
 * The log-follow function's handler (a function URL in RESPONSE_STREAM mode): the same app, with
 * follows that stream for up to STREAMED_FOLLOW_MS. Outside the Lambda runtime (no `awslambda`
 * global) it is a function that refuses to run, so the module still loads for tests and tools.
 */
export function streamingHandler(platform: CloudPlatform) {
  if (typeof awslambda === 'undefined') {
    return () => Promise.reject(new Error('streamingHandler needs the Lambda runtime (the awslambda global)'));
  }
  const api = createApi(platform, {
    healthChecks: { store: () => platform.checkStore() },
    follow: { maxMs: STREAMED_FOLLOW_MS, maxBytes: FOLLOW_BYTES },
    clientAddress: sourceIp,
  });
  // The function URL is for following logs only; everything else stays behind API Gateway.
  const app = new Hono();
  app.get('/runs/:runId/logs', (c) => api.fetch(c.req.raw));
  app.notFound((c) => problemResponse(c, { title: 'Not Found', status: 404, detail: 'this endpoint serves only GET /runs/{runId}/logs' }));
  return streamHandle(app);
}
