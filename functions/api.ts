/**
 * The HTTP API's Lambda function (shared/lambda/api.ts). Top-level await: the platform, and with
 * it the JWT secret from Secrets Manager, is built during the init phase, once per cold start.
 */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { apiHandler } from '../shared/lambda/api.js';

export const handler = apiHandler(await createCloudPlatform(process.env));
