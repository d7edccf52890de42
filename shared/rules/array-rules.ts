/**
 * Array jobs' pure rules (no I/O, no clock): the ids of a parent's children, what a child copies
 * from its parent, the variables it gets, how many more children may start, and the parent's
 * outcome from its children's. AWS Batch is the model ("Array jobs"): children are `<jobId>:<index>`,
 * the parent's status follows them (SUCCEEDED when every child succeeds, FAILED otherwise).
 */
import { TERMINAL_STATUSES, type Run, type TerminalStatus } from '../domain.js';
import type { StatusSummary } from '../array-schemas.js';
import { isId } from '../ids.js';

/** The variables each child gets (as AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX, Cloud Run's CLOUD_RUN_TASK_INDEX/COUNT). */
export const ARRAY_ENV = {
  index: 'CONTAINERIZER_ARRAY_INDEX',
  size: 'CONTAINERIZER_ARRAY_SIZE',
  /** The child's attempt at its index, 1 for the first (as AWS Batch's AWS_BATCH_JOB_ATTEMPT). */
  attempt: 'CONTAINERIZER_ATTEMPT',
} as const;

/** Digits of a child's index in its id: indexes are below 10,000 (ARRAY_SIZE.max), zero-padded so ids sort by index. */
const INDEX_DIGITS = 4;

const CHILD_ID = /^(.{26})-(\d{4})(?:-(\d{1,2}))?$/;

/**
 * The run id of attempt `attempt` (1 = the first) of a parent's child at `index`: `<parentRunId>-<index>` as AWS Batch's
 * `<jobId>:<index>`, its index zero-padded to 4 digits (so a listing by id is by index), and `-<attempt>` for a retry.
 * A hyphen, not Batch's colon: the id is ECS's `startedBy` (letters, digits, `-`, `/`, `_`; AWS API reference, RunTask)
 * and part of Docker's container name (`[a-zA-Z0-9][a-zA-Z0-9_.-]`).
 */
export function childRunId(parentRunId: string, index: number, attempt = 1): string {
  const id = `${parentRunId}-${String(index).padStart(INDEX_DIGITS, '0')}`;
  return attempt > 1 ? `${id}-${attempt}` : id;
}

/** The bounds (inclusive) of a parent's children's ids: every child id sorts between them. */
export function childIdRange(parentRunId: string): { low: string; high: string } {
  return { low: `${parentRunId}-`, high: `${parentRunId}-~` };
}

/** True when `runId` can name a run: a ULID (any run) or a child's id built by childRunId. */
export function isRunId(runId: string): boolean {
  if (isId(runId)) return true;
  const child = CHILD_ID.exec(runId);
  return !!child && isId(child[1]!);
}

/** True for an array job's parent: it has no task of its own, its children do the work. */
export function isArrayParent(run: Pick<Run, 'arrayProperties' | 'parentRunId'>): boolean {
  return !!run.arrayProperties && run.arrayProperties.index === undefined && !run.parentRunId;
}

/** The parallelism an array gets: the one asked for, else its size, capped by the size and the owner's run quota (`maxActive`). */
export function arrayParallelism(size: number, asked: number | undefined, maxActive: number): number {
  return Math.max(1, Math.min(asked ?? size, size, maxActive));
}

/** An array's counts before any child ended. */
export function emptySummary(): StatusSummary {
  return Object.fromEntries(TERMINAL_STATUSES.map((status) => [status, 0])) as StatusSummary;
}

/** Children of the summary that have ended. */
export function endedCount(summary: StatusSummary | undefined): number {
  return summary ? TERMINAL_STATUSES.reduce((sum, status) => sum + summary[status], 0) : 0;
}

/**
 * How many children a parent may create now: none once it has ended or a stop was asked for; else as many as keep the
 * created-but-not-ended ones (`nextIndex - ended`) within its parallelism, up to its size.
 */
export function childrenDue(parent: Pick<Run, 'arrayProperties' | 'status' | 'stopRequest'>): number {
  const array = parent.arrayProperties;
  if (!array || parent.stopRequest || TERMINAL_STATUSES.includes(parent.status as TerminalStatus)) return 0;
  const next = array.nextIndex ?? 0;
  const active = next - endedCount(array.statusSummary);
  return Math.max(0, Math.min(array.size - next, (array.parallelism ?? array.size) - active));
}

/**
 * The parent's outcome once no child can still run, or undefined while one can: every index ended (or, after a stop, every
 * created child). SUCCEEDED when every child succeeded; STOPPED when stopped; else FAILED; the reason gives the counts.
 */
export function parentOutcome(parent: Pick<Run, 'arrayProperties' | 'stopRequest'>): { status: TerminalStatus; reason: string } | undefined {
  const array = parent.arrayProperties;
  if (!array?.statusSummary) return undefined;
  const ended = endedCount(array.statusSummary);
  const done = parent.stopRequest ? ended >= (array.nextIndex ?? 0) : ended >= array.size;
  if (!done) return undefined;
  const counts = TERMINAL_STATUSES.filter((status) => array.statusSummary![status] > 0)
    .map((status) => `${array.statusSummary![status]} ${status}`)
    .join(', ');
  const reason = `${ended} of ${array.size} children ended: ${counts || 'none'}`;
  if (parent.stopRequest) return { status: parent.stopRequest.status, reason: `${parent.stopRequest.reason}; ${reason}` };
  return { status: array.statusSummary.SUCCEEDED === array.size ? 'SUCCEEDED' : 'FAILED', reason };
}

/** The first attempt of the parent's child at `index`: the parent's task spec, its own PENDING state. */
export function childOf(parent: Run, index: number, createdAt: string): Run {
  return {
    ...parent,
    runId: childRunId(parent.runId, index),
    parentRunId: parent.runId,
    arrayProperties: { size: parent.arrayProperties!.size, index },
    status: 'PENDING',
    stopRequest: undefined,
    startedAt: undefined,
    stoppedAt: undefined,
    stoppedReason: undefined,
    createdAt,
    history: [{ status: 'PENDING', at: createdAt }],
  };
}

/** The variables a child's main container gets besides the platform's others; none for a run that is no child. */
export function arrayEnv(run: Pick<Run, 'arrayProperties' | 'parentRunId' | 'attempt'>): Record<string, string> {
  const array = run.arrayProperties;
  if (!run.parentRunId || array?.index === undefined) return {};
  return { [ARRAY_ENV.index]: String(array.index), [ARRAY_ENV.size]: String(array.size), [ARRAY_ENV.attempt]: String(run.attempt) };
}
