/**
 * What every Lambda handler does before its own work: put the invocation's context (function
 * name and version, request id, cold start) on the platform logger's lines.
 */
import type { LambdaContext } from 'hono/aws-lambda';
import { logger } from '../logger.js';

export type { LambdaContext };

/** `handler`, with the Lambda context added to the logger when Lambda passes one (tests may not). */
export function withLambdaContext<E, R>(handler: (event: E, context?: LambdaContext) => Promise<R>): (event: E, context?: LambdaContext) => Promise<R> {
  return (event, context) => {
    if (context) logger.addContext(context);
    return handler(event, context);
  };
}
