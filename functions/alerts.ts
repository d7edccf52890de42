/** Run State Change events → alert rules (shared/lambda/alerts.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { alertEventsHandler } from '../shared/lambda/alerts.js';

export const handler = alertEventsHandler(await createCloudPlatform(process.env));
