/**
 * Request and response schemas (zod, with OpenAPI metadata): the API validates with them
 * and /openapi.json is generated from them, so the two cannot drift apart. The domain types
 * that are also response shapes (App, Run, Schedule, ...) are inferred from them here.
 */
import { z } from '@hono/zod-openapi';
import { TIME_MAX } from 'ulid';
import {
  ACTIONS_AFTER_COMPLETION,
  CATCH_UP_POLICIES,
  FARGATE_SIZES,
  FIRE_OUTCOMES,
  OVERLAP_POLICIES,
  ROLES,
  RUN_STATUSES,
  SCRIPT_LANGUAGES,
  TRIGGERS,
} from './domain.js';
import { command, containerImage, containerName, ContainerState, env, imageReference, mainContainerFields, RunSidecar, sidecars } from './container-schemas.js';
import { ArrayRequest, Parallelism, RunArrayProperties } from './array-schemas.js';
import { COST_GROUPS, COST_PERIODS } from './rules/cost-rules.js';
import { checkTimeZone, parseScheduleExpression, InvalidScheduleExpression } from './schedule-expression.js';
import { BUILD_ARCHITECTURE, CPU_ARCHITECTURES, EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE } from './aws/architecture.js';

const fargateCpus = [...FARGATE_SIZES.keys()];
const retry = z
  .object({
    maxAttempts: z.number().int().min(1).max(10).openapi({ description: 'attempts in total; 1 = no retry (as AWS Batch)' }),
    onExitCodes: z.array(z.number().int().min(0).max(255)).min(1).optional().openapi({ description: 'retry only when the exit code is one of these' }),
  })
  .strict();
export type RetryPolicy = z.infer<typeof retry>;

/**
 * What a task runs and with what, as a client writes it; cpu in vCPU, memoryMiB in MiB,
 * timeoutSeconds in s. A run copies these from its app version and the runtimes launch them,
 * so a field added here reaches apps, versions, runs and TaskSpec without further edits.
 */
const taskSpecFields = {
  image: containerImage(imageReference.openapi({ example: 'containerizer/busybox:latest', description: 'an image reference (see the allowed prefixes)' })),
  command,
  env,
  cpu: z
    .number()
    .refine((v) => FARGATE_SIZES.has(v), `cpu must be one of Fargate's vCPU values: ${fargateCpus.join(', ')}`)
    .openapi({ description: 'vCPU', enum: fargateCpus }),
  memoryMiB: z.number().int().openapi({ description: "MiB; must be valid for the cpu (Fargate's task sizes)" }),
  timeoutSeconds: z.number().int().min(1).max(1_209_600).openapi({ description: 's; the run is stopped (TIMED_OUT) after this long' }),
  retry,
  sidecars: sidecars.optional(),
  dependsOn: mainContainerFields.dependsOn.optional().openapi({ description: "the main container's start order (ECS dependsOn)" }),
  healthCheck: mainContainerFields.healthCheck.optional(),
  architecture: z
    .enum(CPU_ARCHITECTURES)
    .optional()
    .openapi({
      description:
        `the CPU architecture the task needs on Fargate (runtimePlatform.cpuArchitecture). Unset: built images run on the deployment's build architecture (${BUILD_ARCHITECTURE}), ` +
        `other images on ${EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE}. Dev mode records it and runs the image as Docker does.`,
    }),
  maxCostPerRun: z
    .number()
    .positive()
    .max(100_000)
    .optional()
    .openapi({ description: 'USD of Fargate time after which a run is stopped (TIMED_OUT, saying so): a timeout of maxCostPerRun / its price per second' }),
};
const TaskSpec = z.object(taskSpecFields);
export type TaskSpec = z.infer<typeof TaskSpec>;
/** The fields a run copies from its app version. */
export const TASK_SPEC_FIELDS = TaskSpec.keyof().options;

/** Largest script source in UTF-8 bytes (32 KiB); how it still reaches a Fargate task: rules/script-rules.ts. */
export const MAX_SCRIPT_BYTES = 32_768;

