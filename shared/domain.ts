/**
 * The domain's vocabulary: every closed set of values as an `as const` list (the type and the
 * zod schema in schemas.ts are built from it), the domain types, Fargate's cpu/memory
 * combinations and secret masking. Types that are also response shapes are inferred from
 * their zod schema in schemas.ts and re-exported here, so each shape is written once.
 */
import type * as containerSchemas from './container-schemas.js';
import type * as schemas from './schemas.js';
import type * as scheduleSchemas from './schedule-schemas.js';

/** A run's lifecycle. PENDING → PROVISIONING → RUNNING → one terminal status. */
export const RUN_STATUSES = ['PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The final statuses: a run in one of them never changes status again. */
export const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'] as const satisfies readonly RunStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminal(status: RunStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly RunStatus[]).includes(status);
}

/** How a run came to be (replay: POST /runs/{runId}/replay). */
export const TRIGGERS = ['manual', 'schedule', 'retry', 'replay'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** What a schedule's fire does while a run of it is still active (as Kubernetes CronJob's concurrencyPolicy). */
export const OVERLAP_POLICIES = ['Allow', 'Forbid', 'Replace'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/**
 * What happened at one scheduled slot (the schedule's ledger): STARTED its run; REPLACED (started
 * it and stopped the schedule's active runs, overlapPolicy Replace); SKIPPED (overlapPolicy
 * Forbid or the run quota, saying why); LAUNCH_FAILED (the run was created but did not launch,
 * saying why); MISSED (no fire came: the platform was down, or the trigger was lost).
 */
export const FIRE_OUTCOMES = ['STARTED', 'REPLACED', 'SKIPPED', 'LAUNCH_FAILED', 'MISSED'] as const;
export type FireOutcome = (typeof FIRE_OUTCOMES)[number];

/** The outcomes whose slot created a run. */
export const RUN_STARTING_OUTCOMES: readonly FireOutcome[] = ['STARTED', 'REPLACED', 'LAUNCH_FAILED'];

/**
 * What a schedule does with slots that passed with no fire (found after a dev-mode restart, or by
 * the cloud's sweep): none records them MISSED; latest runs the most recent one once; all runs up
 * to maxCount of them no older than maxAgeMinutes, oldest first. Every other missed slot is MISSED.
 */
export const CATCH_UP_POLICIES = ['none', 'latest', 'all'] as const;
export type CatchUpPolicy = (typeof CATCH_UP_POLICIES)[number];

/** What happens to a one-time at() schedule once it has fired (EventBridge Scheduler's ActionAfterCompletion). */
export const ACTIONS_AFTER_COMPLETION = ['NONE', 'DELETE'] as const;

/** The languages an app's script may be written in; each runs with the image's own interpreter (rules/script-rules.ts). */
export const SCRIPT_LANGUAGES = ['sh', 'python', 'node'] as const;
export type ScriptLanguage = (typeof SCRIPT_LANGUAGES)[number];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the token's subject and role. */
export interface Principal {
  userId: string;
  email?: string;
  role: Role;
}

/** Retry policy, as AWS Batch's: attempts in total (1 = no retry), optionally only on these exit codes. */
export type RetryPolicy = schemas.RetryPolicy;
/** What a task runs and with what: cpu in vCPU, memoryMiB in MiB, timeoutSeconds in s (schemas.TASK_SPEC_FIELDS). */
export type TaskSpec = schemas.TaskSpec;
/** A registered app: what to run and how; `version` starts at 1 and every update adds one. */
export type App = schemas.App;
/** One version of an app: its full definition then, who made it, when, and which fields changed. */
export type AppVersion = schemas.AppVersion;
/** A cron schedule of an app, in EventBridge syntax (`cron(...)` or `rate(...)`), always UTC. */
export type Schedule = scheduleSchemas.Schedule;
/** What one fire of a schedule did; the (scheduleId, scheduledTime) pair is its identity. */
export type ScheduleFire = scheduleSchemas.ScheduleFire;
/** An app's source, run by the image's interpreter instead of a command: `source` ≤ 32 KiB (UTF-8). */
export type Script = schemas.Script;
/** An account as the API shows it. */
export type User = schemas.User;
/** One accepted status transition of a run (the seed's RunningHistoryRecord). */
export type Transition = schemas.Transition;

/** A stop the platform asked for; decides the terminal status when the task stops. */
export interface StopRequest {
  status: Extract<TerminalStatus, 'STOPPED' | 'TIMED_OUT'>;
  reason: string;
  at: string;
  /** The grace (s) it was sent with; the sweep sends it again once that is long over (a lost StopTask). */
  graceSeconds?: number;
}

/** A launch the backend deferred (throttling, no capacity): how often it was tried, and when to try again. */
export interface LaunchRetry {
  attempts: number;
  /** ISO 8601: the sweep launches the run again from then on. */
  notBefore: string;
  reason: string;
}

/**
 * One execution of an app version, with the task spec it ran: the response shape
 * (schemas.Run; times ISO 8601, durationMs from startedAt to stoppedAt) plus what only the
 * platform sees.
 */
export type Run = schemas.Run & {
  history: Transition[];
  stopRequest?: StopRequest;
  /** When the task was started (its taskRef recorded); ECS may not know a task for a while after (eventual consistency). */
  launchedAt?: string;
  launchRetry?: LaunchRetry;
  /** The timeout (s) the app's maxCostPerRun made; when it is the run's timeoutSeconds, the timeout stops it for its cost. */
  costTimeoutSeconds?: number;
  /**
   * The last result's id (its item `keys.result(runId, resultId)` beside the run): the run item keeps this pointer and
   * `resultAt`, never the result itself, so a post writes a few bytes to the run (and to its indexes), not up to 64 KiB.
   */
  resultId?: string;
  /** The names of the last result's metrics. */
  resultMetrics?: string[];
};

/**
 * Fargate's valid task sizes: vCPU → allowed memory in MiB.
 * Source: AWS docs, "Amazon ECS task definition parameters for Fargate", Task size.
 */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [0.25, [512, 1024, 2048]],
  [0.5, steps(1024, 4096, 1024)],
  [1, steps(2048, 8192, 1024)],
  [2, steps(4096, 16384, 1024)],
  [4, steps(8192, 30720, 1024)],
  [8, steps(16384, 61440, 4096)],
  [16, steps(32768, 122880, 8192)],
]);

