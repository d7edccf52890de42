/**
 * Dev mode's ContainerRuntime: runs each run as a local Docker container, set up to
 * behave as the run would on ECS Fargate (limits, no swap, no host access, no path to
 * another run, bounded processes, disk and log volume). A run with sidecars is a task of
 * several such containers (task-group.ts).
 */
import type Docker from 'dockerode';
import { MAIN_CONTAINER, type App, type Run } from '../../shared/domain.js';
import type { ContainerLogs } from '../logs/container-logs.js';
import type { ContainerRuntime, LaunchableApp, RunLaunch, TaskRef, TaskStateChange } from '../../shared/ports.js';
import { INTERPRETERS, missingInterpreter } from '../../shared/rules/script-rules.js';
import { dockerErrorMessage, dockerStatusCode, taskStateOf, ignoringStatus } from './docker-events.js';
import { assertImageReference, isImageReference } from '../../shared/image-reference.js';
import { truncationMessage } from '../logs/log-pipeline.js';
import { ensureRunNetwork } from './run-network.js';
import { DEFAULT_SANDBOX, type SandboxSettings } from './sandbox-settings.js';
import { WritableLayerGuard } from './writable-layer-guard.js';
import { ResultHandOver, type ResultFileHook } from './result-hand-over.js';
import { containerName, runContainerOptions } from './container-options.js';
import { withRunVolumes } from './run-volumes.js';
import { TaskGroups } from './task-group.js';
import { taskMembers, type TaskMember } from './task-members.js';

function imageMissing(image: string): string {
  return `image "${image}" not found locally (dev mode cannot pull from a registry; build or import it first)`;
}

/** Where a DockerRuntime reports what it learns. */
export interface RuntimeHooks {
  /** Labelled (LABELS.instanceId) on every container, so this installation's garbage collection finds the exited ones it left. */
  instanceId?: string;
  /**
   * Gets what a job left in its result file, read from the main container once it stopped and before its STOPPED change goes on
   * (withLogs), so the run's terminal status is never visible before its result. Throwing holds the change back (the sweep's describe brings it again).
   */
  onResultFile?: ResultFileHook;
  /** Gets each task state change `follow` makes of Docker's (STOPPED ones once the run's logs are complete): the platform's RunService.applyTaskStateChange. */
  onTaskChange?(change: TaskStateChange): Promise<unknown>;
}

/** Runs containers on the local Docker engine (Docker Engine API through dockerode). Task refs are container ids (a task's: its main container's). */
export class DockerRuntime implements ContainerRuntime {
  private readonly releasing = new Map<TaskRef, Promise<void>>();
  /** Runs of one container started by this process (until their release): their changes need no look at a task's containers. */
  private readonly loneRuns = new Set<string>();
  private readonly results: ResultHandOver;
  /** Why the platform itself killed a run's container (past its writable layer bound), by run id. */
  private readonly killedFor = new Map<string, string>();
  private readonly guard: WritableLayerGuard;
  private readonly groups: TaskGroups;
  private network: Promise<string> | undefined;

  /** `logs` receives each run's output as it comes; `sandbox` bounds what one run (each of its containers) may use; `hooks` get what it learns. */
  constructor(
    private readonly docker: Docker,
    private readonly logs: ContainerLogs,
    sandbox: SandboxSettings = DEFAULT_SANDBOX,
    private readonly hooks: RuntimeHooks = {},
  ) {
    this.results = new ResultHandOver(docker, hooks.onResultFile);
    this.groups = new TaskGroups(docker, {
      onChange: (change) => this.onChange(change),
      beforeStart: (runId, member) => this.logs.attach(runId, member.ref, member.container),
    });
    this.guard = new WritableLayerGuard(docker, sandbox.writableLayerMaxBytes, sandbox.writableLayerCheckMs, async (ref, runId, size, inVolumes) => {
      this.killedFor.set(
        runId,
        `writable layer${inVolumes > 0 ? ' and volumes' : ''} of ${Math.round(size / 1024 / 1024)} MiB exceeded the run's bound of ${Math.round(sandbox.writableLayerMaxBytes / 1024 / 1024)} MiB`,
      );
      await this.kill(ref, 'writable layer too large');
    });
  }

