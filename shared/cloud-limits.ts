/**
 * The cloud backend's limits and fixed settings that more than one layer states: the handlers,
 * the ECS adapter, the stack (infra/) and the API's own description read them from here.
 */

/**
 * Bytes of log per follow response: 1 MiB, plus at most one GetLogEvents page (≤ 1 MB of events,
 * AWS API reference) since a page is always written whole. Far under Lambda's 6 MB buffered
 * payload, so a follow through API Gateway always answers, and a resumed follow always progresses.
 */
export const FOLLOW_BYTES = 1024 * 1024;

/** How long (ms) one streamed follow stays open before the client resumes (Lambda allows 15 min). */
export const STREAMED_FOLLOW_MS = 5 * 60_000;

/**
 * RunTask's `overrides`, JSON formatting included, may hold at most 8,192 characters (AWS API
 * reference, RunTask `overrides`). An app version's command and env live in its task
 * definition, so only a run's own overrides count.
 */
export const RUN_TASK_OVERRIDES_MAX_CHARS = 8192;

/**
 * Seconds between SIGTERM and SIGKILL when ECS stops a task: the container's `stopTimeout`
 * in every task definition (Fargate: 2–120 s, 30 when unset; AWS docs, ContainerDefinition
 * stopTimeout). ECS has no per-call grace and no "SIGKILL now", so on Fargate every stop and
 * kill gets exactly this grace; 10 s is the API's default graceSeconds.
 */
export const FARGATE_STOP_TIMEOUT_SECONDS = 10;

/**
 * How long (ms) after RunTask a task DescribeTasks reports MISSING still counts as "not listed
 * yet" (ECS's eventual consistency: AWS docs, "Amazon ECS API eventual consistency"); only after
 * that is it lost. ECS usually lists a new task within seconds; two reconciler ticks are ample.
 */
export const ECS_MISSING_GRACE_MS = 120_000;

/** The reconciler function's timeout (s): done before the next one-minute tick. bench/reconciler.ts measures how many active runs fit in it. */
export const RECONCILER_TIMEOUT_SECONDS = 55;

/**
 * How a schedule fire that could not be delivered is retried: for up to an hour (a later fire
 * would be the next slot anyway), then the dead-letter queue. EventBridge's RetryPolicy
 * (MaximumEventAgeInSeconds 60-86,400, MaximumRetryAttempts 0-185).
 */
export const FIRE_RETRY_POLICY = { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 } as const;

/**
 * How old (ms) a slot with no ledger entry must be before the reconciler counts it MISSED: past
 * the fire's whole retry window, plus five minutes for the scheduled-run function itself (a
 * schedule's flexible window is added per schedule).
 */
export const MISSED_SLOT_GRACE_MS = (FIRE_RETRY_POLICY.MaximumEventAgeInSeconds + 300) * 1000;

/**
 * The reconciler looks for missed schedule slots on every this-many-th minute only: the sweep
 * reads every enabled schedule (one Query of the schedules' listing), and a slot is not missed
 * before MISSED_SLOT_GRACE_MS (65 min) anyway, so a 15-minute cadence loses nothing.
 */
export const MISSED_SLOT_SWEEP_MINUTES = 15;
