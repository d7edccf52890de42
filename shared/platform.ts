/**
 * Composition of the services over a backend's adapters: what dev mode's server and the
 * Lambda entry points both build, so no service is wired twice.
 */
import type { ContainerRuntime, LogSource, RunEventPublisher, Scheduler } from './ports.js';
import type { Db } from './store/db.js';
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
}

export interface Platform {
  auth: AuthService;
  apps: AppService;
  runs: RunService;
  schedules: ScheduleService;
  logs: LogSource;
}

export const DEFAULT_RUN_CONFIG: RunServiceConfig = { finishedRunTtlDays: 0, relaunchAfterMs: 30_000, timeoutGraceSeconds: 10, settleAfterMs: 10_000 };

export function createPlatform(deps: PlatformDeps): Platform {
  const apps = new AppService(deps.db);
  const runs = new RunService(deps.db, apps, deps.runtime, deps.publisher, { ...DEFAULT_RUN_CONFIG, ...deps.runs });
  return {
    auth: new AuthService(deps.db, deps.auth),
    apps,
    runs,
    schedules: new ScheduleService(deps.db, apps, runs, deps.scheduler),
    logs: deps.logs,
  };
}
