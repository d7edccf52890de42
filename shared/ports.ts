/**
 * Ports: what the services need from a backend. Each has one adapter per backend
 * (cloud: ECS / EventBridge / CloudWatch Logs; dev mode: Docker / croner / log files).
 */
import type { RunSidecar } from './container-schemas.js';
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
  /** The digest of the image the main container runs (ECS Container.imageDigest), recorded as the run's imageDigest. */
  imageDigest?: string;
}

/** An app whose images are references a runtime can launch: each built image (main or sidecar) resolved to its per-build reference. */
export type LaunchableApp = Omit<App, 'image' | 'sidecars'> & {
  image: string;
  sidecars?: RunSidecar[];
  /**
   * The main image's digest (Run.imageDigest). A run's task names its architecture, decided when the run was created (aws/architecture.ts
   * taskArchitecture); only for runs older than that does a digest mean a platform build, run on the build architecture.
   */
  imageDigest?: string;
  /**
   * The main container's secrets as the cloud hands them over (ECS ContainerDefinition.secrets): env name and
   * `valueFrom`, a Secrets Manager ARN pinned to a version. Set by the cloud's SecretVault at launch (secret-vault.ts).
   */
  secretRefs?: { name: string; valueFrom: string }[];
};

/** What a runtime needs to start one run. */
export interface RunLaunch {
  run: Run;
  app: LaunchableApp;
  /** The platform's variables for the job (shared/job-env.ts); they override the run's env of the same name. */
  jobEnv?: Record<string, string>;
}

/**
 * Thrown by ContainerRuntime.start when no task was started but a later attempt may start one
 * (throttling after the SDK's retries, no capacity now): the run stays PENDING and is launched
 * again, without using the app's retries. With `capacity`, the refusal was the account's or
 * the region's capacity (vCPU quota, launch rate, Fargate capacity): the run waits in the launch
 * queue as long as it takes; otherwise it is tried again with backoff, a bounded number of times.
 */
export class LaunchDeferredError extends Error {
  override readonly name = 'LaunchDeferredError';
  readonly capacity: boolean;
  constructor(message: string, options?: { cause?: unknown; capacity?: boolean }) {
    super(message, options);
    this.capacity = options?.capacity ?? false;
  }
}

/**
 * A backend's launch budget (ECS: the account's Fargate vCPU quota and RunTask rate): the launch
 * queue (RunService.drainQueue) launches waiting runs within it.
 */
export interface LaunchCapacity {
  /** vCPUs the backend runs at once at most (FARGATE_VCPU_QUOTA). */
  readonly vcpuQuota: number;
  /** Resolves once a launch may be sent (ECS: a RunTask token of the launch rate, taken for it). */
  take(): Promise<void>;
}

/** A task and the run it belongs to, as the sweep asks about it. */
export interface TaskOfRun {
  taskRef: TaskRef;
  runId: string;
}

/**
 * Runs containers. Errors thrown by `start` fail the run with their message as stoppedReason,
 * except LaunchDeferredError (the run stays PENDING and is launched again).
 */
