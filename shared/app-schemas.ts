/**
 * The schemas of apps and their versions (zod, with OpenAPI metadata): the task spec a run
 * copies from its app version (taskSpecFields, TASK_SPEC_FIELDS), scripts, retention, the
 * app's create/patch/read shapes and the diff of two versions. The domain types inferred from
 * them are re-exported by domain.ts; the run schemas (built on taskSpecFields) are schemas.ts's.
 */
import { z } from '@hono/zod-openapi';
import { FARGATE_SIZES, SCRIPT_LANGUAGES } from './domain.js';
import { command, containerImage, env, imageReference, mainContainerFields, sidecars } from './container-schemas.js';
import { appSecrets } from './secret-schemas.js';
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
export const taskSpecFields = {
  image: containerImage(imageReference.openapi({ example: 'containerizer/busybox:latest', description: 'an image reference (see the allowed prefixes)' })),
  command,
  env,
  secrets: appSecrets.optional(),
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
