/**
 * The create options of a run's (main) container (`POST /containers/create`, Docker Engine API
 * ContainerConfig + HostConfig): set up to behave as the run would on ECS Fargate — its limits,
 * no swap, no privileges, bounded processes, the isolated run network, a bounded log — with the
 * labels that carry its run id. A task's other containers are derived from these (task-options.ts).
 */
import type Docker from 'dockerode';
import { DROPPED_CAPABILITIES, type App, type Run } from '../../shared/domain.js';
import { launchCommand } from '../../shared/rules/script-rules.js';
import { LABELS } from './docker-events.js';
import { PIDS_LIMIT } from './sandbox-settings.js';

/**
 * The name under which a job reaches the host (Docker's `host-gateway`: the default bridge's
 * gateway address, where dev mode's result listener waits; see local/result-listener.ts).
 */
export const HOST_ALIAS = 'host.containers.internal';

/**
 * Docker's own copy of a container's output, which the log pipeline reads: the `local` driver
 * (compact, rotated) bounded to max-size × max-file = 64 MiB per container, so a verbose job
 * cannot fill the host's disk through it; the run's own log is capped separately.
 */
const DOCKER_LOG_CONFIG = { Type: 'local', Config: { 'max-size': '16m', 'max-file': '4', compress: 'false' } };

/** The container name of a run: `containerizer-<runId lowercased>`. Docker keeps names unique, which makes start idempotent. */
export function containerName(runId: string): string {
  return `containerizer-${runId.toLowerCase()}`;
}

/**
 * The create options of the run's (main) container: its image, the script's command or its own,
 * its env with the job's variables (`jobEnv` wins), the run's labels (`instanceId`: this
 * installation's, for garbage collection) and the Fargate-like HostConfig on `network`.
 */
export function runContainerOptions(
  run: Run,
  app: App,
  jobEnv: Record<string, string> | undefined,
  network: string,
  instanceId: string | undefined,
): Docker.ContainerCreateOptions {
  const command = launchCommand(run.command, app.script);
  return {
    name: containerName(run.runId),
    Image: run.image,
    ...(command.length > 0 ? { Cmd: command } : {}),
    Env: Object.entries({ ...run.env, ...jobEnv }).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [LABELS.runId]: run.runId,
      [LABELS.appId]: run.appId,
      [LABELS.ownerId]: run.ownerId,
      ...(instanceId && { [LABELS.instanceId]: instanceId }),
    },
    HostConfig: {
      NanoCpus: Math.round(run.cpu * 1e9),
      Memory: run.memoryMiB * 1024 * 1024,
      // Equal to Memory: no swap, as on Fargate.
      MemorySwap: run.memoryMiB * 1024 * 1024,
      PidsLimit: PIDS_LIMIT,
      NetworkMode: network,
      Privileged: false,
      CapDrop: [...DROPPED_CAPABILITIES],
      SecurityOpt: ['no-new-privileges'],
      // docker-init as PID 1 forwards SIGTERM to the command and reaps zombies; a shell
      // running as PID 1 would ignore SIGTERM and only die at the SIGKILL.
      Init: true,
      // The exit code and the last logs are read after exit; the container is removed at release.
      AutoRemove: false,
      // Explicit, since the logs are read through the Engine API, which a daemon-wide default like "none" would break.
      LogConfig: DOCKER_LOG_CONFIG,
      // The job reaches the result URL on the host through the bridge gateway, as `docker run --add-host` does.
      ExtraHosts: [`${HOST_ALIAS}:host-gateway`],
    },
  };
}
