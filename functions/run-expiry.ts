/** TTL deletes of run items → their log streams deleted (shared/lambda/run-expiry.ts). */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { readCloudConfig } from '../shared/cloud-config.js';
import { runExpiryHandler } from '../shared/lambda/run-expiry.js';

export const handler = runExpiryHandler(new CloudWatchLogsClient({}), readCloudConfig(process.env).runLogs);
