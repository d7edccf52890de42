/** TTL deletes of run items → their log streams deleted (shared/lambda/run-expiry.ts). */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ENV, envReader } from '../shared/env.js';
import { runExpiryHandler } from '../shared/lambda/run-expiry.js';

const read = envReader(process.env);
export const handler = runExpiryHandler(new CloudWatchLogsClient({}), {
  logGroupName: read.required(ENV.LOG_GROUP_NAME),
  logStreamPrefix: read.required(ENV.LOG_STREAM_PREFIX),
});
