/**
 * Composition of the services over a backend's adapters: what dev mode's server and the
 * Lambda entry points both build, so no service is wired twice.
 */
import type { ContainerRuntime, LogSource, RunEventPublisher, Scheduler } from './ports.js';
import type { Db } from './store/db.js';
import { AppStore } from './store/app-store.js';
import { ResultStore } from './store/result-store.js';
import { RunStore } from './store/run-store.js';
import { ScheduleStore } from './store/schedule-store.js';
import { AppService } from './services/apps.js';
import { AuthService, type AuthConfig } from './services/auth.js';
import { ResultService, type ResultServiceConfig } from './services/results.js';
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
  results?: ResultServiceConfig;
}

export interface Platform {
  auth: AuthService;
  apps: AppService;
  runs: RunService;
  schedules: ScheduleService;
  results: ResultService;
  logs: LogSource;
}

export const DEFAULT_RUN_CONFIG: RunServiceConfig = { finishedRunTtlDays: 0, relaunchAfterMs: 30_000, timeoutGraceSeconds: 10, settleAfterMs: 10_000 };

export function createPlatform(deps: PlatformDeps): Platform {
  // An app's schedules go before the app, through the ScheduleService so their triggers go too.
  const apps = new AppService(new AppStore(deps.db), { beforeDelete: (principal, appId) => schedules.deleteForApp(principal, appId) });
  const results = new ResultService(new ResultStore(deps.db), apps, deps.results);
  const runs = new RunService(
    new RunStore(deps.db),
    apps,
    deps.runtime,
    deps.publisher,
    { ...DEFAULT_RUN_CONFIG, ...deps.runs },
    { jobEnv: (run) => results.jobEnv(run) },
  );
  const schedules = new ScheduleService(new ScheduleStore(deps.db), apps, runs, deps.scheduler);
  return { auth: new AuthService(deps.db, deps.auth), apps, runs, schedules, results, logs: deps.logs };
}
