/**
 * The AWS adapters' own error: an operation AWS answered without throwing but refused in its
 * response (RunTask `failures`, PutEvents / PutTargets `FailedEntryCount`, a missing field).
 */
import { ServiceUnavailableError } from '../errors.js';

/** An AWS operation that reported failure in its response; `operation` is the API action (e.g. `RunTask`). */
export class AwsOperationError extends Error {
  override readonly name = 'AwsOperationError';
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Error names AWS services use for "slow down" once the SDK's own retries are spent: the common
 * ThrottlingException (CodeBuild, ECR, most JSON APIs), S3's SlowDown (HTTP 503), and API rate quotas.
 */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'SlowDown', 'RequestLimitExceeded']);

/** True when `err` is an AWS throttling error (see THROTTLING). */
export function isThrottling(err: unknown): boolean {
  return THROTTLING.has((err as { name?: string } | undefined)?.name ?? '');
}

/**
 * True when the same call may succeed later: throttling (after the SDK's own retries), a service's
 * server-side failure (`$fault: 'server'`, e.g. ECS's ServerException), or any answer with a 5xx
 * status, including one whose body was not JSON (a load balancer's HTML page: the SDK then throws
 * a SyntaxError that carries only `$metadata.httpStatusCode`).
 */
export function isTransient(err: unknown): boolean {
  if (isThrottling(err)) return true;
  const e = err as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$fault === 'server' || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * `call`'s result; its throttling error (after the SDK's retries) becomes a ServiceUnavailableError
 * (503, Retry-After 1 s) saying `service` is throttling, with the error as `cause`. Other errors pass unchanged.
 */
export async function unlessThrottled<T>(service: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (isThrottling(err)) throw new ServiceUnavailableError(`${service} is throttling requests; try again shortly`, { cause: err, retryAfterSeconds: 1 });
    throw err;
  }
}
