/**
 * The CLI's exit codes, documented in README ("Exit codes"): a script can trust them.
 * A run followed to its end exits with the job's own code, like `docker run`; the platform's
 * own outcomes get the codes their peers use, so they never pass for a job's.
 */
import type { components } from './api-types.js';

type Run = components['schemas']['Run'];

export const EXIT = {
  /** The command did what it was asked (or the run SUCCEEDED). */
  OK: 0,
  /** The command failed: the API refused it (its problem document is shown), or it could not reach the API. */
  ERROR: 1,
  /** Bad usage: an unknown option, a missing argument, an unreadable file. */
  USAGE: 2,
  /** The run ended TIMED_OUT (GNU timeout's 124). */
  TIMED_OUT: 124,
  /** The run never started: its launch failed (docker run's 125). */
  LAUNCH_FAILED: 125,
  /** Ctrl-C: the CLI left, the run goes on (128 + SIGINT). */
  INTERRUPTED: 130,
  /** The run was killed (SIGKILL: 128 + 9). */
  KILLED: 137,
  /** The run was stopped (SIGTERM: 128 + 15). */
  STOPPED: 143,
} as const;

/**
 * The exit code for a finished run: the job's own exit code when it ran and exited (SUCCEEDED,
 * FAILED), TIMED_OUT 124, STOPPED 143 (137 when SIGKILLed), a launch that failed 125.
 */
export function runExitCode(run: Pick<Run, 'status' | 'exitCode' | 'arrayProperties'>): number {
  switch (run.status) {
    case 'SUCCEEDED':
      return EXIT.OK;
    case 'TIMED_OUT':
      return EXIT.TIMED_OUT;
    case 'STOPPED':
      return run.exitCode === EXIT.KILLED ? EXIT.KILLED : EXIT.STOPPED;
    case 'FAILED':
      // An array job's parent has no exit code of its own: some child failed.
      if (run.arrayProperties?.statusSummary) return EXIT.ERROR;
      // A job that exited 0 can still fail (a sidecar it depended on, a lost task): never report success.
      return run.exitCode === undefined ? EXIT.LAUNCH_FAILED : run.exitCode & 0xff || EXIT.ERROR;
    default:
      return EXIT.ERROR;
  }
}
