/**
 * Dev mode's runs of several containers, run as Fargate runs one task: every container of the
 * run shares one network namespace — the first to start (the "holder") gets the run's network,
 * the others join it with NetworkMode `container:<holder>` as containers of an awsvpc task share
 * its ENI — so they reach each other on localhost and publish nothing to the host. Each gets the
 * platform's limits, a Docker health check from its ECS-style healthCheck, and starts once its
 * `dependsOn` conditions hold (task-plan.ts decides, task-members.ts reads the containers,
 * task-options.ts sets them up; this file acts).
 *
 * Everything a decision needs is on the containers themselves (labels, state, health), so a
 * restarted server picks a task up where it was: `describe` (the sweep) and `follow` (Docker's
 * events) both re-plan from Docker's view. Health changes have no event in the stream the
 * platform watches, so while a task waits on a condition it is polled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { MAIN_CONTAINER, type Run } from '../../shared/domain.js';
import { logger } from '../../shared/logger.js';
import type { TaskRef, TaskStateChange } from '../../shared/ports.js';
import { taskContainers } from '../../shared/rules/container-rules.js';
import { ESSENTIAL_CONTAINER_EXITED, dockerErrorMessage, dockerStatusCode, ignoringStatus } from './docker-events.js';
import { planTask, type Member, type TaskPlan } from './task-plan.js';
import { inspectMember, isTask, listTaskContainers, memberOf, taskRunOf, TASK_LABELS, type TaskMember } from './task-members.js';
import { holderOf, taskContainerOptions } from './task-options.js';
import { withRunVolumes } from './run-volumes.js';

/** How often (ms) a task waiting on a condition is inspected again. */
const POLL_MS = 500;
/** Starts of a container joining the holder's namespace before it is ready: attempts, and the wait (ms) growing by this much each time. */
const JOIN_ATTEMPTS = 5;
const JOIN_RETRY_MS = 100;
/** runc's refusal to join a network namespace whose process is not there yet. */
const NAMESPACE_NOT_READY = /namespace path: lstat \/proc\/\d+\/ns\//;
/** Grace (s) between SIGTERM and SIGKILL for the containers left once the task stops (Fargate's stopTimeout is 30 by default). */
const STOP_GRACE_SECONDS = 10;

/** What a TaskGroups reports to, and asks of, its runtime. */
export interface TaskGroupHooks {
  /** Receives each task state change (in the end the platform's RunService.applyTaskStateChange); a lone container's passes unchanged. */
  onChange(change: TaskStateChange): Promise<unknown>;
  /** Called just before a container of a task is started (dev mode attaches to its output here, so no line is lost). Must not throw. */
  beforeStart?(runId: string, member: TaskMember): Promise<void>;
}

/** Runs and follows dev mode's tasks of several containers, reporting to `hooks`. */
export class TaskGroups {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly polling = new Set<string>();
  private readonly stopping = new Set<string>();
  private readonly signalled = new Set<string>();
  private readonly recorded = new Map<string, string>();
  private readonly closed = new AbortController();

  constructor(
    private readonly docker: Docker,
    private readonly hooks: TaskGroupHooks,
  ) {}

  /**
   * Creates every container of the run from `base` (the main container's create options: limits,
   * labels, the run's network), the holder first and the others in its network namespace, starts
   * those whose conditions hold, and returns the main container's id. `check` may refuse the
   * created main container (by id) before anything starts. Idempotent on the run (names are
   * unique). Throws an Error naming the container that could not be created, or `check`'s; none
   * is left behind.
   */
  async start(run: Run, base: Docker.ContainerCreateOptions, check?: (mainRef: TaskRef) => Promise<void>): Promise<TaskRef> {
    const containers = taskContainers(run);
    const holder = holderOf(containers);
    const ids = new Map<string, string>();
    try {
      // Each container's own image decides its volumes (run-volumes.ts).
      const create = async (options: Docker.ContainerCreateOptions) => this.createOrFind(await withRunVolumes(this.docker, options));
      ids.set(holder.name, await create(taskContainerOptions(run, base, holder, containers.indexOf(holder))));
      for (const [index, container] of containers.entries()) {
        if (container !== holder) ids.set(container.name, await create(taskContainerOptions(run, base, container, index, ids.get(holder.name))));
      }
      await check?.(ids.get(MAIN_CONTAINER)!);
    } catch (err) {
      await Promise.all([...ids.values()].map((id) => this.remove(id)));
      throw err;
    }
    await this.evaluate(run.runId, new Date(), { apply: false });
    return ids.get(MAIN_CONTAINER)!;
  }

