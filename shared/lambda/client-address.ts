/**
 * The api function's client address: API Gateway HTTP API's `requestContext.http.sourceIp`
 * (payload format 2.0), the address of the TCP peer API Gateway saw. Never X-Forwarded-For,
 * which the caller writes.
 */
import type { ClientAddressOf } from '../http/app.js';

/** `requestContext.http.sourceIp` of the event hono/aws-lambda's handle() passes as the context's env. */
export const sourceIp: ClientAddressOf = (c) => (c.env as { requestContext?: { http?: { sourceIp?: string } } } | undefined)?.requestContext?.http?.sourceIp;