export const Script = z
  .object({
    language: z.enum(SCRIPT_LANGUAGES).openapi({ description: "run with the image's interpreter: sh, python3 or node" }),
    source: z
      .string()
      .min(1)
      .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SCRIPT_BYTES, `at most ${MAX_SCRIPT_BYTES} bytes (UTF-8)`)
      .openapi({ description: `the program's text, at most ${MAX_SCRIPT_BYTES} bytes (UTF-8)` }),
    args: z.array(z.string().max(4096)).max(64).optional().openapi({ description: 'arguments passed to the script' }),
  })
  .strict()
  .openapi('Script');
export type Script = z.infer<typeof Script>;

/** Days a finished run (its history, results and logs) is kept when the app does not say (`retentionDays`). */
export const DEFAULT_RETENTION_DAYS = 30;

/** Fields of an app as a client writes them: its name and description, its task spec, its script and retention. */
const appFields = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, '1-63 letters, digits, - or _, starting with a letter or digit'),
  description: z.string().max(1024),
  ...taskSpecFields,
  script: Script.openapi({ description: 'source to run instead of `command` (the two are exclusive)' }),
  retentionDays: z
    .number()
    .int()
    .min(0)
    .max(3650)
    .openapi({ description: `days a finished run, its history, results and logs are kept (default ${DEFAULT_RETENTION_DAYS}); 0 keeps them forever` }),
};
/** The fields an update may change (each change makes a new version, listed in its changedFields). */
export const APP_FIELDS = z.object(appFields).keyof().options;
export type AppField = (typeof APP_FIELDS)[number];

export const AppCreate = z
  .object({
    ...appFields,
    description: appFields.description.optional(),
    command: command.default([]),
    env: env.default({}),
    cpu: appFields.cpu.default(0.25),
    memoryMiB: appFields.memoryMiB.default(512),
    timeoutSeconds: appFields.timeoutSeconds.default(3600),
    retry: retry.default({ maxAttempts: 1 }),
    script: appFields.script.optional(),
    retentionDays: appFields.retentionDays.optional(),
  })
  .strict()
  .openapi('AppCreate');
export type AppCreate = z.infer<typeof AppCreate>;

export const AppPatch = z
  .object({
    ...appFields,
    script: appFields.script.nullable().openapi({ description: 'null removes the script (then set a command)' }),
    version: z.number().int().min(1).openapi({ description: 'the version this change is based on (or send If-Match)' }),
  })
  .partial()
  .strict()
  .openapi('AppPatch');
export type AppPatch = z.infer<typeof AppPatch>;

