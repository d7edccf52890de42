/**
 * What a DynamoDB call's failure means to the caller. The edge checks every limit the store has
 * (item-limits.ts); this is the net under those checks, so that a refusal that still gets
 * through is a clear 4xx and never a 500, and a store that is down is a 503:
 * - the SDK's marshaller refusing a number (Infinity, NaN, past Number.MAX_SAFE_INTEGER) → 400;
 * - DynamoDB's ValidationException about the data (nesting past 32 levels, a number out of its
 *   range or precision, an item over 400 KB) → 400 / 413 (AWS docs, "Constraints in Amazon DynamoDB");
 * - no answer, or a server-side fault (InternalServerError, throttling after the SDK's retries) → 503.
 * Anything else (a condition that failed, a transaction cancelled, a programming error) passes
 * unchanged: the stores test those by name, and a bug stays a logged 500.
 */
import { badRequest, ClientError, ServiceUnavailableError } from '../errors.js';

/** Messages of @aws-sdk/util-dynamodb's marshaller when it refuses a number. */
const MARSHALLER_NUMBER = /^(Special numeric value \S+ is not allowed|Number .* is (greater|lesser) than Number\.(MAX|MIN)_SAFE_INTEGER)/;
/** ValidationException messages about the data itself (nesting, numbers), as DynamoDB words them. */
const DATA_REFUSED =
  /Nesting Levels have exceeded|Number overflow|magnitude (larger|smaller) than supported range|Attempting to store more than 38 significant digits/i;
/** ValidationException messages about an item's size. */
const ITEM_TOO_LARGE = /Item size (to update )?has exceeded the maximum allowed size/i;
/** Failures that mean "the store is not answering now": server faults and throttling once the SDK's retries are spent. */
const UNAVAILABLE = new Set([
  'InternalServerError',
  'ServiceUnavailable',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);
/** Node's socket errors: the store could not be reached or hung up. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

/** The error a store call's failure `err` becomes (see the file's comment). */
export function storeError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof ClientError || err instanceof ServiceUnavailableError) return err;
  if (MARSHALLER_NUMBER.test(err.message)) {
    return badRequest(
      `a value cannot be stored: ${err.message}`,
      [{ field: '(body)', message: 'numbers are 0 or between 1e-130 and 9007199254740991 in magnitude' }],
      err,
    );
  }
  if (err.name === 'ValidationException' && ITEM_TOO_LARGE.test(err.message)) {
    return new ClientError(413, 'Content Too Large', `the item would be over DynamoDB's 400 KB item size: ${err.message}`, undefined, { cause: err });
  }
  if (err.name === 'ValidationException' && DATA_REFUSED.test(err.message)) return badRequest(`the store refused a value: ${err.message}`, undefined, err);
  const code = (err as { code?: string }).code;
  if (UNAVAILABLE.has(err.name) || (code !== undefined && NETWORK.has(code)) || err.name === 'TimeoutError') {
    return new ServiceUnavailableError('the data store is not answering; try again shortly', { cause: err, retryAfterSeconds: 1 });
  }
  return err;
}
