/**
 * Errors the services throw for a caller's mistake. The HTTP layer turns each into an
 * RFC 9457 problem document with the status given here; anything else is a 500.
 */

/** One bad field of a request: where (a dotted path) and what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

export class ClientError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 412 | 428,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new ClientError(400, 'Bad Request', detail, errors);
export const unauthorized = (detail: string) => new ClientError(401, 'Unauthorized', detail);
export const notFound = (what: string, id: string) => new ClientError(404, 'Not Found', `${what} ${id} does not exist`);
export const conflict = (detail: string) => new ClientError(409, 'Conflict', detail);
export const preconditionFailed = (detail: string) => new ClientError(412, 'Precondition Failed', detail);