  /**
   * The local image `image` names: its Id, the digest of its content, which dev mode records as a
   * run's imageDigest and a replay runs (`docker run <Id>` runs exactly it); undefined when none.
   */
  async inspectImage(image: string): Promise<{ digest: string; pinned: string } | undefined> {
    if (!isImageReference(image)) return undefined;
    try {
      const { Id } = await this.docker.getImage(image).inspect();
      return { digest: Id, pinned: Id };
    } catch (err) {
      if (dockerStatusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * Checks the app's images (its sidecars' too) exist locally; throws an Error saying so when one
   * does not (dev mode never pulls), or when one is not a Docker image reference.
   */
  async prepare(app: LaunchableApp): Promise<void> {
    for (const image of imagesOf(app)) {
      assertImageReference(image);
      try {
        await this.docker.getImage(image).inspect();
      } catch (err) {
        if (dockerStatusCode(err) === 404) throw new Error(imageMissing(image));
        throw new Error(`cannot inspect image "${image}": ${dockerErrorMessage(err)}`);
      }
    }
  }

  /**
   * Hands one of Docker's container changes (docker-events.ts) on to `hooks.onTaskChange`: a lone
   * container's as it is, a task member's as its task's (task-group.ts); STOPPED once the logs are complete (withLogs).
   */
  async follow(change: TaskStateChange): Promise<void> {
    if (this.loneRuns.has(change.runId)) await this.onChange(change);
    else await this.groups.follow(change);
  }

  private async onChange(change: TaskStateChange): Promise<void> {
    await this.hooks.onTaskChange?.(await this.withLogs(change));
  }

  /**
   * Creates and starts the run's container and returns its id. A second call for the same
   * run finds the container by name and returns it (starting it if an earlier call stopped
   * between create and start). Throws an Error whose message explains a failed create or
   * start, an image that is not a Docker image reference, or a run network that cannot be
   * made; a container that failed to start is removed. The container's output is followed
   * into the run's log file from here on. A run with sidecars starts as a task (task-group.ts):
   * every container created alike, each started when its `dependsOn` holds, all of their output
   * in the run's one log file.
   */
  async start({ run, app, jobEnv }: RunLaunch): Promise<TaskRef> {
    for (const image of imagesOf(run)) assertImageReference(image);
    const options = runContainerOptions(run, app, jobEnv, await this.runNetwork(), this.hooks.instanceId);
    try {
      if (!run.sidecars?.length) return await this.startLone(run, app, options);
      const ref = await this.groups.start(run, options, async (mainRef) => {
        await this.checkScript(this.docker.getContainer(mainRef), run, app);
        this.results.locate(run.runId, mainRef);
      });
      this.guard.start();
      return ref;
    } catch (err) {
      // Nothing of the run is left to release: nothing to remember either.
      this.forget(run.runId);
      throw err;
    }
  }

  /** `start` for a run of one container. */
  private async startLone(run: Run, app: App, options: Docker.ContainerCreateOptions): Promise<TaskRef> {
    // Its changes (the create's first) go straight on: no task to look at.
    this.loneRuns.add(run.runId);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(await withRunVolumes(this.docker, options));
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status === 409) return this.startExisting(containerName(run.runId), run.runId);
      if (status === 404) throw new Error(imageMissing(run.image));
      throw new Error(`cannot create the container of run ${run.runId}: ${dockerErrorMessage(err)}`);
    }
    await this.checkScript(container, run, app);
    this.results.locate(run.runId, container.id);
    await this.logs.attach(run.runId, container.id);
    await this.startOrRemove(container, run.runId);
    this.watch(run.runId, container.id);
    return container.id;
  }