export const App = z
  .object({
    appId: z.string(),
    ownerId: z.string(),
    ...appFields,
    description: appFields.description.optional(),
    script: appFields.script.optional(),
    retentionDays: appFields.retentionDays.optional().openapi({ description: `absent on apps made before it existed: ${DEFAULT_RETENTION_DAYS}` }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('App');
export type App = z.infer<typeof App>;

export const AppVersion = App.extend({ changedFields: z.array(z.string()) }).openapi('AppVersion');
export type AppVersion = z.infer<typeof AppVersion>;

export const RunCreate = z
  .object({
    command: command.optional(),
    env: env.optional().openapi({ description: "merged over the app's env" }),
    arrayProperties: ArrayRequest.optional(),
    parallelism: Parallelism.optional(),
  })
  .strict()
  .openapi('RunCreate');
export type RunCreate = z.infer<typeof RunCreate>;

const status = z.enum(RUN_STATUSES);

/** A finished run's cost (rules/cost-rules.ts RunCost): USD, hours, billed seconds. */
export const RunCost = z
  .object({
    billedSeconds: z.number().int().openapi({ description: 's Fargate bills: the duration rounded up, at least 60' }),
    vcpuHours: z.number(),
    gbHours: z.number(),
    fargateUsd: z.number().openapi({ description: 'vcpuHours × price per vCPU-hour + gbHours × price per GB-hour' }),
    platformUsd: z.number().openapi({ description: "the platform's own share (Lambda, DynamoDB, logs), as assumed in the README" }),
    totalUsd: z.number(),
    region: z.string(),
    architecture: z.enum(CPU_ARCHITECTURES),
    priceSource: z.string(),
    estimate: z.boolean().openapi({ description: 'true in dev mode: what the same run would cost on Fargate' }),
  })
  .openapi('RunCost');

export const CostQuery = z
  .object({
    groupBy: z.enum(COST_GROUPS).default('app').openapi({ description: 'app, schedule (runs of no schedule: `-`) or owner' }),
    period: z.enum(COST_PERIODS).default('day').openapi({ description: "day (YYYY-MM-DD) or month (YYYY-MM), UTC, of the runs' creation" }),
    from: isoDateField().optional().openapi({ description: 'runs created at or after (ISO 8601); default: the start of this month' }),
    to: isoDateField().optional().openapi({ description: 'runs created at or before (ISO 8601); default: now' }),
    ownerId: z.string().optional().openapi({ description: "admins: one owner's runs (default: every owner's)" }),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), { message: 'must not be before from', path: ['to'] });
export type CostQuery = z.infer<typeof CostQuery>;

export const CostReport = z
  .object({
    groupBy: z.enum(COST_GROUPS),
    period: z.enum(COST_PERIODS),
    from: z.string(),
    to: z.string(),
    lines: z.array(
      z.object({
        period: z.string(),
        key: z.string(),
        runs: z.number().int(),
        vcpuHours: z.number(),
        gbHours: z.number(),
        fargateUsd: z.number(),
        platformUsd: z.number(),
        totalUsd: z.number(),
      }),
    ),
    totalUsd: z.number(),
    monthlyBudgetUsd: z.number().optional().openapi({ description: "the owner's monthly budget (MONTHLY_BUDGET_USD), when set" }),
    estimate: z.boolean(),
    priceSource: z.string(),
  })
  .openapi('CostReport');
/** An ISO 8601 date-time a ULID can hold: from 1970-01-01 to ULID's TIME_MAX (ms), year 10889. */
const isoDate = isoDateField();
function isoDateField() {
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((value) => Date.parse(value) >= 0 && Date.parse(value) <= TIME_MAX, 'must be between 1970-01-01T00:00:00Z and 10889-08-02T05:31:50.655Z');
}

export const RunListQuery = z
  .object({
    appId: z.string().optional(),
    status: status.optional().openapi({ description: 'a filter over each page: a page may hold fewer than `limit` runs; follow nextCursor' }),
    from: isoDate.optional().openapi({ description: 'runs created at or after (ISO 8601)' }),
    to: isoDate.optional().openapi({ description: 'runs created at or before (ISO 8601)' }),
    cursor: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) <= Date.parse(query.to), { message: 'must not be before from', path: ['to'] });
export type RunListQuery = z.infer<typeof RunListQuery>;

export const StopRequestBody = z
  .object({ graceSeconds: z.number().int().min(0).max(3600).default(10).openapi({ description: 's between SIGTERM and SIGKILL' }) })
  .strict();

const Transition = z.object({ status, at: z.string(), reason: z.string().optional(), exitCode: z.number().int().optional() });
export type Transition = z.infer<typeof Transition>;

/** The task spec as a run reports it: the values of its app version, so without the write-time checks. */
const runTaskSpecFields = {
  ...taskSpecFields,
  image: z.string(),
  sidecars: z.array(RunSidecar).optional().openapi({ description: 'the sidecars as the run launched them: each image is the exact reference that ran' }),
  env: env.openapi({ description: 'values of keys that look secret are masked' }),
  cpu: z.number(),
  memoryMiB: z.number().int(),
  timeoutSeconds: z.number().int(),
};
// The published document lists retry after attempt; keeping it there keeps the document unchanged.
const { retry: runRetry, ...runTaskSpecBeforeStatus } = runTaskSpecFields;

export const Run = z
  .object({
    runId: z.string(),
    appId: z.string(),
    appName: z.string(),
    ownerId: z.string(),
    appVersion: z.number().int(),
    ...runTaskSpecBeforeStatus,
    status,
    trigger: z.enum(TRIGGERS),
    attempt: z.number().int(),
    retry: runRetry,
    imageDigest: z
      .string()
      .optional()
      .openapi({ description: 'the digest of the image the run ran (a built image: image is its per-build reference); a replay runs exactly it' }),
    replayOf: z
      .string()
      .optional()
      .openapi({ description: 'the run this one replays (POST /runs/{runId}/replay): its image digest, command or script, env and sidecars' }),
    scheduleId: z.string().optional(),
    scheduledTime: z.string().optional(),
    parentRunId: z.string().optional().openapi({ description: "an array job's child: its parent run (its runId is `<parentRunId>-<index>`)" }),
    arrayProperties: RunArrayProperties.optional(),
    previousRunId: z.string().optional(),
    nextRunId: z.string().optional(),
    taskRef: z.string().optional().openapi({ description: 'ECS task ARN or Docker container id' }),
    containers: z.array(ContainerState).optional().openapi({ description: "each container's state, the main one first (runs with sidecars)" }),
    exitCode: z.number().int().optional(),
    stoppedReason: z.string().optional(),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    stoppedAt: z.string().optional(),
    durationMs: z.number().optional().openapi({ description: 'ms from startedAt to stoppedAt' }),
    scriptSha256: z.string().optional().openapi({ description: "hex SHA-256 of the script source the run ran (the app version's)" }),
    retentionDays: z.number().int().optional().openapi({ description: 'days the run is kept after it finishes; 0 = forever' }),
    result: z.record(z.string(), z.unknown()).optional().openapi({ description: 'the last result the job posted' }),
    resultAt: z.string().optional(),
    cost: RunCost.optional().openapi({ description: 'a finished run that started: what it costs (rules/cost-rules.ts)' }),
  })
  .openapi('Run');
export type Run = z.infer<typeof Run>;

export const RunHistory = z.object({ runId: z.string(), status, history: z.array(Transition) }).openapi('RunHistory');

export const LogQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  startTime: z.coerce.number().int().min(0).optional().openapi({ description: 'ms since the epoch; ignored with a cursor' }),
  container: containerName.optional().openapi({ description: "only this container's lines (the main one is `app`); pass the same value with a cursor" }),
});

export const LogPage = z
  .object({
    events: z.array(z.object({ timestamp: z.number(), container: z.string().optional(), stream: z.enum(['stdout', 'stderr']), message: z.string() })),
    nextCursor: z.string(),
  })
  .openapi('LogPage');

const expression = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseScheduleExpression(value);
    } catch (err) {
      if (!(err instanceof InvalidScheduleExpression)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  })
  .openapi({
    description: "EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)",
    example: 'rate(5 minutes)',
  });

