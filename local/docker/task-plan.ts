/**
 * The pure rules by which dev mode runs a task of several containers as Fargate does (no I/O):
 * which containers may start now (their `dependsOn` conditions met), when the task stops (the
 * main container exited, an essential container exited, a dependency can never meet its
 * condition), and the task's state as ECS would report it. Conditions as ECS defines them
 * (AWS docs, "ContainerDependency"); TaskGroups (task-group.ts) inspects and acts.
 */
import { MAIN_CONTAINER, type ContainerDependency, type ContainerState } from '../../shared/domain.js';

/** One container of a task as Docker shows it (`GET /containers/{id}/json`), with its place in the task. */
export interface Member {
  name: string;
  id: string;
  essential: boolean;
  dependsOn: ContainerDependency[];
  hasHealthCheck: boolean;
  /** created: never started; running (also paused, restarting); exited (also dead, removing). */
  status: 'created' | 'running' | 'exited';
  /** Set once it exited after running. */
  exitCode?: number;
  /** Docker's State.Health.Status (starting, healthy or unhealthy); once exited, the last probe's verdict. */
  health?: string;
  /** RFC 3339; unset when it never ran. */
  startedAt?: string;
  finishedAt?: string;
  oomKilled?: boolean;
  /** Docker's State.Error: why it could not start. */
  error?: string;
  /** Owns the task's network namespace: it starts before any other. */
  holder?: boolean;
}

/** What to do with a task now, and its state as a task state change reports it. */
export interface TaskPlan {
  /** Containers whose conditions are met: start them. */
  start: string[];
  /** Running containers of a stopping task: stop them. */
  stop: string[];
  /** ECS's task lifecycle: PROVISIONING until the main container runs, DEACTIVATING while stopping, STOPPED once nothing runs. */
  lastStatus: 'PROVISIONING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPED';
  /** Why the task failed other than by the main container's exit. */
  taskFailure?: string;
  /** Each container's state, the main one first. */
  containers: ContainerState[];
}

/** Whether `target` meets `condition` now (ECS ContainerDependency): START once started, COMPLETE once exited, SUCCESS once exited with 0, HEALTHY once healthy. */
export function conditionMet(condition: ContainerDependency['condition'], target: Member): boolean {
  switch (condition) {
    case 'START':
      return target.status !== 'created';
    case 'COMPLETE':
      return target.status === 'exited' && target.exitCode !== undefined;
    case 'SUCCESS':
      return target.status === 'exited' && target.exitCode === 0;
    case 'HEALTHY':
      return target.status === 'running' && target.health === 'healthy';
  }
}

/** Why `target` can never meet `condition`, or undefined while it still may. */
export function conditionFailed(condition: ContainerDependency['condition'], target: Member): string | undefined {
  if (target.error) return `it could not start: ${target.error}`;
  if (condition === 'SUCCESS' && target.status === 'exited' && target.exitCode !== 0) return `it exited with code ${target.exitCode ?? 'unknown'}`;
  if (condition === 'HEALTHY') {
    if (target.health === 'unhealthy') return 'its health check failed';
    if (target.status === 'exited') return `it exited with code ${target.exitCode ?? 'unknown'}`;
  }
  return undefined;
}

/** The first reason the task fails, in container order: a dependency that can never be met, or an essential container that exited before the main one. */
function failureOf(members: readonly Member[], byName: ReadonlyMap<string, Member>, main: Member | undefined): string | undefined {
  for (const member of members) {
    if (member.status !== 'created' || member.error) continue;
    for (const { containerName, condition } of member.dependsOn) {
      const target = byName.get(containerName);
      const why = target ? conditionFailed(condition, target) : 'it does not exist';
      if (why) return `container "${member.name}" cannot start: dependency "${containerName}" will never be ${condition} (${why})`;
    }
  }
  for (const member of members) {
    if (!member.essential || member === main) continue;
    if (member.error) return `Essential container in task exited: "${member.name}" could not start: ${member.error}`;
    const endedFirst = main?.status !== 'exited' || (member.finishedAt !== undefined && main.finishedAt !== undefined && member.finishedAt < main.finishedAt);
    if (member.status === 'exited' && endedFirst)
      return `Essential container in task exited: "${member.name}" exited with code ${member.exitCode ?? 'unknown'}`;
  }
  if (main?.error) return `container "${MAIN_CONTAINER}" could not start: ${main.error}`;
  return undefined;
}

/** The plan for a task whose containers are `members` (in task order, the main one first). */
export function planTask(members: readonly Member[]): TaskPlan {
  const byName = new Map(members.map((m) => [m.name, m]));
  const main = byName.get(MAIN_CONTAINER);
  const taskFailure = failureOf(members, byName, main);
  // No main container yet: its creation is under way (the holder of the network is created first).
  const stopping = taskFailure !== undefined || main?.status === 'exited';
  const running = members.filter((m) => m.status === 'running').map((m) => m.name);
  const ready = members.filter(
    (m) =>
      m.status === 'created' && !m.error && m.dependsOn.every((d) => byName.has(d.containerName) && conditionMet(d.condition, byName.get(d.containerName)!)),
  );
  return {
    start: stopping ? [] : [...ready].sort((a, b) => Number(b.holder ?? false) - Number(a.holder ?? false)).map((m) => m.name),
    stop: stopping ? running : [],
    lastStatus: stopping ? (running.length > 0 ? 'DEACTIVATING' : 'STOPPED') : main?.status === 'running' ? 'RUNNING' : 'PROVISIONING',
    ...(taskFailure && { taskFailure }),
    containers: members.map(containerState),
  };
}

const LAST_STATUS = { created: 'PENDING', running: 'RUNNING', exited: 'STOPPED' } as const;
const HEALTH = { healthy: 'HEALTHY', unhealthy: 'UNHEALTHY' } as const;

function containerState(member: Member): ContainerState {
  const reason = member.oomKilled ? 'OutOfMemoryError: container killed for exceeding its memory limit' : member.error;
  return {
    name: member.name,
    lastStatus: LAST_STATUS[member.status],
    ...(member.status === 'exited' && member.exitCode !== undefined && { exitCode: member.exitCode }),
    ...(member.hasHealthCheck && { healthStatus: HEALTH[member.health as keyof typeof HEALTH] ?? 'UNKNOWN' }),
    ...(reason && { reason }),
  };
}