export interface ContainerRuntime {
  /**
   * Checks that the backend can launch this run at all, before it is stored (ECS: RunTask's
   * overrides limit). No method: anything the API accepted can be launched.
   * @throws ClientError 400 saying which limit the run exceeds.
   */
  checkLaunch?(launch: RunLaunch): void;
  /** Makes the app's current version launchable (ECS: registers a task definition revision; Docker: checks the image). */
  prepare(app: LaunchableApp): Promise<void>;
  /** Launches the run's task (its main container and any sidecars) and returns its reference. Must be idempotent on run.runId. */
  start(launch: RunLaunch): Promise<TaskRef>;
  /** SIGTERM, then SIGKILL after `graceSeconds` (s). */
  stop(ref: TaskRef, graceSeconds: number, reason: string): Promise<void>;
  /** SIGKILL now. */
  kill(ref: TaskRef, reason: string): Promise<void>;
  /** The task's current state, or null when the backend no longer knows it. */
  describe(ref: TaskRef, runId: string): Promise<TaskStateChange | null>;
  /**
   * `describe` for many tasks at once, batched as the backend allows (ECS: 100 per DescribeTasks),
   * keyed by taskRef. No method: the sweep calls `describe` per task.
   */
  describeAll?(tasks: readonly TaskOfRun[]): Promise<Map<TaskRef, TaskStateChange | null>>;
  /**
   * Called when an app is deleted: removes what the backend keeps for it (ECS: deregisters its
   * task-definition revisions; tasks running on them go on). Never throws. No method: nothing kept.
   */
  retire?(app: Pick<App, 'appId' | 'name'>): Promise<void>;
  /** The backend's launch budget; none: every launch is sent at once (dev mode). */
  readonly capacity?: LaunchCapacity;
  /**
   * Called once a run's final state is recorded, possibly more than once (must be idempotent).
   * Docker: keep the logs and remove the container. ECS needs nothing (no method).
   */
  release?(ref: TaskRef, runId: string): Promise<void>;
  /**
   * The image the backend holds under `image` (a tag, or a digest it recorded): its content digest
   * and a reference that names exactly that content, or undefined when it holds none. Docker: the
   * local image's Id (dev mode records it as a run's imageDigest, and a replay runs it). No method
   * (ECS): a run's digest comes from the task's events and a replay names `repository@digest`.
   */
  inspectImage?(image: string): Promise<{ digest: string; pinned: string } | undefined>;
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
  /** When the source has one per event (dev mode's byte offsets): the cursor after each event, `cursors[i]` after `events[i]`. */
  cursors?: string[];
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

/** Where a build's image lives: dev mode, the per-build Docker tag; cloud, the CodeBuild build id. */
export type BuildRef = string;

/** What an ImageBuilder needs to build one image version. */
export interface ImageBuildRequest {
  imageId: string;
  ownerId: string;
  /** 1, 2, 3… per image: part of the immutable per-build tag. */
  buildNumber: number;
  /** The version of the image's context (ContextStore) being built: the cloud builder reads it where the store keeps it. */
  contextVersion: number;
  /** A validated context (shared/build-context.ts), with a Dockerfile at its root. */
  context: import('./build-context.js').ContextEntry[];
  /** Docker build arguments (`--build-arg NAME=value`). */
  buildArgs?: Record<string, string>;
}

/**
 * A backend's build event, normalized like TaskStateChange (dev: the Docker build stream;
 * cloud: CodeBuild "Build State Change" events). Builds move QUEUED → BUILDING → BUILT | FAILED.
 */
export interface BuildStateChange {
  imageId: string;
  buildNumber: number;
  buildRef: BuildRef;
  lastStatus: 'BUILDING' | 'BUILT' | 'FAILED';
  at: Date;
  /** On BUILT: the immutable per-build reference runs use (`repository:tag`). */
  imageRef?: string;
  /** On BUILT: the image's digest (`sha256:…`; dev mode: Docker's image id, as nothing is pushed). */
  digest?: string;
  /** On FAILED: why, in the builder's words. */
  reason?: string;
}

/** Builds images from contexts; state changes go to the listener the adapter was given. */
export interface ImageBuilder {
  /** Queues the build and returns its reference; BUILDING, then BUILT or FAILED, follow as BuildStateChanges. */
  build(request: ImageBuildRequest): Promise<BuildRef>;
  /** A build's log, read like a run's (`limit` events from `cursor`); `buildRef` is what `build` returned, when recorded. */
  readLog(build: { imageId: string; number: number; buildRef?: BuildRef }, options: { cursor?: string; limit: number }): Promise<LogPage>;
  /** Removes what the image's builds left: their images and logs. Idempotent. */
  discard(imageId: string): Promise<void>;
}

/**
 * Keeps each version of an image's build context (dev: a tar under the data dir; cloud: a tar
 * object in S3), so a build or a file read names a version and gets exactly its files.
 */
export interface ContextStore {
  put(imageId: string, version: number, context: readonly import('./build-context.js').ContextEntry[]): Promise<void>;
  /** @throws Error when the version's context is not kept. */
  get(imageId: string, version: number): Promise<import('./build-context.js').ContextEntry[]>;
  /** Removes every version of the image's context. Idempotent. */
  removeAll(imageId: string): Promise<void>;
}

/** Scans a built image (cloud: ECR's scan on push; dev: Trivy when present, else the platform's configuration checks). */
export interface ImageScanner {
  /** Throws an Error when the image cannot be scanned (e.g. it does not exist). */
  scan(imageRef: string): Promise<import('./image-scan.js').ScanResult>;
}

/** One object garbage collection removed; `bytes` is the disk it held alone (a container's writable layer; an image's unshared layers). */
export interface GcRemoval {
  kind: 'container' | 'image' | 'volume';
  id: string;
  bytes: number;
  /** Why it went: "exited", "dangling", "old build", "failed build", "unused" (a volume). */
  reason: string;
}

/** What one collection removed, and the bytes freed in all. */
export interface GcReport {
  removed: GcRemoval[];
  bytesFreed: number;
}

/**
 * Removes what the backend's runs and builds left behind (dev mode: exited containers, dangling
 * and old build images of this installation; the cloud: old builds in the ECR repository, while
 * ECS removes stopped tasks itself).
 */
export interface GarbageCollector {
  /** Never removes an image whose tag or id `inUse` holds. */
  collect(inUse: ReadonlySet<string>): Promise<GcReport>;
}

/** A registry's answer to "do you still hold this image by digest?" — asked before a replay runs an old digest again. */
export interface ImageDigests {
  /**
   * The reference naming exactly `digest` of `image`'s repository (`repository@digest`, or dev
   * mode's local image Id) when the registry still holds it; undefined when it is gone. A
   * registry the backend cannot ask (an external one) gets the reference unchecked: its pull fails
   * the launch instead.
   */
  pinned(image: string, digest: string): Promise<string | undefined>;
}
