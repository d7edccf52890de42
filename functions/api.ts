/**
 * The HTTP API's Lambda functions (shared/lambda/api.ts): `handler` behind API Gateway,
 * `streamingHandler` behind the log-follow function URL (RESPONSE_STREAM), one bundle for both.
 * Top-level await: the platform, and with it the JWT secret from Secrets Manager, is built
 * during the init phase, once per cold start.
 */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { apiHandler, streamingHandler as streaming } from '../shared/lambda/api.js';
import { FollowBudget } from '../shared/lambda/follow-budget.js';

const platform = await createCloudPlatform(process.env);

export const handler = apiHandler(platform, platform.config.logFollowUrl, platform.config.corsOrigins);
export const streamingHandler = streaming(platform, new FollowBudget(platform.db, platform.config.followBudget));
