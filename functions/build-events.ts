/** CodeBuild build state changes and ECR image scans → builds (shared/lambda/build-events.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { buildEventsHandler } from '../shared/lambda/build-events.js';

const platform = await createCloudPlatform(process.env);
export const handler = buildEventsHandler(platform, platform.scanFindings);