  /**
   * Handles one of Docker's container changes (docker-events.ts): a lone container's goes to
   * `onChange` as it is; a task member's is turned into the task's own (the main container's
   * ref, ECS's task lifecycle, every container's state) after acting on it: starting what may
   * start, stopping the task's containers once it stops. One run's changes are handled in order.
   */
  follow(change: TaskStateChange): Promise<void> {
    return this.serialized(change.runId, async () => {
      const members = await this.members(change.runId);
      if (members.length === 0) return void (await this.hooks.onChange(change));
      await this.act(change.runId, members, change.at);
    });
  }

  /**
   * The task's state now, after acting on it as `follow` does (a restarted server resumes its
   * tasks here); null when its containers are gone, undefined when the run is not a task of
   * several containers.
   */
  async describe(runId: string): Promise<TaskStateChange | null | undefined> {
    const all = await listTaskContainers(this.docker, runId);
    if (all.length === 0) return null;
    if (!isTask(all)) return undefined;
    return this.serialized(runId, async () => {
      const members = await this.members(runId);
      return members.length === 0 ? null : this.act(runId, members, undefined, { apply: false });
    });
  }

  /**
   * Stops every running container of the task `ref` belongs to: SIGTERM, SIGKILL after `graceSeconds`
   * (s), or SIGKILL now with `kill`; no container starts after. Returns false, doing nothing, when
   * `ref` is a lone container.
   */
  async stop(ref: TaskRef, options: { graceSeconds: number; kill?: boolean }): Promise<boolean> {
    const runId = await taskRunOf(this.docker, ref);
    if (runId === undefined) return false;
    this.stopping.add(runId);
    const members = await this.members(runId);
    await Promise.all(
      members
        .filter((m) => m.status === 'running')
        .map((m) =>
          ignoringStatus([304, 404, 409], () =>
            options.kill ? this.docker.getContainer(m.id).kill({ signal: 'SIGKILL' }) : this.docker.getContainer(m.id).stop({ t: options.graceSeconds }),
          ),
        ),
    );
    return true;
  }

  /**
   * Stops what still runs of the run's task, hands its containers to `save` (to complete their logs, read the result file), then
   * removes them all. Returns false, doing nothing, when the run is not a task of several containers.
   */
  async release(runId: string, save: (members: TaskMember[]) => Promise<void>): Promise<boolean> {
    const listing = await listTaskContainers(this.docker, runId);
    if (!isTask(listing)) return false;
    const all = listing.map(memberOf);
    await Promise.all(all.map((m) => ignoringStatus([304, 404, 409], () => this.docker.getContainer(m.ref).stop({ t: STOP_GRACE_SECONDS }))));
    await save(all);
    await Promise.all(all.map((m) => this.remove(m.ref)));
    for (const m of all) this.signalled.delete(m.ref);
    this.forget(runId);
    return true;
  }

  /** Ends the polling; what is under way finishes. */
  close(): void {
    this.closed.abort();
  }

  /** Plans the task, records its state with `onChange` (unless told not to), acts on the plan, and polls while it waits on a condition. */
  private async act(runId: string, members: Member[], at?: Date, options: { apply?: boolean } = {}): Promise<TaskStateChange> {
    const plan = planTask(members);
    const change = this.changeOf(runId, members, plan, at);
    if (options.apply !== false) await this.record(change);
    const startable = this.stopping.has(runId) ? [] : plan.start;
    for (const name of startable)
      await this.startMember(
        runId,
        members.find((m) => m.name === name)!,
      );
    for (const name of plan.stop) this.signal(members.find((m) => m.name === name)!);
    if (plan.lastStatus === 'PROVISIONING' || (plan.lastStatus === 'RUNNING' && members.some((m) => m.status === 'created'))) this.poll(runId);
    return change;
  }

  /** Re-plans the run now; with apply, its state goes to onChange. */
  private evaluate(runId: string, at: Date, options: { apply: boolean }): Promise<void> {
    return this.serialized(runId, async () => {
      const members = await this.members(runId);
      if (members.length > 0) await this.act(runId, members, at, options);
    });
  }

  /** Sends a change on unless it says nothing new (polling would otherwise write the same containers every POLL_MS). */
  private async record(change: TaskStateChange): Promise<void> {
    const key = JSON.stringify([change.lastStatus, change.containers, change.taskFailure]);
    if (this.recorded.get(change.runId) === key) return;
    await this.hooks.onChange(change);
    this.recorded.set(change.runId, key);
  }

