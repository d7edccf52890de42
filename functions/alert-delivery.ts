/** The alert queue's messages → signed webhook deliveries (shared/lambda/alerts.ts); the platform is built once per cold start. */
import { createCloudPlatform, requiredAlertQueue } from '../shared/cloud-platform.js';
import { alertDeliveryHandler } from '../shared/lambda/alerts.js';

const platform = await createCloudPlatform(process.env);
export const handler = alertDeliveryHandler(platform, requiredAlertQueue(platform));