/** A schedule's settings when none are given (and for schedules stored before they existed). */
export const SCHEDULE_DEFAULTS = {
  timeZone: 'UTC',
  catchUp: { policy: 'none' as const },
  flexibleWindowMinutes: 0,
  actionAfterCompletion: 'NONE' as const,
};

/** Catch-up defaults: `all` runs at most 10 missed slots, none older than a day. */
export const CATCH_UP_DEFAULTS = { maxCount: 10, maxAgeMinutes: 1440 } as const;

const CatchUp = z
  .object({
    policy: z.enum(CATCH_UP_POLICIES).openapi({ description: 'none: record missed slots MISSED; latest: run the most recent once; all: run up to maxCount' }),
    maxCount: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: `with all: at most this many missed slots run (default ${CATCH_UP_DEFAULTS.maxCount})` }),
    maxAgeMinutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .optional()
      .openapi({ description: `latest and all: a missed slot older than this is only recorded (default ${CATCH_UP_DEFAULTS.maxAgeMinutes})` }),
  })
  .strict()
  .openapi('CatchUp');

const scheduleFields = {
  expression,
  timeZone: z.string().min(1).max(64).openapi({ description: 'IANA time zone in which cron and at() expressions are evaluated', example: 'Europe/Berlin' }),
  catchUp: CatchUp,
  flexibleWindowMinutes: z.number().int().min(0).max(1440).openapi({
    description:
      'each fire may come up to this many minutes after its slot, to spread schedules due at once (EventBridge Scheduler FlexibleTimeWindow); 0: on time',
  }),
  actionAfterCompletion: z
    .enum(ACTIONS_AFTER_COMPLETION)
    .openapi({ description: 'at() schedules: DELETE removes the schedule once it has fired; NONE keeps it' }),
  enabled: z.boolean(),
  overlapPolicy: z.enum(OVERLAP_POLICIES).openapi({ description: 'what a fire does while a run of this schedule is active' }),
  overrides: RunCreate,
  description: z.string().max(512),
};
/** Why the platform disabled a schedule (e.g. its next fire time is out of range); cleared when it is enabled again. */
const disabledReason = z.string().optional().openapi({ description: 'set when the platform disabled the schedule, saying why' });