  /** Inspects the task while it waits on a condition (health has no event here); one poller per run. */
  private poll(runId: string): void {
    if (this.polling.has(runId) || this.closed.signal.aborted) return;
    this.polling.add(runId);
    void (async () => {
      try {
        await sleep(POLL_MS, undefined, { signal: this.closed.signal });
        this.polling.delete(runId);
        await this.evaluate(runId, new Date(), { apply: true });
      } catch (err) {
        this.polling.delete(runId);
        if (!this.closed.signal.aborted) logger.error('task group: polling failed', { runId, error: err as Error });
      }
    })();
  }

  private async startMember(runId: string, member: Member): Promise<void> {
    await this.hooks.beforeStart?.(runId, { container: member.name, ref: member.id, started: false });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.docker.getContainer(member.id).start();
        return;
      } catch (err) {
        // 304: started already.
        if (dockerStatusCode(err) === 304) return;
        // A joiner started while the holder's process is still being set up finds no namespace to
        // join yet (runc: "namespace path: lstat /proc/<pid>/ns/net"): that passes in a moment.
        if (attempt < JOIN_ATTEMPTS && NAMESPACE_NOT_READY.test(dockerErrorMessage(err))) {
          await sleep(JOIN_RETRY_MS * attempt);
          continue;
        }
        // Anything else shows as the container's State.Error, which fails the task.
        logger.warn('task group: a container could not start', { runId, container: member.name, error: dockerErrorMessage(err) });
        return;
      }
    }
  }

  /** Stops a container of a stopping task once (SIGTERM, SIGKILL after STOP_GRACE_SECONDS), without waiting for it. */
  private signal(member: Member): void {
    if (this.signalled.has(member.id)) return;
    this.signalled.add(member.id);
    ignoringStatus([304, 404, 409], () => this.docker.getContainer(member.id).stop({ t: STOP_GRACE_SECONDS })).catch((err) =>
      logger.error('task group: could not stop a container', { container: member.name, error: err as Error }),
    );
  }

  /** The task state change of a plan: the main container's ref, exit code and start; every container's state. */
  private changeOf(runId: string, members: readonly Member[], plan: TaskPlan, at?: Date): TaskStateChange {
    const main = members.find((m) => m.name === MAIN_CONTAINER);
    const stopped = plan.lastStatus === 'STOPPED';
    const latest = members
      .map((m) => m.finishedAt ?? '')
      .sort()
      .at(-1);
    return {
      runId,
      taskRef: main?.id ?? members[0]!.id,
      lastStatus: plan.lastStatus,
      at: at ?? (stopped && latest ? new Date(latest) : new Date()),
      containers: plan.containers,
      ...(plan.taskFailure && { taskFailure: plan.taskFailure }),
      ...(stopped && main?.exitCode !== undefined && { exitCode: main.exitCode }),
      ...(stopped && { oomKilled: main?.oomKilled ?? false, stoppedReason: plan.containers[0]?.reason ?? ESSENTIAL_CONTAINER_EXITED }),
      ...(main?.startedAt && { startedAt: new Date(main.startedAt) }),
    };
  }

  /** The run's containers as task-plan sees them, in task order; empty for a lone container or when they are gone. */
  private async members(runId: string): Promise<Member[]> {
    const all = await listTaskContainers(this.docker, runId);
    if (!isTask(all)) return [];
    const members = await Promise.all(all.map((info) => inspectMember(this.docker, info.Id)));
    return members.filter((m): m is Member => m !== undefined);
  }

  /** Creates the container, or finds the one an earlier start of the run created (same name). */
  private async createOrFind(options: Docker.ContainerCreateOptions): Promise<string> {
    try {
      return (await this.docker.createContainer(options)).id;
    } catch (err) {
      if (dockerStatusCode(err) === 409) return (await this.docker.getContainer(options.name!).inspect()).Id;
      const what = options.Labels?.[TASK_LABELS.container] ?? options.name;
      throw new Error(`cannot create container "${what}": ${dockerErrorMessage(err)}`, { cause: err });
    }
  }

  /** Force-removes the container with its anonymous volumes (run-volumes.ts). */
  private async remove(ref: TaskRef): Promise<void> {
    await ignoringStatus([404, 409], () => this.docker.getContainer(ref).remove({ force: true, v: true }));
  }

  private forget(runId: string): void {
    this.stopping.delete(runId);
    this.recorded.delete(runId);
  }

  /** Runs `work` after the run's earlier work; one run's changes are handled one at a time, in order. */
  private serialized<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.chains.set(runId, next);
    void next
      .catch(() => undefined)
      .then(() => {
        if (this.chains.get(runId) === next) this.chains.delete(runId);
      });
    return next;
  }
}
