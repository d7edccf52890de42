/**
 * Dev mode's ContainerRuntime: runs each run as a local Docker container, set up to
 * behave as the run would on ECS Fargate (limits, no swap, no host access).
 */
import type Docker from 'dockerode';
import type { App, Run } from '../shared/domain.js';
import type { ContainerLogs } from './container-logs.js';
import { DROPPED_CAPABILITIES } from '../shared/domain.js';
import type { ContainerRuntime, RunLaunch, TaskRef, TaskStateChange } from '../shared/ports.js';
import { LABELS, dockerErrorMessage, dockerStatusCode, taskStateOf } from './docker-events.js';
import { TaskGroups } from './task-group.js';

/** Processes per container; Fargate isolates each task in its own VM, a shared local engine needs a fork-bomb guard. */
const PIDS_LIMIT = 1024;

/** The container name of a run: `containerizer-<runId lowercased>`. Docker keeps names unique, which makes start idempotent. */
export function containerName(runId: string): string {
  return `containerizer-${runId.toLowerCase()}`;
}

function imageMissing(image: string): string {
  return `image "${image}" not found locally (dev mode cannot pull from a registry; build or import it first)`;
}

/** Runs containers on the local Docker engine (Docker Engine API through dockerode). Task refs are container ids. */
export class DockerRuntime implements ContainerRuntime {
  private readonly releasing = new Map<TaskRef, Promise<void>>();

  /** `logs` keeps each run's output once its container is removed; `groups` runs the runs with sidecars (task-group.ts). */
  constructor(
    private readonly docker: Docker,
    private readonly logs: ContainerLogs,
    private readonly groups: TaskGroups = new TaskGroups(docker),
  ) {}

  /** Checks the app's images (its sidecars' too) exist locally; throws an Error saying so when one does not (dev mode never pulls). */
  async prepare(app: App): Promise<void> {
    for (const image of new Set([app.image, ...(app.sidecars ?? []).map((s) => s.image)])) {
      try {
        await this.docker.getImage(image).inspect();
      } catch (err) {
        if (dockerStatusCode(err) === 404) throw new Error(imageMissing(image));
        throw new Error(`cannot inspect image "${image}": ${dockerErrorMessage(err)}`);
      }
    }
  }

  /**
   * Creates and starts the run's container and returns its id. A second call for the same
   * run finds the container by name and returns it (starting it if an earlier call stopped
   * between create and start). Throws an Error whose message explains a failed create or
   * start; a container that failed to start is removed.
   */
  async start({ run }: RunLaunch): Promise<TaskRef> {
    if (run.sidecars?.length) return this.groups.start(run, this.createOptions(run));
    const name = containerName(run.runId);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(this.createOptions(run));
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 409) return this.startExisting(name, run.runId);
      if (status === 404) throw new Error(imageMissing(run.image));
      throw new Error(`cannot create the container of run ${run.runId}: ${dockerErrorMessage(err)}`);
    }
    await this.startOrRemove(container, run.runId);
    return container.id;
  }

  /** The create options of the run's (main) container: its image, command and env, with the Fargate-like limits every container gets. */
  private createOptions(run: Run): Docker.ContainerCreateOptions {
    return {
      name: containerName(run.runId),
      Image: run.image,
      ...(run.command.length > 0 ? { Cmd: run.command } : {}),
      Env: Object.entries(run.env).map(([key, value]) => `${key}=${value}`),
      Labels: { [LABELS.runId]: run.runId, [LABELS.appId]: run.appId, [LABELS.ownerId]: run.ownerId },
      HostConfig: {
        NanoCpus: Math.round(run.cpu * 1e9),
        Memory: run.memoryMiB * 1024 * 1024,
        // Equal to Memory: no swap, as on Fargate.
        MemorySwap: run.memoryMiB * 1024 * 1024,
        PidsLimit: PIDS_LIMIT,
        Privileged: false,
        CapDrop: [...DROPPED_CAPABILITIES],
        SecurityOpt: ['no-new-privileges'],
        // docker-init as PID 1 forwards SIGTERM to the command and reaps zombies; a shell
        // running as PID 1 would ignore SIGTERM and only die at the SIGKILL.
        Init: true,
        // The exit code and logs are read after exit; dev mode removes the container once the logs are saved.
        AutoRemove: false,
        // Explicit, since the logs are read through the Engine API, which a daemon-wide default like "none" would break.
        LogConfig: { Type: 'json-file', Config: {} },
      },
    };
  }

  /** The container an earlier start of this run created; started if it never was. */
  private async startExisting(name: string, runId: string): Promise<TaskRef> {
    const container = this.docker.getContainer(name);
    const info = await container.inspect();
    if (info.State.Status === 'created') await this.startOrRemove(container, runId);
    return info.Id;
  }

  private async startOrRemove(container: Docker.Container, runId: string): Promise<void> {
    try {
      await container.start();
    } catch (err) {
      // 304: a concurrent start of the same run got there first.
      if (dockerStatusCode(err) === 304) return;
      await this.remove(container.id);
      throw new Error(`the container of run ${runId} failed to start: ${dockerErrorMessage(err)}`);
    }
  }

  /** `POST /containers/{id}/stop?t=graceSeconds`: SIGTERM, SIGKILL after the grace (s). Already stopped or gone is fine. */
  async stop(ref: TaskRef, graceSeconds: number, _reason: string): Promise<void> {
    if (await this.groups.stop(ref, { graceSeconds: Math.max(0, Math.ceil(graceSeconds)) })) return;
    await this.ignoring([304, 404], () => this.docker.getContainer(ref).stop({ t: Math.max(0, Math.ceil(graceSeconds)) }));
  }

  /** SIGKILL now. Not running (409) or gone (404) is fine. */
  async kill(ref: TaskRef, _reason: string): Promise<void> {
    if (await this.groups.stop(ref, { graceSeconds: 0, kill: true })) return;
    await this.ignoring([404, 409], () => this.docker.getContainer(ref).kill({ signal: 'SIGKILL' }));
  }

  /** The container's state as a TaskStateChange (see taskStateOf), or null once it is removed. */
  async describe(ref: TaskRef, runId: string): Promise<TaskStateChange | null> {
    const task = await this.groups.describe(runId);
    if (task !== undefined) return task;
    try {
      return taskStateOf(await this.docker.getContainer(ref).inspect(), runId);
    } catch (err) {
      if (dockerStatusCode(err) === 404) return null;
      throw err;
    }
  }

  /**
   * Saves the run's logs to its file, then removes the container. Idempotent: once removed,
   * the saved file stands; concurrent calls for one run share one release.
   */
  release(ref: TaskRef, runId: string): Promise<void> {
    let releasing = this.releasing.get(ref);
    if (!releasing) {
      releasing = (async () => {
        if (await this.groups.release(runId, (members) => this.logs.saveTask(runId, members))) return;
        if ((await this.describe(ref, runId)) === null) return;
        await this.logs.save(runId, ref);
        await this.remove(ref);
      })().finally(() => this.releasing.delete(ref));
      this.releasing.set(ref, releasing);
    }
    return releasing;
  }

  /** Force-removes the container. Gone or already being removed is fine. */
  async remove(ref: TaskRef): Promise<void> {
    await this.ignoring([404, 409], () => this.docker.getContainer(ref).remove({ force: true }));
  }

  private async ignoring(statusCodes: number[], call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === undefined || !statusCodes.includes(status)) throw err;
    }
  }
}