export const ScheduleCreate = z
  .object({
    ...scheduleFields,
    enabled: scheduleFields.enabled.default(true),
    overlapPolicy: scheduleFields.overlapPolicy.default('Allow'),
    overrides: RunCreate.default({}),
    description: scheduleFields.description.optional(),
    timeZone: scheduleFields.timeZone.default(SCHEDULE_DEFAULTS.timeZone),
    catchUp: CatchUp.default(SCHEDULE_DEFAULTS.catchUp),
    flexibleWindowMinutes: scheduleFields.flexibleWindowMinutes.default(SCHEDULE_DEFAULTS.flexibleWindowMinutes),
    actionAfterCompletion: scheduleFields.actionAfterCompletion.default(SCHEDULE_DEFAULTS.actionAfterCompletion),
  })
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('ScheduleCreate');
export type ScheduleCreate = z.infer<typeof ScheduleCreate>;
/** What ScheduleService.create takes: ScheduleCreate with its defaulted fields optional. */
export type ScheduleCreateInput = z.input<typeof ScheduleCreate>;

export const SchedulePatch = z
  .object(scheduleFields)
  .partial()
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('SchedulePatch');

/** POST /schedules/preview: an expression in a zone, checked as a schedule's would be, and how many slots to list. */
export const SchedulePreviewRequest = z
  .object({
    expression,
    timeZone: scheduleFields.timeZone.default(SCHEDULE_DEFAULTS.timeZone),
    count: z.number().int().min(1).max(100).default(5),
  })
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('SchedulePreviewRequest');

/** An expression whose time is checked in its zone (at() in a spring-forward gap), and the zone itself; issues on the field at fault. */
function checkExpressionInZone(value: { expression?: string; timeZone?: string }, ctx: z.RefinementCtx): void {
  if (value.timeZone === undefined) return;
  try {
    checkTimeZone(value.timeZone);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['timeZone'], message: (err as Error).message });
    return;
  }
  if (value.expression === undefined) return;
  try {
    parseScheduleExpression(value.expression, value.timeZone);
  } catch (err) {
    if (!(err instanceof InvalidScheduleExpression)) throw err;
    ctx.addIssue({ code: 'custom', path: ['expression'], message: err.message });
  }
}
export type SchedulePatch = z.infer<typeof SchedulePatch>;

