/**
 * The platform's one structured logger: JSON lines on stdout (Powertools for AWS Lambda's
 * Logger, which CloudWatch Logs Insights queries by field), the same in the Lambdas and in
 * dev mode. Level: POWERTOOLS_LOG_LEVEL (default INFO); service: POWERTOOLS_SERVICE_NAME
 * (default "containerizer"). Errors passed as the last argument are logged with name,
 * message, stack and cause.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'containerizer' });
