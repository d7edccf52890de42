/** A schedule rule fired → its run (shared/lambda/scheduled-run.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { scheduledRunHandler } from '../shared/lambda/scheduled-run.js';

export const handler = scheduledRunHandler(await createCloudPlatform(process.env));
