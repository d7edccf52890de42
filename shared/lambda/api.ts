/**
 * The HTTP API's Lambda handler: API Gateway HTTP API (payload format 2.0) → the Hono app.
 */
import { handle } from 'hono/aws-lambda';
import type { CloudPlatform } from '../cloud-platform.js';
import { createApi } from '../http/app.js';
import { sourceIp } from './client-address.js';
import { withLambdaContext } from './context.js';

/** A log follow (SSE) ends after this long (ms), inside API Gateway's 30 s integration timeout; clients resume with Last-Event-ID. */
const MAX_FOLLOW_MS = 25_000;

/** The api function's handler: the Hono app, with GET /health asking DynamoDB. */
export function apiHandler(platform: CloudPlatform) {
  return withLambdaContext(
    handle(createApi(platform, { healthChecks: { store: () => platform.checkStore() }, maxFollowMs: MAX_FOLLOW_MS, clientAddress: sourceIp })),
  );
}