function steps(from: number, to: number, by: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += by) out.push(m);
  return out;
}

/** Names (env keys, labels) that look like they hold a secret. */
export const SECRET_KEY = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|AUTH)/i;

/** Replaces the values of env keys that look secret with "****" (for responses only). */
export function maskEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_KEY.test(k) ? '****' : v]));
}

/**
 * Linux capabilities every task drops, in dev mode (Docker CapDrop) and on Fargate
 * (linuxParameters.capabilities.drop). Fargate grants Docker's default set (it only lets a
 * task add SYS_PTRACE; AWS docs, ECS KernelCapabilities); these five are ones batch jobs
 * have no use for: raw sockets, device nodes, chroot, file capabilities, audit writes.
 */
export const DROPPED_CAPABILITIES = ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_CHROOT', 'SETFCAP'] as const;

/**
 * The name of a run's main container, the one the app's image, command and env describe (the
 * ECS container name in its task definition; dev mode's container label). Sidecars may not take it.
 */
export const MAIN_CONTAINER = 'app';

/**
 * When a container may start, relative to another of its task (ECS ContainerDependency.condition;
 * AWS docs, "ContainerDependency"): START once it started, COMPLETE once it exited, SUCCESS once it
 * exited with 0, HEALTHY once its health check passed.
 */
export const DEPENDENCY_CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** A container's health as ECS reports it (Container.healthStatus). */
export const HEALTH_STATUSES = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** A container's lifecycle as ECS reports it (Container.lastStatus); Docker's states are mapped onto it. */
export const CONTAINER_STATUSES = ['PENDING', 'RUNNING', 'STOPPED'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

/**
 * Containers per task definition: 10, not adjustable (AWS docs, "Amazon ECS service quotas",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html): the main one and up to 9 sidecars.
 */
export const MAX_CONTAINERS_PER_TASK = 10;

/** A sidecar container of an app: ECS's container definition, in the API's units (cpu in vCPU, memoryMiB in MiB). */
export type Sidecar = containerSchemas.Sidecar;
/** A container health check as ECS's (HealthCheck): seconds, run inside the container. */
export type HealthCheck = containerSchemas.HealthCheck;
/** One `dependsOn` entry: start after `containerName` meets `condition`. */
export type ContainerDependency = containerSchemas.ContainerDependency;
/** One container of a run as the run records it: ECS's Container fields (name, lastStatus, exitCode, healthStatus, reason). */
export type ContainerState = containerSchemas.ContainerState;
