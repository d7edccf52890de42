/**
 * Domain types and the rules that belong to them: run statuses and their order,
 * Fargate's cpu/memory combinations, secret masking.
 */

/** A run's lifecycle. PENDING → PROVISIONING → RUNNING → one terminal status. */
export const RUN_STATUSES = ['PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type TerminalStatus = 'SUCCEEDED' | 'FAILED' | 'STOPPED' | 'TIMED_OUT';

/** Position of a status in the forward-only order; every terminal status shares the last rank. */
export function statusRank(status: RunStatus): number {
  switch (status) {
    case 'PENDING':
      return 0;
    case 'PROVISIONING':
      return 1;
    case 'RUNNING':
      return 2;
    default:
      return 3;
  }
}

export function isTerminal(status: RunStatus): status is TerminalStatus {
  return statusRank(status) === 3;
}

export type Role = 'user' | 'admin';

/** Who is calling: the token's subject and role. */
export interface Principal {
  userId: string;
  email?: string;
  role: Role;
}

/** Retry policy, as AWS Batch's: attempts in total (1 = no retry), optionally only on these exit codes. */
export interface RetryPolicy {
  maxAttempts: number;
  onExitCodes?: number[];
}

/** What a task runs and with what: cpu in vCPU, memoryMiB in MiB, timeoutSeconds in s. */
export interface TaskSpec {
  image: string;
  /** Overrides the image's CMD; empty means the image's own. */
  command: string[];
  env: Record<string, string>;
  cpu: number;
  memoryMiB: number;
  timeoutSeconds: number;
  retry: RetryPolicy;
}

/** A registered app: what to run and how. */
export interface App extends TaskSpec {
  appId: string;
  ownerId: string;
  name: string;
  description?: string;
  /** Starts at 1; every update adds one. */
  version: number;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
}

/** One version of an app: its full definition then, who made it, when, and which fields changed. */
export interface AppVersion extends App {
  changedFields: string[];
}

export type Trigger = 'manual' | 'schedule' | 'retry';

/** One accepted status transition of a run. */
export interface Transition {
  status: RunStatus;
  at: string;
  reason?: string;
  exitCode?: number;
}

/** A stop the platform asked for; decides the terminal status when the task stops. */
export interface StopRequest {
  status: 'STOPPED' | 'TIMED_OUT';
  reason: string;
  at: string;
}

/** One execution of an app version, with the task spec it ran. Times are ISO 8601; durationMs is startedAt → stoppedAt. */
export interface Run extends TaskSpec {
  runId: string;
  appId: string;
  appName: string;
  ownerId: string;
  appVersion: number;
  status: RunStatus;
  trigger: Trigger;
  /** 1 for the first attempt; retries count up to retry.maxAttempts. */
  attempt: number;
  scheduleId?: string;
  scheduledTime?: string;
  /** The run this one retries. */
  previousRunId?: string;
  /** The retry of this run, once one is planned. */
  nextRunId?: string;
  taskRef?: string;
  exitCode?: number;
  stoppedReason?: string;
  stopRequest?: StopRequest;
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
  durationMs?: number;
  history: Transition[];
}

export type OverlapPolicy = 'Allow' | 'Forbid' | 'Replace';

/** A cron schedule of an app, in EventBridge syntax (`cron(...)` or `rate(...)`), always UTC. */
export interface Schedule {
  scheduleId: string;
  appId: string;
  ownerId: string;
  expression: string;
  enabled: boolean;
  overlapPolicy: OverlapPolicy;
  overrides: { command?: string[]; env?: Record<string, string> };
  description?: string;
  createdAt: string;
  updatedAt: string;
}

/** What one fire of a schedule did; the (scheduleId, scheduledTime) pair is its identity. */
export interface ScheduleFire {
  scheduleId: string;
  scheduledTime: string;
  outcome: 'STARTED' | 'SKIPPED';
  runId?: string;
  reason?: string;
  at: string;
}

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