  /** For a script run: checkInterpreter on the created main container. */
  private async checkScript(container: Docker.Container, run: Run, app: App): Promise<void> {
    const { script } = app;
    if (script) await this.checkInterpreter(container, run.image, INTERPRETERS[script.language].executable, (path) => missingInterpreter(script, path));
  }

  /**
   * Looks for `executable` in each directory of the image's PATH inside the created container
   * (`HEAD /containers/{id}/archive`, a stat); when it is nowhere, removes the container and
   * throws an Error with `reason(path)`. Without this, docker-init would exit 127 and the run
   * would only say "exited".
   */
  private async checkInterpreter(container: Docker.Container, image: string, executable: string, reason: (path: string[]) => string): Promise<void> {
    const env = (await this.docker.getImage(image).inspect()).Config?.Env ?? [];
    const path = (env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
    for (const dir of path) {
      try {
        await container.infoArchive({ path: `${dir}/${executable}` });
        return;
      } catch (err) {
        if (dockerStatusCode(err) !== 404) throw err;
      }
    }
    await this.remove(container.id);
    throw new Error(reason(path));
  }

  /** The container an earlier start of this run created; started if it never was. */
  private async startExisting(name: string, runId: string): Promise<TaskRef> {
    const container = this.docker.getContainer(name);
    const info = await container.inspect();
    this.results.locate(runId, info.Id);
    if (info.State.Status === 'created') {
      await this.logs.attach(runId, info.Id);
      await this.startOrRemove(container, runId);
    }
    this.watch(runId, info.Id);
    return info.Id;
  }

  /** Follows the container's logs and guards its writable layer; both run in the background and never throw. */
  private watch(runId: string, ref: TaskRef): void {
    void this.logs.follow(runId, ref);
    this.guard.start();
  }

  private runNetwork(): Promise<string> {
    // Made once per process; a failure is not kept, so the next start tries again.
    this.network ??= ensureRunNetwork(this.docker).catch((err: unknown) => {
      this.network = undefined;
      throw err;
    });
    return this.network;
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

  /** `POST /containers/{id}/stop?t=graceSeconds`: SIGTERM, SIGKILL after the grace (s); for a task, to every container still running. Already stopped or gone is fine. */
  async stop(ref: TaskRef, graceSeconds: number, _reason: string): Promise<void> {
    if (await this.groups.stop(ref, { graceSeconds: Math.max(0, Math.ceil(graceSeconds)) })) return;
    await ignoringStatus([304, 404], () => this.docker.getContainer(ref).stop({ t: Math.max(0, Math.ceil(graceSeconds)) }));
  }

  /** SIGKILL now (a task's: every container). Not running (409) or gone (404) is fine. */
  async kill(ref: TaskRef, _reason: string): Promise<void> {
    if (await this.groups.stop(ref, { graceSeconds: 0, kill: true })) return;
    await ignoringStatus([404, 409], () => this.docker.getContainer(ref).kill({ signal: 'SIGKILL' }));
  }

  /**
   * The container's state as a TaskStateChange (see taskStateOf and withLogs), or null once it
   * is removed. A running container is (again) followed and guarded: after a restart, this is
   * how the sweep resumes each run's log from where its file ends.
   */
  async describe(ref: TaskRef, runId: string): Promise<TaskStateChange | null> {
    const task = await this.groups.describe(runId);
    if (task === null) return null;
    if (task !== undefined) {
      if (task.lastStatus !== 'STOPPED') await this.watchTask(runId);
      return this.withLogs(task);
    }
    let state: TaskStateChange;
    try {
      state = taskStateOf(await this.docker.getContainer(ref).inspect(), runId);
    } catch (err) {
      if (dockerStatusCode(err) === 404) return null;
      throw err;
    }
    if (state.lastStatus === 'RUNNING') this.watch(runId, ref);
    return this.withLogs(state);
  }

  /** Follows the output of each started container of the run's task and guards them (a restarted server resumes here). */
  private async watchTask(runId: string): Promise<void> {
    for (const member of await taskMembers(this.docker, runId)) if (member.started) void this.logs.follow(runId, member.ref, member.container);
    this.guard.start();
  }

  /**
   * A STOPPED change once all a reader of the finished run sees is in place: the run's log file
   * complete, every container's part of it (so a follower that sees the run end has seen all of
   * its output), and the main container's result file handed over (hooks.onResultFile) — the
   * terminal transition comes after both. Its stoppedReason (and a task's taskFailure, which
   * decides its outcome) notes a kill by the platform (writable layer bound) and a truncated log.
   * Other changes pass as they are.
   */
  async withLogs(change: TaskStateChange): Promise<TaskStateChange> {
    if (change.lastStatus !== 'STOPPED') return change;
    const members: TaskMember[] = change.containers
      ? await taskMembers(this.docker, change.runId)
      : [{ container: MAIN_CONTAINER, ref: change.taskRef, started: true }];
    const main = members.find((m) => m.container === MAIN_CONTAINER);
    // A container that never started has no output; its attach ends only when it is removed.
    await Promise.all([
      ...members.filter((m) => m.started).map((m) => this.logs.follow(change.runId, m.ref, m.container)),
      main?.started && this.results.handOver(change.runId, main.ref),
    ]);
    const notes = [this.killedFor.get(change.runId)];
    const truncated = (await this.logs.truncated(change.runId)) ? truncationMessage(this.logs.maxBytesPerRun) : undefined;
    const stoppedReason = [notes[0] ?? change.stoppedReason, truncated].filter(Boolean).join('; ');
    const taskFailure = change.taskFailure && [notes[0], change.taskFailure, truncated].filter(Boolean).join('; ');
    return { ...change, stoppedReason, ...(taskFailure && { taskFailure }) };
  }

  /**
   * Completes the run's log file, then removes the container — a task's: stops what still runs,
   * completes every container's logs, then removes them all. The result file was handed over
   * before the run ended (withLogs). Idempotent: once removed, the file stands; concurrent calls
   * for one run share one release.
   */
  release(ref: TaskRef, runId: string): Promise<void> {
    let releasing = this.releasing.get(ref);
    if (!releasing) {
      releasing = (async () => {
        const task = await this.groups.release(runId, async (members) => {
          await Promise.all(members.filter((m) => m.started).map((m) => this.logs.follow(runId, m.ref, m.container)));
        });
        if (!task && (await this.exists(ref))) {
          await this.logs.follow(runId, ref);
          await this.remove(ref);
        }
        // A container removed while running ends its follow; wait for it to close the file.
        await this.logs.settled(runId);
        this.forget(runId);
      })().finally(() => this.releasing.delete(ref));
      this.releasing.set(ref, releasing);
    }
    return releasing;
  }

  /** Whether the container is still there (`GET /containers/{id}/json`). */
  private async exists(ref: TaskRef): Promise<boolean> {
    try {
      await this.docker.getContainer(ref).inspect();
      return true;
    } catch (err) {
      if (dockerStatusCode(err) === 404) return false;
      throw err;
    }
  }

  /** Drops what this process kept about a released run. */
  private forget(runId: string): void {
    this.killedFor.delete(runId);
    this.loneRuns.delete(runId);
    this.results.forget(runId);
  }

  /** Stops the writable layer checks and the tasks' polling (the log follows end with their containers). */
  close(): Promise<void> {
    this.groups.close();
    return this.guard.close();
  }

  /** Force-removes the container with its anonymous volumes (run-volumes.ts). Gone or already being removed is fine. */
  async remove(ref: TaskRef): Promise<void> {
    await ignoringStatus([404, 409], () => this.docker.getContainer(ref).remove({ force: true, v: true }));
  }
}

/** Every image a run or app of it uses: the main container's, then its sidecars'. */
function imagesOf(spec: Pick<LaunchableApp, 'image' | 'sidecars'>): Set<string> {
  return new Set([spec.image, ...(spec.sidecars ?? []).map((s) => s.image)]);
}
