/** The minute's sweep of active runs (shared/lambda/reconciler.ts) and of images (image-housekeeping.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { imageHousekeeping } from '../shared/lambda/image-housekeeping.js';
import { reconcilerHandler } from '../shared/lambda/reconciler.js';

const platform = await createCloudPlatform(process.env);
export const handler = reconcilerHandler(platform, imageHousekeeping(platform));
