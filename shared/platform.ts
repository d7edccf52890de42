/**
 * Composition of the services over a backend's adapters: what dev mode's server and the
 * Lambda entry points both build, so no service is wired twice.
 */
import type { ContainerRuntime, GarbageCollector, ImageDigests, LogSource, RunEventPublisher, Scheduler } from './ports.js';
import { GarbageService } from './services/garbage.js';
import { ImageStore } from './store/image-store.js';
import { ImageService, type ImageBackend } from './services/images.js';
import { BuildService } from './services/builds.js';
import { ImageResolver } from './services/image-resolver.js';
import type { Platform } from './services/platform-services.js';
import type { Db } from './store/db.js';
import { AppStore } from './store/app-store.js';
import { MigrationStore } from './store/migration-store.js';
import { ResultStore } from './store/result-store.js';
import { RunStore } from './store/run-store.js';
import { ScheduleStore } from './store/schedule-store.js';
import { CounterStore } from './store/counter-store.js';
import { UserStore } from './store/user-store.js';
import { SignInGuard } from './services/sign-in-guard.js';
import type { ImagePolicy, LimitSettings } from './settings.js';
import { AppService } from './services/apps.js';
import { AuthService, type AuthConfig } from './services/auth.js';
import { ResultService, type ResultServiceConfig } from './services/results.js';
import { RunService, type RunServiceConfig } from './services/runs.js';
import { CostService, type CostSettings } from './services/costs.js';
import { ReplayService, runtimeDigests } from './services/replays.js';
import { DEFAULT_PRICE_REGION, pricingOf } from './rules/cost-rules.js';
import { ScheduleService } from './services/schedules.js';
import { SecretService } from './services/secrets.js';
import { maskedLogs, withSecrets } from './services/secret-launch.js';
import { SecretStore } from './store/secret-store.js';
import type { SecretVault } from './secret-vault.js';
import { AlertStore } from './store/alert-store.js';
import { AlertService } from './services/alerts.js';
import { AlertEvaluator } from './services/alert-evaluation.js';
import { AlertDeliveryService } from './services/alert-delivery.js';
import { alertingPublisher, budgetAlerts, type AlertSettings } from './services/alert-hooks.js';
import { WebhookSender } from './webhooks/webhook-sender.js';
import { CLOUD_WEBHOOK_POLICY } from './webhooks/url-guard.js';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './rules/alert-rules.js';

export interface PlatformDeps {
  db: Db;
  runtime: ContainerRuntime;
  scheduler: Scheduler;
  logs: LogSource;
  publisher: RunEventPublisher;
  auth: AuthConfig;
  /** Per-user quotas and sign-in limits (settings.ts's readLimitSettings). */
  limits: LimitSettings;
  runs?: Partial<RunServiceConfig>;
  results?: ResultServiceConfig;
  /** The scan policy and allowed image prefixes (shared/settings.ts readImagePolicy); default: none, any image. */
  imagePolicy?: ImagePolicy;
  /** The image builder, context store and scanner; without them images can be read but not made or built. */
  images?: ImageBackend;
  /** The collector of exited containers and old build images (dev mode: Docker; the cloud: ECR); none: POST /admin/gc answers 503. */
  garbageCollector?: GarbageCollector;
  /** Prices and budgets (shared/settings.ts readCostSettings); default: us-east-1 Linux/X86_64 as an estimate, no budget. */
  costs?: CostSettings;
  /** Whether a registry still holds a digest, before a replay (the cloud: ECR); default: the runtime's own look-up (Docker), else unchecked. */
  imageDigests?: ImageDigests;
  /** Where secret values are kept (dev mode: sealed in the table; the cloud: Secrets Manager); none: no secrets. */
  secretVault?: SecretVault;
  /** Alerts (shared/settings.ts readAlertSettings); default: the cloud's URL policy, the default retry schedule, events observed by the alert function. */
  alerts?: Partial<AlertSettings>;
}

/** The services' types (routes and handlers import them from services/platform-services.ts). */
export type { Platform };

export const DEFAULT_RUN_CONFIG: Omit<RunServiceConfig, 'maxActiveRunsPerUser' | 'startTimeoutSeconds'> = {
  finishedRunTtlDays: 0,
  relaunchAfterMs: 30_000,
  timeoutGraceSeconds: 10,
  settleAfterMs: 10_000,
  // Docker knows a container as soon as it is created; the cloud sets ECS's grace (cloud-limits.ts).
  missingGraceMs: 0,
  // Beyond Fargate's longest stopTimeout (120 s) and a sweep interval.
  stopResendAfterMs: 60_000,
};

