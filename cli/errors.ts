/** Errors the CLI shows as one clear message (never a stack trace), each with its exit code. */
import { EXIT } from './exit-codes.js';

/** A failure to report to the user: `message` is shown as is, `exitCode` ends the process. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
  }
}

/** An RFC 9457 problem document as the API sends it. */
export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** The API refused a request: its problem document, shown with each bad field. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    retryAfter?: string | null,
  ) {
    const lines = [`${problem.detail ?? problem.title ?? 'the API refused the request'} (HTTP ${status})`];
    for (const error of problem.errors ?? []) lines.push(`  ${error.field}: ${error.message}`);
    if (retryAfter) lines.push(`  try again in ${retryAfter} s`);
    super(lines.join('\n'));
  }
}
