/**
 * Errors with a `name` a caller can test and the `cause` they wrap (as Powertools' errors).
 * ClientError: a caller's mistake; the HTTP layer turns it into an RFC 9457 problem
 * document with the status given here. Anything else is a 500, logged.
 */

/** One bad field of a request: where (a dotted path) and what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

/** A caller's mistake: 4xx, with the title of the status and a detail saying what is wrong. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly status: 400 | 401 | 402 | 403 | 404 | 409 | 410 | 412 | 413 | 428 | 429,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options?.headers;
  }
  /** Extra response headers (e.g. Retry-After on a 429). */
  readonly headers?: Record<string, string>;
}

/**
 * A backend dependency refused or failed an operation in a way the caller cannot fix (a
 * quota, throttling after retries): a 503 with its detail, the original error as `cause`.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  constructor(detail: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds?: number;
}

export const badRequest = (detail: string, errors?: FieldError[], cause?: unknown) => new ClientError(400, 'Bad Request', detail, errors, { cause });
export const unauthorized = (detail: string) => new ClientError(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new ClientError(403, 'Forbidden', detail);
export const notFound = (what: string, id: string) => new ClientError(404, 'Not Found', `${what} ${id} does not exist`);
export const conflict = (detail: string) => new ClientError(409, 'Conflict', detail);
/** Over a spending limit that does not clear by waiting a moment (a monthly budget): 402, not 429, so clients do not retry. */
export const paymentRequired = (detail: string) => new ClientError(402, 'Payment Required', detail);
/** What the request needs existed once and is gone for good (a replayed run's image digest). */
export const gone = (detail: string) => new ClientError(410, 'Gone', detail);
export const preconditionFailed = (detail: string) => new ClientError(412, 'Precondition Failed', detail);
export const payloadTooLarge = (detail: string) => new ClientError(413, 'Content Too Large', detail);
export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new ClientError(429, 'Too Many Requests', detail, undefined, { headers: retryAfter(retryAfterSeconds) });

/** The Retry-After header (RFC 9110 §10.2.3: delay-seconds, a whole number ≥ 1 here) for a wait of `seconds`. */
export const retryAfter = (seconds: number): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(seconds))) });

/** A `cursor` the API did not hand out (malformed, or another log's): 400 naming the field, on every backend. */
export const invalidCursor = (cause?: unknown) => badRequest('cursor is not valid', [{ field: 'cursor', message: 'not a cursor returned by this API' }], cause);
