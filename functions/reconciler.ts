/** The minute's sweep of active runs (shared/lambda/reconciler.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { reconcilerHandler } from '../shared/lambda/reconciler.js';

export const handler = reconcilerHandler(await createCloudPlatform(process.env));
