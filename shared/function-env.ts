/**
 * The Lambda entry points and which variables (shared/env.ts) the CDK stack gives each: what
 * infra/ sets and the tests and benchmarks give a function they build.
 */
import { ENV, type EnvName } from './env.js';

/** The Lambda entry points: name → the file (from the repository root) whose `handler` export Lambda calls. */
export const ENTRY_POINTS = {
  api: 'functions/api.ts',
  /** The same bundle as the api, its `streamingHandler` export behind a function URL (ENTRY_HANDLERS). */
  'log-follow': 'functions/api.ts',
  'task-state-change': 'functions/task-state-change.ts',
  'scheduled-run': 'functions/scheduled-run.ts',
  reconciler: 'functions/reconciler.ts',
  'run-expiry': 'functions/run-expiry.ts',
  'build-events': 'functions/build-events.ts',
  /** Run State Change events → alert rules (shared/lambda/alerts.ts). */
  alerts: 'functions/alerts.ts',
  /** The alert queue → signed webhooks. */
  'alert-delivery': 'functions/alert-delivery.ts',
} as const;

/** The name of a Lambda entry point. */
export type EntryPoint = keyof typeof ENTRY_POINTS;

/** The export Lambda calls, per entry point: `handler` unless named here. */
export const ENTRY_HANDLERS: Partial<Record<EntryPoint, string>> = { 'log-follow': 'streamingHandler' };

/** What every function gets: the table, the task launch settings, the bus, the API's URL for jobs, the source-map flag. */
const EVERY_FUNCTION = [
  ENV.TABLE_NAME,
  ENV.CLUSTER_ARN,
  ENV.SUBNET_IDS,
  ENV.SECURITY_GROUP_IDS,
  ENV.ASSIGN_PUBLIC_IP,
  ENV.TASK_EXECUTION_ROLE_ARN,
  ENV.TASK_ROLE_ARN,
  ENV.LOG_GROUP_NAME,
  ENV.LOG_STREAM_PREFIX,
  ENV.TASK_FAMILY_PREFIX,
  ENV.FARGATE_VCPU_QUOTA,
  ENV.EVENT_BUS_NAME,
  ENV.FINISHED_RUN_TTL_DAYS,
  ENV.TABLE_INDEX_STEP,
  ENV.API_URL,
  ENV.NODE_OPTIONS,
] as const;

/**
 * The quota and sign-in settings (shared/settings.ts, readLimitSettings). A deployment sets them
 * as CDK context keys of the same names (infra/context.ts); dev mode reads them from its environment.
 */
export const LIMIT_SETTINGS = [
  ENV.MAX_APPS_PER_USER,
  ENV.MAX_ACTIVE_RUNS_PER_USER,
  ENV.MAX_IMAGES_PER_USER,
  ENV.MAX_CONCURRENT_BUILDS_PER_USER,
  ENV.LOGIN_ATTEMPTS_PER_MINUTE,
  ENV.LOGIN_FAILURES_BEFORE_LOCKOUT,
  ENV.REGISTRATIONS_PER_HOUR,
  ENV.REFRESHES_PER_MINUTE,
  ENV.RESULT_POSTS_PER_RUN,
  ENV.RESULT_POSTS_PER_MINUTE,
  ENV.METRICS_PER_RESULT,
  ENV.REGISTRATION,
  ENV.REGISTRATION_EMAIL_DOMAINS,
  ENV.REGISTRATION_INVITE_CODES,
  ENV.RUN_START_TIMEOUT_SECONDS,
] as const;

/** A deployment's prices and budget (shared/settings.ts readCostSettings): every function that starts runs or shows them applies them. */
export const COST_SETTINGS = [ENV.FARGATE_PRICE_VCPU_HOUR, ENV.FARGATE_PRICE_GB_HOUR, ENV.COST_REGION, ENV.MONTHLY_BUDGET_USD] as const;

/** A deployment's image policy (shared/settings.ts readImagePolicy): every function that starts runs applies it. */
export const IMAGE_POLICY = [ENV.SCAN_SEVERITY_THRESHOLD, ENV.ALLOWED_IMAGE_PREFIXES] as const;

/** What a function that puts schedule triggers needs (shared/aws/eventbridge-scheduler.ts). */
const SCHEDULE_TRIGGERS = [
  ENV.SCHEDULE_GROUP_NAME,
  ENV.SCHEDULER_ROLE_ARN,
  ENV.SCHEDULED_RUN_FUNCTION_ARN,
  ENV.SCHEDULE_DEAD_LETTER_QUEUE_ARN,
  ENV.RULE_PREFIX,
] as const;

