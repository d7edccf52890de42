/**
 * A task's several containers on ECS: the container definitions of an app's sidecars and the
 * main container's start order and health check (AWS docs, "ContainerDefinition", "HealthCheck",
 * "ContainerDependency"), and, back from ECS, each container's state and what failed the task.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { CONTAINER_STATUSES, HEALTH_STATUSES, MAIN_CONTAINER, type ContainerState, type HealthCheck, type TaskSpec } from '../domain.js';
import type { LaunchableApp } from '../ports.js';
import type { EcsContainerState } from './ecs-events.js';

/** Exit codes of a container the ECS agent stopped (SIGTERM → 143, SIGKILL after stopTimeout → 137). */
const STOPPED_BY_AGENT = [137, 143];

/** ECS's HealthCheck from the API's (seconds in both; ECS names them without the unit). */
function ecsHealthCheck(check: HealthCheck): NonNullable<ContainerDefinition['healthCheck']> {
  return {
    command: check.command,
    interval: check.intervalSeconds,
    timeout: check.timeoutSeconds,
    retries: check.retries,
    startPeriod: check.startPeriodSeconds,
  };
}

/** What the main container's definition gets from the app's start order and health check (nothing when it has neither). */
export function mainContainerExtras(app: Pick<TaskSpec, 'dependsOn' | 'healthCheck'>): Partial<ContainerDefinition> {
  return {
    ...(app.dependsOn?.length && { dependsOn: app.dependsOn }),
    ...(app.healthCheck && { healthCheck: ecsHealthCheck(app.healthCheck) }),
  };
}

/**
 * The container definitions of the app's sidecars, each with `shared` (stopTimeout, linuxParameters,
 * logConfiguration: what every container of the task gets). cpu: vCPU → ECS units (1 vCPU = 1024);
 * memoryMiB → `memory`, the container's hard limit in MiB.
 */
export function sidecarDefinitions(app: Pick<LaunchableApp, 'sidecars'>, shared: Partial<ContainerDefinition>): ContainerDefinition[] {
  return (app.sidecars ?? []).map((sidecar) => ({
    name: sidecar.name,
    image: sidecar.image,
    essential: sidecar.essential,
    ...(sidecar.command?.length && { command: sidecar.command }),
    ...(sidecar.env && Object.keys(sidecar.env).length > 0 && { environment: Object.entries(sidecar.env).map(([name, value]) => ({ name, value })) }),
    ...(sidecar.cpu !== undefined && { cpu: Math.round(sidecar.cpu * 1024) }),
    ...(sidecar.memoryMiB !== undefined && { memory: sidecar.memoryMiB }),
    ...(sidecar.dependsOn?.length && { dependsOn: sidecar.dependsOn }),
    ...(sidecar.healthCheck && { healthCheck: ecsHealthCheck(sidecar.healthCheck) }),
    ...shared,
  }));
}

/**
 * Each container's state as the run records it, the main container first; undefined for a task
 * of one container (its state is the run's own). ECS's container statuses and health outside
 * the known lists (none today) read as PENDING and UNKNOWN.
 */
export function containerStates(containers: readonly EcsContainerState[] | undefined): ContainerState[] | undefined {
  if (!containers || containers.length < 2) return undefined;
  const ordered = [...containers].sort((a, b) => Number(b.name === MAIN_CONTAINER) - Number(a.name === MAIN_CONTAINER));
  return ordered.map((c) => ({
    name: c.name ?? '',
    lastStatus: (CONTAINER_STATUSES as readonly string[]).includes(c.lastStatus ?? '') ? (c.lastStatus as ContainerState['lastStatus']) : 'PENDING',
    ...(typeof c.exitCode === 'number' && { exitCode: c.exitCode }),
    ...(c.healthStatus && {
      healthStatus: (HEALTH_STATUSES as readonly string[]).includes(c.healthStatus) ? (c.healthStatus as ContainerState['healthStatus']) : 'UNKNOWN',
    }),
    ...(c.reason && { reason: c.reason }),
  }));
}

/**
 * The sidecar whose exit stopped the task, as a reason naming it, or undefined. ECS says only
 * "Essential container in task exited" (stopCode EssentialContainerExited) and not which one, and an
 * event has no exit times, so: when the main container did not end the task on its own (it never
 * exited, or the agent stopped it: 137/143), the sidecar that exited with a code of its own (not
 * 137/143) did.
 */
export function essentialSidecarFailure(task: { stopCode?: string; containers?: readonly EcsContainerState[] }): string | undefined {
  if (task.stopCode !== 'EssentialContainerExited') return undefined;
  const main = task.containers?.find((c) => c.name === MAIN_CONTAINER);
  if (typeof main?.exitCode === 'number' && !STOPPED_BY_AGENT.includes(main.exitCode)) return undefined;
  const culprit = task.containers?.find((c) => c.name !== MAIN_CONTAINER && typeof c.exitCode === 'number' && !STOPPED_BY_AGENT.includes(c.exitCode));
  return culprit
    ? `Essential container in task exited: "${culprit.name}" exited with code ${culprit.exitCode}${culprit.reason ? ` (${culprit.reason})` : ''}`
    : undefined;
}