export function createPlatform(deps: PlatformDeps): Platform {
  // An app's schedules go before the app, through the ScheduleService so their triggers go too.
  const appStore = new AppStore(deps.db);
  const secrets = new SecretService(new SecretStore(deps.db), appStore, deps.secretVault);
  // A run's secrets join its launch here, so that the run service never holds their values.
  const runtime = withSecrets(deps.runtime, secrets, deps.secretVault);
  const imageStore = new ImageStore(deps.db);
  const imagePolicy = deps.imagePolicy ?? { allowedImagePrefixes: [] };
  const images = new ImageService(imageStore, appStore, imagePolicy, deps.images, deps.limits);
  const builds = new BuildService(imageStore, images, imagePolicy, deps.images, deps.limits);
  const imageResolver = new ImageResolver(imageStore, appStore, imagePolicy);
  const apps: AppService = new AppService(
    appStore,
    {
      beforeDelete: async (principal, appId) => {
        await schedules.deleteForApp(principal, appId);
        // The backend's own leftovers of the app (ECS: its task-definition revisions).
        const app = await appStore.getApp(appId);
        if (app) await runtime.retire?.(app);
      },
      checkImage: (principal, app) => imageResolver.checkAppImage(principal, app),
      checkSecrets: (app) => secrets.checkAppSecrets(app),
    },
    deps.limits.maxAppsPerUser,
  );
  const counters = new CounterStore(deps.db);
  const results = new ResultService(new ResultStore(deps.db), apps, counters, deps.limits.results, new MigrationStore(deps.db), {
    ...deps.results,
    // A result is masked as the run's logs are: with the values of the secret versions it received.
    maskerOf: (run) => secrets.maskerOf(run),
  });
  const runConfig = {
    ...DEFAULT_RUN_CONFIG,
    maxActiveRunsPerUser: deps.limits.maxActiveRunsPerUser,
    startTimeoutSeconds: deps.limits.runStartTimeoutSeconds,
    ...deps.runs,
  };
  const runStore = new RunStore(deps.db);
  const scheduleStore = new ScheduleStore(deps.db);
  const alertSettings: AlertSettings = { urlPolicy: CLOUD_WEBHOOK_POLICY, retrySchedule: DEFAULT_RETRY_SCHEDULE_SECONDS, observeRuns: false, ...deps.alerts };
  const alertStore = new AlertStore(deps.db);
  const alertEvaluator = new AlertEvaluator(alertStore, runStore, appStore, scheduleStore, alertSettings.onWritten);
  const costs = new CostService(runStore, deps.costs ?? { pricing: pricingOf(DEFAULT_PRICE_REGION, { estimate: true }) });
  const alertingCosts = budgetAlerts(costs, alertEvaluator);
  const publisher = alertSettings.observeRuns ? alertingPublisher(deps.publisher, alertEvaluator) : deps.publisher;
  const runs = new RunService(runStore, apps, runtime, publisher, runConfig, {
    jobEnv: (run) => results.jobEnv(run),
    resolveImage: (app) => imageResolver.resolveForRun(app),
    costs: alertingCosts,
  });
  // Fire records are history of the same kind as finished runs, kept as long.
  const schedules: ScheduleService = new ScheduleService(scheduleStore, apps, runs, deps.scheduler, { fireTtlDays: runConfig.finishedRunTtlDays });
  const alerts = new AlertService(alertStore, apps, schedules, alertSettings.urlPolicy);
  const guard = new SignInGuard(counters, deps.limits.signIn, deps.limits.registration);
  const garbage = new GarbageService(imageResolver, runs, deps.garbageCollector);
  return {
    auth: new AuthService(new UserStore(deps.db), deps.auth, guard),
    apps,
    runs,
    schedules,
    results,
    images,
    builds,
    imageResolver,
    garbage,
    costs,
    replays: new ReplayService(runs, apps, deps.imageDigests ?? runtimeDigests(deps.runtime), alertingCosts),
    secrets,
    logs: maskedLogs(deps.logs, secrets),
    alerts,
    alertEvaluator,
    alertDeliveries: new AlertDeliveryService(alertStore, alerts, new WebhookSender(alertSettings.urlPolicy), alertSettings.retrySchedule),
  };
}