/** What the functions that start runs get besides (infra/events.ts launchSettings): the quota, the image policy, and the start bound the reconciler's sweep applies. */
const LAUNCH_SETTINGS = [ENV.MAX_ACTIVE_RUNS_PER_USER, ENV.RUN_START_TIMEOUT_SECONDS, ...IMAGE_POLICY, ...COST_SETTINGS] as const;

/** Who verifies tokens: the JWT settings, and the OpenID provider and admins when configured. */
const TOKEN_VERIFIER = [ENV.JWT_SECRET_ARN, ENV.JWT_ISSUER, ENV.JWT_AUDIENCE] as const;
const TOKEN_VERIFIER_CONFIGURED = [ENV.OIDC_JWKS_URL, ENV.OIDC_ISSUER, ENV.OIDC_AUDIENCE, ENV.ADMIN_EMAILS, ENV.ADMIN_USER_IDS] as const;

/**
 * The variables the CDK stack gives each function: `always`, and `whenConfigured` (only when
 * the CDK context sets them; see infra/context.ts). Only the api manages schedule rules and
 * signs or verifies tokens (with log-follow, which only verifies them).
 */
export const FUNCTION_ENV: Record<EntryPoint, { always: readonly EnvName[]; whenConfigured: readonly EnvName[] }> = {
  api: {
    always: [
      ...EVERY_FUNCTION,
      ...SCHEDULE_TRIGGERS,
      ENV.LOG_FOLLOW_URL,
      ...TOKEN_VERIFIER,
      ENV.IMAGE_BUCKET_NAME,
      ENV.BUILD_PROJECT_NAME,
      ENV.IMAGE_REPOSITORY_URI,
      ENV.BUILD_LOG_GROUP_NAME,
      ENV.CORS_ALLOWED_ORIGINS,
      ENV.SECRETS_PREFIX,
      ENV.ALERT_QUEUE_URL,
    ],
    whenConfigured: [...TOKEN_VERIFIER_CONFIGURED, ...LIMIT_SETTINGS, ...IMAGE_POLICY, ...COST_SETTINGS],
  },
  // Reads logs only: it never launches a run, so it needs no API_URL for jobs.
  'log-follow': {
    always: [...EVERY_FUNCTION.filter((name) => name !== ENV.API_URL), ...TOKEN_VERIFIER, ENV.FOLLOWS_PER_USER, ENV.FOLLOW_READS_PER_SECOND],
    whenConfigured: TOKEN_VERIFIER_CONFIGURED,
  },
  // They start runs too (retries, schedule fires, relaunches), under the same per-user quota and image policy.
  'task-state-change': { always: [...EVERY_FUNCTION, ENV.ALERT_QUEUE_URL], whenConfigured: LAUNCH_SETTINGS },
  'scheduled-run': { always: [...EVERY_FUNCTION, ENV.ALERT_QUEUE_URL], whenConfigured: LAUNCH_SETTINGS },
  // It also moves schedules to EventBridge Scheduler once (ScheduleService.moveTriggers), settles builds whose events were lost and collects unused builds from the repository.
  reconciler: { always: [...EVERY_FUNCTION, ...SCHEDULE_TRIGGERS, ENV.IMAGE_REPOSITORY_URI, ENV.ALERT_QUEUE_URL], whenConfigured: LAUNCH_SETTINGS },
  // Only deletes log streams of expired runs: the table's settings (every function gets them) and the run logs.
  'run-expiry': {
    always: [ENV.TABLE_NAME, ENV.FINISHED_RUN_TTL_DAYS, ENV.TABLE_INDEX_STEP, ENV.LOG_GROUP_NAME, ENV.LOG_STREAM_PREFIX, ENV.NODE_OPTIONS],
    whenConfigured: [],
  },
  // Records builds and scans only: it never launches a run.
  'build-events': { always: EVERY_FUNCTION.filter((name) => name !== ENV.API_URL), whenConfigured: [] },
  // They start no run: the table (and the platform's settings) and the alert queue.
  alerts: { always: [...EVERY_FUNCTION.filter((name) => name !== ENV.API_URL), ENV.ALERT_QUEUE_URL], whenConfigured: [] },
  'alert-delivery': { always: [...EVERY_FUNCTION.filter((name) => name !== ENV.API_URL), ENV.ALERT_QUEUE_URL], whenConfigured: [] },
};
