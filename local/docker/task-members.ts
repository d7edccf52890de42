/**
 * A dev-mode task's containers as Docker shows them. Everything a decision about the task needs
 * is on its containers (labels, state, health), so a restarted server reads a task from here and
 * picks it up where it was: the containers of a run in task order, and each one as task-plan.ts
 * sees it (a Member).
 */
import type Docker from 'dockerode';
import { MAIN_CONTAINER, type ContainerDependency } from '../../shared/domain.js';
import type { TaskRef } from '../../shared/ports.js';
import { LABELS, dockerStatusCode } from './docker-events.js';
import type { Member } from './task-plan.js';

/** Labels a task's containers carry besides LABELS: their name in the task, and their place in it (TaskLabel as JSON). */
export const TASK_LABELS = { container: 'containerizer.container', task: 'containerizer.task' } as const;

/** What a container's `TASK_LABELS.task` label holds: its position in the task and what task-plan needs of its definition. */
export interface TaskLabel {
  index: number;
  holder: boolean;
  essential: boolean;
  dependsOn: ContainerDependency[];
  hasHealthCheck: boolean;
}

/** Docker's zero time: StartedAt/FinishedAt of a container that never ran. */
const NEVER = '0001-01-01T00:00:00Z';

/** One container of a run, for following its logs: its name in the task, its id, and whether it was ever started (Docker's State is not `created`). */
export interface TaskMember {
  container: string;
  ref: TaskRef;
  started: boolean;
}

/**
 * The containers of a run, the main one first: a lone container (a run without sidecars) is
 * MAIN_CONTAINER. Empty once they are removed.
 */
export async function taskMembers(docker: Docker, runId: string): Promise<TaskMember[]> {
  return (await listTaskContainers(docker, runId)).map(memberOf);
}

/** A listed container as a TaskMember. */
export function memberOf(info: Docker.ContainerInfo): TaskMember {
  return { container: info.Labels[TASK_LABELS.container] ?? MAIN_CONTAINER, ref: info.Id, started: info.State !== 'created' };
}

/** The run's containers (any state), in task order (`GET /containers/json` by the run's label). */
export async function listTaskContainers(docker: Docker, runId: string): Promise<Docker.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true, filters: { label: [`${LABELS.runId}=${runId}`] } });
  const index = (info: Docker.ContainerInfo) => parseLabel(info.Labels[TASK_LABELS.task])?.index ?? 0;
  return all.sort((a, b) => index(a) - index(b));
}

/** True when the containers listed are a task's (they carry its label), not a lone container. */
export function isTask(all: readonly Docker.ContainerInfo[]): boolean {
  return all.some((info) => info.Labels[TASK_LABELS.task] !== undefined);
}

function parseLabel(value: string | undefined): TaskLabel | undefined {
  return value === undefined ? undefined : (JSON.parse(value) as TaskLabel);
}

/** Docker's State.Health (Docker Engine API, Health). */
interface HealthState {
  Status?: string;
  Log?: { ExitCode?: number }[];
}

/**
 * A container's health: Docker's own while it runs; once it exited (Docker then says
 * "unhealthy" whatever the checks said), the verdict of its last probe, if any ran.
 */
function healthOf(state: { Health?: HealthState }, exited: boolean): string | undefined {
  const health = state.Health;
  if (!health || !exited) return health?.Status;
  const last = health.Log?.at(-1);
  return last === undefined ? undefined : last.ExitCode === 0 ? 'healthy' : 'unhealthy';
}

/** A task's container as task-plan sees it (`GET /containers/{id}/json`); undefined when it is gone or not a task's. */
export async function inspectMember(docker: Docker, ref: TaskRef): Promise<Member | undefined> {
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(ref).inspect();
  } catch (err) {
    if (dockerStatusCode(err) === 404) return undefined;
    throw err;
  }
  const label = parseLabel(info.Config.Labels?.[TASK_LABELS.task]);
  if (!label) return undefined;
  const { State: state } = info;
  const ran = state.StartedAt !== NEVER && state.StartedAt !== '';
  const status = state.Running || state.Paused || state.Restarting ? 'running' : state.Status === 'created' ? 'created' : 'exited';
  const health = healthOf(state as { Health?: HealthState }, status === 'exited');
  return {
    name: info.Config.Labels[TASK_LABELS.container]!,
    id: info.Id,
    essential: label.essential,
    dependsOn: label.dependsOn,
    hasHealthCheck: label.hasHealthCheck,
    holder: label.holder,
    status,
    ...(status === 'exited' && ran && { exitCode: state.ExitCode, finishedAt: state.FinishedAt }),
    ...(ran && { startedAt: state.StartedAt }),
    ...(health && { health }),
    ...(state.OOMKilled && { oomKilled: true }),
    ...(state.Error && { error: state.Error }),
  };
}

/** The run a task's container belongs to, or undefined for a lone container (or one that is gone). */
export async function taskRunOf(docker: Docker, ref: TaskRef): Promise<string | undefined> {
  try {
    const labels = (await docker.getContainer(ref).inspect()).Config.Labels ?? {};
    return labels[TASK_LABELS.task] ? labels[LABELS.runId] : undefined;
  } catch (err) {
    if (dockerStatusCode(err) === 404) return undefined;
    throw err;
  }
}