export const Schedule = z
  .object({
    scheduleId: z.string(),
    appId: z.string(),
    ownerId: z.string(),
    ...scheduleFields,
    description: z.string().optional(),
    disabledReason,
    lastSlot: z.string().optional().openapi({ description: 'the latest slot the ledger has an entry for (UTC)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Schedule');
export type Schedule = z.infer<typeof Schedule>;

export const SchedulePreview = z
  .object({
    times: z.array(z.string()).openapi({ description: 'the next fire times, UTC' }),
    timeZone: z.string(),
    slots: z.array(
      z.object({
        time: z.string().optional().openapi({ description: 'when the slot fires, UTC' }),
        localTime: z.string().optional().openapi({ description: "the slot in the schedule's zone, with its offset", example: '2026-03-29T03:30:00+02:00' }),
        repeatedOnce: z.literal(true).optional().openapi({ description: 'the clocks go back: this wall-clock time occurs twice and fires once' }),
        skipped: z.literal(true).optional().openapi({ description: 'the clocks go forward: this wall-clock time does not exist and does not fire' }),
        wallClock: z.string().optional().openapi({ description: "a skipped slot's wall-clock time" }),
      }),
    ),
  })
  .openapi('SchedulePreview');

export const ScheduleFire = z
  .object({
    scheduleId: z.string(),
    scheduledTime: z.string().openapi({ description: 'the slot, UTC' }),
    outcome: z.enum(FIRE_OUTCOMES),
    runId: z.string().optional(),
    reason: z.string().optional(),
    replacedRunIds: z.array(z.string()).optional().openapi({ description: 'REPLACED: the runs this fire stopped' }),
    deliveries: z.number().int().optional().openapi({ description: 'fires received for this slot; each after the first was deduplicated' }),
    caughtUp: z.boolean().optional().openapi({ description: 'the run was started by the catch-up policy, after the slot had passed' }),
    at: z.string(),
  })
  .openapi('ScheduleFire');
export type ScheduleFire = z.infer<typeof ScheduleFire>;

export const Credentials = z
  .object({ email: z.email().max(254), password: z.string().min(8, 'at least 8 characters').max(1024) })
  .strict()
  .openapi('Credentials');

export const Registration = Credentials.extend({
  inviteCode: z.string().max(256).optional().openapi({ description: 'needed when the deployment registers by invitation only' }),
})
  .strict()
  .openapi('Registration');

export const RefreshBody = z.object({ refreshToken: z.string().min(1) }).strict();

export const TokenSet = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .openapi('TokenSet');
/** What login and refresh return; expiresIn is the access token's lifetime in s (RFC 6749 §5.1). */
export type TokenSet = z.infer<typeof TokenSet>;

export const User = z.object({ userId: z.string(), email: z.string(), role: z.enum(ROLES), createdAt: z.string() }).openapi('User');
export type User = z.infer<typeof User>;

/** A job's result: a JSON object; its numeric top-level fields are metrics. Size limit: rules/result-rules.ts. */
export const RunResult = z.record(z.string(), z.unknown()).openapi('RunResult', { example: { perf: 0.93, rows: 1200, model: 'b' } });

export const MetricQuery = z.object({
  name: z.string().min(1).max(255),
  from: isoDate.optional().openapi({ description: 'points at or after (ISO 8601)' }),
  to: isoDate.optional().openapi({ description: 'points at or before (ISO 8601)' }),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export type MetricQuery = z.infer<typeof MetricQuery>;

export const MetricPoint = z.object({ time: z.string(), runId: z.string(), value: z.number() }).openapi('MetricPoint');
export type MetricPoint = z.infer<typeof MetricPoint>;

export const VersionDiff = z
  .object({
    appId: z.string(),
    version: z.number().int(),
    against: z.number().int(),
    changedBy: z.string().openapi({ description: 'who made `version`' }),
    changedAt: z.string().openapi({ description: 'when `version` was made' }),
    changedFields: z.array(z.string()).openapi({ description: 'fields that differ between the two versions' }),
    diff: z.string().openapi({ description: 'unified diff of the script source, `against` → `version`' }),
  })
  .openapi('VersionDiff');
export type VersionDiff = z.infer<typeof VersionDiff>;

/** RFC 9457 problem document. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** `{ items, nextCursor }` listing of `item`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() });
}
