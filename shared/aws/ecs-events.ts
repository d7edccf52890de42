/**
 * ECS task state, normalized: EventBridge "ECS Task State Change" events and
 * DescribeTasks results both become a TaskStateChange through `taskStateChange`.
 */
import { MAIN_CONTAINER } from '../domain.js';
import type { TaskStateChange } from '../ports.js';
import { containerStates, essentialSidecarFailure } from './ecs-containers.js';
import { isRunId } from '../rules/array-rules.js';

/** The name of the main container in every Containerizer task definition (see EcsRuntime.prepare). */
export const APP_CONTAINER = MAIN_CONTAINER;

/**
 * An EventBridge "ECS Task State Change" event, with the fields the platform reads.
 * Shape: AWS docs, "Amazon ECS task state change events". Timestamps are ISO 8601 strings.
 */
export interface EcsTaskStateChangeEvent {
  version: string;
  id: string;
  'detail-type': 'ECS Task State Change';
  source: 'aws.ecs';
  account: string;
  /** When EventBridge received the event (ISO 8601). */
  time: string;
  region: string;
  resources: string[];
  detail: EcsTaskStateChangeDetail;
}

/** The `detail` of an "ECS Task State Change" event. */
export interface EcsTaskStateChangeDetail {
  clusterArn: string;
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  /** RunTask's `startedBy`; Containerizer sets it to the run id. */
  startedBy?: string;
  launchType?: string;
  /** e.g. TaskFailedToStart, EssentialContainerExited, UserInitiated. */
  stopCode?: string;
  stoppedReason?: string;
  containers: EcsContainerState[];
  /** Increases with every change of the task; orders events that arrive out of order. */
  version: number;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
}

/** One container of a task, as events and DescribeTasks report it. */
export interface EcsContainerState {
  name?: string;
  lastStatus?: string;
  /** Absent until the container exits, and when it never started (e.g. CannotPullContainerError). */
  exitCode?: number;
  /** The digest of the image the container runs (ECS resolves a tag to it when the task starts). */
  imageDigest?: string;
  /** Why the container stopped, e.g. "OutOfMemoryError: Container killed due to memory usage". */
  reason?: string;
  /** HEALTHY, UNHEALTHY or UNKNOWN, for a container with a health check. */
  healthStatus?: string;
}

/** The task fields the mapping reads; a DescribeTasks `Task` and an event's `detail` both fit (dates as Date or ISO string). */
export interface EcsTaskFields {
  taskArn?: string;
  lastStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers?: EcsContainerState[];
  version?: number;
  createdAt?: Date | string;
  startedAt?: Date | string;
  stoppedAt?: Date | string;
}

/**
 * Translates an "ECS Task State Change" event into a TaskStateChange, taking the run id
 * from `detail.startedBy`. Returns null for tasks the platform did not start (no
 * `startedBy`, or one that is no run id, e.g. "ecs-svc/…" from an ECS service; an array job's child is `<ULID>-<index>`).
 */
export function toTaskStateChange(event: EcsTaskStateChangeEvent): TaskStateChange | null {
  const { detail } = event;
  if (!detail.startedBy || !isRunId(detail.startedBy.toUpperCase())) return null;
  return taskStateChange(detail.startedBy, detail.taskArn, detail, new Date(event.time));
}

/**
 * Maps an ECS task (event detail or DescribeTasks result) to a TaskStateChange.
 * exitCode, oomKilled and the container's reason come from the `app` container (the
 * first container when none has that name); a task of several containers adds each one's
 * state and, when an essential sidecar's exit stopped it, the taskFailure naming it. `at` is the latest lifecycle timestamp the
 * task has (stoppedAt, else startedAt, else createdAt), else `fallbackAt`.
 */
export function taskStateChange(runId: string, taskRef: string, task: EcsTaskFields, fallbackAt: Date): TaskStateChange {
  const container = task.containers?.find((c) => c.name === APP_CONTAINER) ?? task.containers?.[0];
  const at = task.stoppedAt ?? task.startedAt ?? task.createdAt;
  const change: TaskStateChange = {
    runId,
    taskRef,
    // ECS always reports lastStatus; PROVISIONING (the first status) can never move a run backwards.
    lastStatus: task.lastStatus ?? 'PROVISIONING',
    at: at === undefined ? fallbackAt : new Date(at),
  };
  if (typeof container?.exitCode === 'number') change.exitCode = container.exitCode;
  if (container?.imageDigest) change.imageDigest = container.imageDigest;
  const reason = stoppedReason(task, container);
  if (reason !== undefined) change.stoppedReason = reason;
  if (container?.reason?.includes('OutOfMemoryError')) change.oomKilled = true;
  if (task.version !== undefined) change.version = task.version;
  if (task.startedAt !== undefined) change.startedAt = new Date(task.startedAt);
  const containers = containerStates(task.containers);
  if (containers) change.containers = containers;
  const taskFailure = essentialSidecarFailure(task);
  if (taskFailure) change.taskFailure = taskFailure;
  return change;
}

/**
 * When the essential container exits, ECS's task-level reason is only "Essential container
 * in task exited"; the container's own reason (e.g. OutOfMemoryError) is what a user needs.
 */
function stoppedReason(task: EcsTaskFields, container: EcsContainerState | undefined): string | undefined {
  if (task.stopCode !== 'EssentialContainerExited' || !container?.reason) return task.stoppedReason;
  return task.stoppedReason ? `${task.stoppedReason}: ${container.reason}` : container.reason;
}
