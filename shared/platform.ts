/**
 * Composition of the services over a backend's adapters: what dev mode's server and the
 * Lambda entry points both build, so no service is wired twice.
 */
import type { ContainerRuntime, LogSource, RunEventPublisher, Scheduler } from './ports.js';
import { ImageStore } from './store/image-store.js';
import { ImageService, type ImageBackend, type ImagePolicy } from './services/images.js';
import type { Db } from './store/db.js';
import { AppStore } from './store/app-store.js';
import { RunStore } from './store/run-store.js';
import { ScheduleStore } from './store/schedule-store.js';
import { AppService } from './services/apps.js';
import { AuthService, type AuthConfig } from './services/auth.js';
import { RunService, type RunServiceConfig } from './services/runs.js';
import { ScheduleService } from './services/schedules.js';

export interface PlatformDeps {
  db: Db;
  runtime: ContainerRuntime;
  scheduler: Scheduler;
  logs: LogSource;
  publisher: RunEventPublisher;
  auth: AuthConfig;
  runs?: Partial<RunServiceConfig>;
  /** The scan policy and allowed image prefixes (shared/settings.ts readImagePolicy); default: none, any image. */
  imagePolicy?: ImagePolicy;
  /** The image builder, context store and scanner; without them images can be read but not made or built. */
  images?: ImageBackend;
}

export interface Platform {
  auth: AuthService;
  apps: AppService;
  runs: RunService;
  schedules: ScheduleService;
  images: ImageService;
  logs: LogSource;
}

export const DEFAULT_RUN_CONFIG: RunServiceConfig = { finishedRunTtlDays: 0, relaunchAfterMs: 30_000, timeoutGraceSeconds: 10, settleAfterMs: 10_000 };

export function createPlatform(deps: PlatformDeps): Platform {
  // An app's schedules go before the app, through the ScheduleService so their triggers go too.
  const appStore = new AppStore(deps.db);
  const images = new ImageService(new ImageStore(deps.db), appStore, deps.imagePolicy ?? { allowedImagePrefixes: [] }, deps.images);
  const apps = new AppService(appStore, {
    beforeDelete: (principal, appId) => schedules.deleteForApp(principal, appId),
    checkImage: (principal, app) => images.checkAppImage(principal, app),
  });
  const runs = new RunService(new RunStore(deps.db), apps, deps.runtime, deps.publisher, { ...DEFAULT_RUN_CONFIG, ...deps.runs }, (app) =>
    images.resolveForRun(app),
  );
  const schedules = new ScheduleService(new ScheduleStore(deps.db), apps, runs, deps.scheduler);
  return { auth: new AuthService(deps.db, deps.auth), apps, runs, schedules, images, logs: deps.logs };
}
