/**
 * The environment the platform gives every job, on both backends (its names written once).
 * The platform's values override an app's or a run's variables of the same name.
 */
export const JOB_ENV = {
  /** The run's id. */
  runId: 'CONTAINERIZER_RUN_ID',
  /** Where the job POSTs its result (JSON object, ≤ 64 KiB), with the run token as bearer. Absent when the backend has no URL a task can reach. */
  resultUrl: 'CONTAINERIZER_RESULT_URL',
  /** A bearer token good for POST /runs/{runId}/result of this run only, while it is active. */
  runToken: 'CONTAINERIZER_RUN_TOKEN',
  /** A path the job may write its result to instead (read when the task stops; dev mode). */
  resultFile: 'CONTAINERIZER_RESULT_FILE',
} as const;

/** Where a job writes its result when it cannot reach the URL: inside the container, picked up when it stops. */
export const RESULT_FILE_PATH = '/tmp/containerizer-result.json';
