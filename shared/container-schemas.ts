/**
 * The schemas of a task's several containers, in ECS's vocabulary (AWS docs, "ContainerDefinition",
 * "HealthCheck", "ContainerDependency", "Container"): an app's sidecars, health checks and start
 * order, and each container's state on a run. Checks across containers (names, cycles, sizes) are
 * the pure rules of rules/container-rules.ts.
 */
import { z } from '@hono/zod-openapi';
import { CONTAINER_STATUSES, DEPENDENCY_CONDITIONS, HEALTH_STATUSES } from './domain.js';
import { isImageReference } from './image-reference.js';
import { BuiltImageRef } from './image-schemas.js';
import { commandBytes, envBytes, MAX_COMMAND_BYTES, MAX_ENV_BYTES } from './item-limits.js';

/** POSIX environment variable names (IEEE Std 1003.1, 8.1). */
const envKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _, not starting with a digit');
/** A container's environment: names and values together at most MAX_ENV_BYTES (UTF-8), so a run item fits DynamoDB's 400 KB (item-limits.ts). */
export const env = z
  .record(envKey.max(1024), z.string().max(32_768))
  .refine((value) => envBytes(value) <= MAX_ENV_BYTES, `env names and values together must be at most ${MAX_ENV_BYTES} bytes`)
  .openapi({ example: { GREETING: 'hello' }, description: `names and values together at most ${MAX_ENV_BYTES} bytes (UTF-8)` });
/** A container's command (ECS `command`, Docker `Cmd`): arguments together at most MAX_COMMAND_BYTES (UTF-8), as env. */
export const command = z
  .array(z.string().max(4096))
  .max(256)
  .refine((value) => commandBytes(value) <= MAX_COMMAND_BYTES, `command arguments together must be at most ${MAX_COMMAND_BYTES} bytes`)
  .openapi({ example: ['sh', '-c', 'echo hello'], description: `at most 256 arguments, together at most ${MAX_COMMAND_BYTES} bytes (UTF-8)` });

/** A container's image: Docker's reference grammar (image-reference.ts). */
export const imageReference = z
  .string()
  .refine(isImageReference, 'not a Docker image reference ([registry[:port]/]name[:tag][@digest], lower-case name of at most 255 characters)');

/**
 * What a container may name as its image: a reference (Docker's grammar; `reference` carries its
 * OpenAPI example and description) or a built image, resolved per run to its build's immutable reference.
 */
export function containerImage(reference: typeof imageReference) {
  return z.union([reference, BuiltImageRef]);
}

/** ECS container names: up to 255 letters, digits, hyphens and underscores (ContainerDefinition.name). */
export const containerName = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'up to 255 letters, digits, - or _');

/**
 * ECS HealthCheck, seconds instead of ECS's bare numbers; bounds and defaults are ECS's
 * (interval 5-300 s, default 30; timeout 2-120 s, default 5; retries 1-10, default 3; start period 0-300 s, default 0).
 */
export const HealthCheck = z
  .object({
    command: z
      .array(z.string().max(4096))
      .min(2)
      .max(256)
      .refine((c) => c[0] === 'CMD' || c[0] === 'CMD-SHELL', 'starts with "CMD" (exec form) or "CMD-SHELL" (one shell command)')
      .openapi({ example: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/ || exit 1'] }),
    intervalSeconds: z.number().int().min(5).max(300).default(30),
    timeoutSeconds: z.number().int().min(2).max(120).default(5),
    retries: z.number().int().min(1).max(10).default(3),
    startPeriodSeconds: z.number().int().min(0).max(300).default(0),
  })
  .strict()
  .openapi('HealthCheck');
export type HealthCheck = z.infer<typeof HealthCheck>;

export const ContainerDependency = z
  .object({ containerName, condition: z.enum(DEPENDENCY_CONDITIONS) })
  .strict()
  .openapi('ContainerDependency', { description: 'start after containerName has STARTed, COMPLETEd, exited with SUCCESS or become HEALTHY' });
export type ContainerDependency = z.infer<typeof ContainerDependency>;

const dependsOn = z.array(ContainerDependency).max(10);

/** What the main container adds to an app: its own health check and start order. */
export const mainContainerFields = { dependsOn, healthCheck: HealthCheck };

const sidecarFields = {
  name: containerName,
  image: containerImage(imageReference.openapi({ example: 'postgres:16' })),
  command: command.optional(),
  env: env.optional(),
  essential: z.boolean().default(true).openapi({ description: 'as ECS: when an essential container exits, the task stops (the run FAILS)' }),
  cpu: z.number().positive().optional().openapi({ description: "vCPU reserved for this container out of the task's" }),
  memoryMiB: z.number().int().min(6).optional().openapi({ description: "MiB: this container's hard limit, out of the task's (Docker's minimum is 6)" }),
  healthCheck: HealthCheck.optional(),
  dependsOn: dependsOn.optional(),
};

export const Sidecar = z.object(sidecarFields).strict().openapi('Sidecar');
export type Sidecar = z.infer<typeof Sidecar>;

/** A sidecar as a run records it: its image is what really ran (a built image resolved to its build's reference). */
export const RunSidecar = z
  .object({ ...sidecarFields, image: z.string() })
  .openapi('RunSidecar', { description: "a sidecar as the run launched it: image is the exact reference (a built image's per-build reference)" });
export type RunSidecar = z.infer<typeof RunSidecar>;

/** An app's sidecars: beside the main container, in one task (the count is checked by container-rules). */
export const sidecars = z.array(Sidecar).openapi({ description: 'containers beside the main one, in one task: they share its network (localhost)' });

export const ContainerState = z
  .object({
    name: z.string(),
    lastStatus: z.enum(CONTAINER_STATUSES),
    exitCode: z.number().int().optional(),
    healthStatus: z.enum(HEALTH_STATUSES).optional(),
    reason: z.string().optional(),
  })
  .openapi('ContainerState');
export type ContainerState = z.infer<typeof ContainerState>;
