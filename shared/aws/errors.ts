/**
 * The AWS adapters' own error: an operation AWS answered without throwing but refused in its
 * response (RunTask `failures`, PutEvents / PutTargets `FailedEntryCount`, a missing field).
 */

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
