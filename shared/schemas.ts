/**
 * Request and response schemas (zod, with OpenAPI metadata): the API validates with them
 * and /openapi.json is generated from them, so the two cannot drift apart. The domain types
 * that are also response shapes (Run, ...) are inferred from them here. This file holds the
 * runs' schemas, their costs, results and logs, and what every route shares (Problem, pageOf);
 * apps: app-schemas.ts (re-exported here), accounts: auth-schemas.ts (re-exported here),
 * schedules: schedule-schemas.ts, images: image-schemas.ts.
 */
import { z } from '@hono/zod-openapi';
import { TIME_MAX } from 'ulid';
import { RUN_STATUSES, TRIGGERS } from './domain.js';
import { command, containerName, ContainerState, env, RunSidecar } from './container-schemas.js';
import { ArrayRequest, Parallelism, RunArrayProperties } from './array-schemas.js';
import { COST_GROUPS, COST_PERIODS } from './rules/cost-rules.js';
import { CPU_ARCHITECTURES } from './aws/architecture.js';
import { taskSpecFields } from './app-schemas.js';
import { SecretVersions } from './secret-schemas.js';

export * from './app-schemas.js';
export * from './auth-schemas.js';

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
    appId: z.string().max(64).optional().openapi({ description: "only this app's runs" }),
    scheduleId: z.string().max(64).optional().openapi({ description: "only this schedule's runs" }),
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
export type CostReport = z.infer<typeof CostReport>;
/** An ISO 8601 date-time a ULID can hold: from 1970-01-01 to ULID's TIME_MAX (ms), year 10889. */
const isoDate = isoDateField();
function isoDateField() {
  return z.iso
    .datetime({ offset: true, abort: true })
    .refine((value) => Date.parse(value) >= 0 && Date.parse(value) <= TIME_MAX, 'must be between 1970-01-01T00:00:00Z and 10889-08-02T05:31:50.655Z');
}

export const RunListQuery = z
  .object({
    appId: z.string().optional().openapi({
      description:
        "the app's runs (without it: the caller's runs across apps). Either way an array job's children that have been created are listed beside their parent, each with its `parentRunId` and `arrayProperties.index`; children not created yet (beyond the parent's `arrayProperties.nextIndex`) are not listed",
    }),
    status: status.optional().openapi({ description: 'a filter over each page: a page may hold fewer than `limit` runs; follow nextCursor' }),
    from: isoDate.optional().openapi({ description: "runs created at or after (ISO 8601); an array job's child by its parent's creation" }),
    to: isoDate.optional().openapi({ description: "runs created at or before (ISO 8601); an array job's child by its parent's creation" }),
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
    result: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "the last result the job posted, with the values of the run's secrets masked (`***`)" }),
    resultAt: z.string().optional(),
    cost: RunCost.optional().openapi({ description: 'a finished run that started: what it costs (rules/cost-rules.ts)' }),
    secretVersions: SecretVersions.optional(),
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
