/** RunService's settings and the shapes its parts share (runs.ts, run-sweep.ts, array-runs.ts). */
import type { App } from '../domain.js';
import type { TaskStateChange } from '../ports.js';
import { unresolvedImages } from '../rules/run-rules.js';
import type { ResolvedImage } from './images.js';

export interface RunServiceConfig {
  /** Finished runs of apps that predate `retentionDays` expire this many days after they stop (DynamoDB TTL); 0 keeps them. */
  finishedRunTtlDays: number;
  /** A PENDING run with no task after this long (ms) is launched again. */
  relaunchAfterMs: number;
  /** A run not started (RUNNING) this long (s) after its creation ends FAILED, its task stopped (RUN_START_TIMEOUT_SECONDS). */
  startTimeoutSeconds: number;
  /** Grace (s) given to a run stopped for its timeout. */
  timeoutGraceSeconds: number;
  /** A finished run still unsettled after this long (ms) is settled by the sweep. */
  settleAfterMs: number;
  /** Most runs one owner may have active at once (settings' MAX_ACTIVE_RUNS_PER_USER). */
  maxActiveRunsPerUser: number;
  /** A task the backend does not know is lost only this long (ms) after its launch (ECS eventual consistency). */
  missingGraceMs: number;
  /** A stop is sent again when the run is still not over this long (ms) after its grace ended. */
  stopResendAfterMs: number;
}

/** Retry-After (s) of a run refused for its owner's quota: about how long a short job takes. */
export const QUOTA_RETRY_AFTER_SECONDS = 10;

/** What a task event (or the platform, for its own transitions) says about a transition. */
export interface TaskDetails {
  at: Date;
  reason?: string;
  exitCode?: number;
  taskRef?: string;
  /** The backend's event order for the task (ECS detail.version). */
  taskVersion?: number;
  /** Each container's state, when the backend reports them. */
  containers?: TaskStateChange['containers'];
  /** The digest of the image the main container runs, when the backend reports it (ECS). */
  imageDigest?: string;
}

/** The exact image a run of the app launches and the scan policy's verdict (ImageService.resolveForRun). */
export type ImageResolver = (app: App) => Promise<ResolvedImage>;

/** Without images: an app's images are strings and are what runs. */
export const imageStrings: ImageResolver = async (app) => unresolvedImages(app);
