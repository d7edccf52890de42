/**
 * The create options of each container of a dev-mode task (a run with sidecars), derived from the
 * main container's (container-options.ts): every container gets the run's limits and labels, its
 * own image, command, env, size and health check; the first to start (the "holder") gets the
 * run's network and the others join its network namespace (NetworkMode `container:<holder>`), as
 * the containers of an awsvpc task share its ENI.
 */
import type Docker from 'dockerode';
import type { HealthCheck, Run } from '../../shared/domain.js';
import type { TaskContainer } from '../../shared/rules/container-rules.js';
import { TASK_LABELS, type TaskLabel } from './task-members.js';

/** Docker's Healthcheck (durations in ns) from an ECS-style one (s). Docker Engine API, HealthConfig. */
export function dockerHealthcheck(check: HealthCheck): NonNullable<Docker.ContainerCreateOptions['Healthcheck']> {
  const ns = (seconds: number) => seconds * 1e9;
  return {
    Test: check.command,
    Interval: ns(check.intervalSeconds),
    Timeout: ns(check.timeoutSeconds),
    Retries: check.retries,
    // 0 would mean "inherit the image's"; ECS's default is no start period.
    StartPeriod: ns(check.startPeriodSeconds),
  };
}

/** The container that owns the task's network: the first essential one without dependencies, else the first without any. */
export function holderOf(containers: readonly TaskContainer[]): TaskContainer {
  const free = containers.filter((c) => c.dependsOn.length === 0);
  return free.find((c) => c.essential) ?? free[0] ?? containers[0]!;
}

/**
 * The create options of one container of the task, the `index`th: `base`'s limits and labels, its
 * own image, command, env, size and health check; with `holderId`, in the holder's namespace.
 */
export function taskContainerOptions(
  run: Run,
  base: Docker.ContainerCreateOptions,
  container: TaskContainer,
  index: number,
  holderId?: string,
): Docker.ContainerCreateOptions {
  const sidecar = run.sidecars?.find((s) => s.name === container.name);
  const cpu = sidecar?.cpu ?? run.cpu;
  const memory = (sidecar?.memoryMiB ?? run.memoryMiB) * 1024 * 1024;
  // A container in another's network namespace can have no network settings of its own: it
  // shares the holder's, /etc/hosts (ExtraHosts) included.
  const { NetworkingConfig: _endpoints, ...own } = base;
  const { ExtraHosts: _hosts, ...joinerHostConfig } = base.HostConfig ?? {};
  const label: TaskLabel = {
    index,
    holder: holderId === undefined,
    essential: container.essential,
    dependsOn: container.dependsOn,
    hasHealthCheck: container.healthCheck !== undefined,
  };
  return {
    ...(holderId ? own : base),
    ...(sidecar && {
      name: `${base.name}-${sidecar.name}`,
      Image: sidecar.image,
      Cmd: sidecar.command?.length ? sidecar.command : undefined,
      Env: Object.entries(sidecar.env ?? {}).map(([key, value]) => `${key}=${value}`),
    }),
    Labels: { ...base.Labels, [TASK_LABELS.container]: container.name, [TASK_LABELS.task]: JSON.stringify(label) },
    ...(container.healthCheck && { Healthcheck: dockerHealthcheck(container.healthCheck) }),
    HostConfig: {
      ...(holderId ? joinerHostConfig : base.HostConfig),
      NanoCpus: Math.round(cpu * 1e9),
      Memory: memory,
      // Equal to Memory: no swap, as on Fargate.
      MemorySwap: memory,
      ...(holderId && { NetworkMode: `container:${holderId}` }),
    },
  };
}
