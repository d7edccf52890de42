/**
 * The HTTP API's Lambda function: API Gateway HTTP API (payload format 2.0) → the Hono app.
 */
import { handle } from 'hono/aws-lambda';
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { createApi } from '../shared/http/app.js';

// Top-level await: the JWT secret is read from Secrets Manager during the init phase, once per cold start.
const platform = await createCloudPlatform();

/**
 * The Lambda handler. A log follow (SSE) ends after 25 s, inside API Gateway's 30 s
 * integration timeout; clients resume with Last-Event-ID.
 */
export const handler = handle(createApi(platform, { healthChecks: { store: () => platform.checkStore() }, maxFollowMs: 25_000 }));
