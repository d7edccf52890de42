/**
 * Ports: what the services need from a backend. Each has one adapter per backend
 * (cloud: ECS / EventBridge / CloudWatch Logs; dev mode: Docker / croner / log files).
 */
import type { App, ContainerState, Run, Schedule } from './domain.js';

/** Where a run's container lives: an ECS task ARN, or a Docker container id. */
export type TaskRef = string;

/**
 * A backend's task event, normalized. ECS "Task State Change" events and Docker's
 * event stream are both translated into this shape.
 */
export interface TaskStateChange {
  /** The run the task belongs to (carried by the task: ECS `startedBy`/tags, Docker labels). */
  runId: string;
  taskRef: TaskRef;
  /**
   * ECS's task lifecycle vocabulary (PROVISIONING, PENDING, ACTIVATING, RUNNING,
   * DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED); Docker events are mapped onto it.
   */
  lastStatus: string;
  /** The essential container's exit code, when it stopped with one. */
  exitCode?: number;
  /** Why the task stopped (ECS stoppedReason, or a Docker-derived one). */
  stoppedReason?: string;
  /** True when the container was killed for exceeding its memory. */
  oomKilled?: boolean;
  /** When the backend observed the change. */
  at: Date;
  /** When the task's container started, if it did (lets a stop event carry it when RUNNING was lost). */
  startedAt?: Date;
  /** The backend's own ordering of events for this task (ECS `detail.version`), when it has one. */
  version?: number;
  /** Each container's state, the main one first, when the backend reports them (ECS always; Docker for runs with sidecars). */
  containers?: ContainerState[];
  /** Why the task failed other than by its main container's exit: an essential sidecar exited, or a dependency never met its condition. */
  taskFailure?: string;
}

/** What a runtime needs to start one run. */
export interface RunLaunch {
  run: Run;
  app: App;
}

/** Runs containers. Errors thrown by `start` fail the run with their message as stoppedReason. */
export interface ContainerRuntime {
  /** Makes the app's current version launchable (ECS: registers a task definition revision; Docker: checks the image). */
  prepare(app: App): Promise<void>;
  /** Launches the run's task (its main container and any sidecars) and returns its reference. Must be idempotent on run.runId. */
  start(launch: RunLaunch): Promise<TaskRef>;
  /** SIGTERM, then SIGKILL after `graceSeconds` (s). */
  stop(ref: TaskRef, graceSeconds: number, reason: string): Promise<void>;
  /** SIGKILL now. */
  kill(ref: TaskRef, reason: string): Promise<void>;
  /** The task's current state, or null when the backend no longer knows it. */
  describe(ref: TaskRef, runId: string): Promise<TaskStateChange | null>;
  /**
   * Called once a run's final state is recorded, possibly more than once (must be idempotent).
   * Docker: keep the logs and remove the container. ECS needs nothing (no method).
   */
  release?(ref: TaskRef, runId: string): Promise<void>;
}

/** Fires schedules: every fire calls the "start a scheduled run" service. */
export interface Scheduler {
  /** Creates or replaces the trigger for this schedule (a disabled schedule does not fire). */
  put(schedule: Schedule): Promise<void>;
  remove(scheduleId: string): Promise<void>;
}

/** One log line. `timestamp` is ms since the epoch. */
export interface LogEvent {
  timestamp: number;
  /** The container that wrote it (MAIN_CONTAINER or a sidecar's name). */
  container?: string;
  stream: 'stdout' | 'stderr';
  message: string;
}

export interface LogPage {
  events: LogEvent[];
  /** Opaque; pass it back to read on. Present even when no more lines exist yet. */
  nextCursor: string;
}

/** Reads a run's logs forward from a cursor. */
export interface LogSource {
  /**
   * `limit` is the maximum number of events; `startTime` (ms) skips earlier lines when no cursor is given;
   * `container` keeps only that container's lines (a cursor is valid with the same `container` only).
   */
  read(run: Run, options: { cursor?: string; limit: number; startTime?: number; container?: string }): Promise<LogPage>;
}

/** Tells the outside world a run reached a terminal state (cloud: EventBridge PutEvents). */
export interface RunEventPublisher {
  publish(run: Run): Promise<void>;
}
