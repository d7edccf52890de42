/**
 * The pure rules of a task's several containers (no I/O): what makes a set of containers one
 * valid Fargate task — known, unique names, no cycles in `dependsOn`, HEALTHY only on a container
 * with a health check, COMPLETE/SUCCESS only on a non-essential one, at most
 * MAX_CONTAINERS_PER_TASK containers, sidecar sizes inside the task's — and the task's
 * containers in one list. Rules from AWS docs, "ContainerDefinition" and "ContainerDependency".
 */
import { MAIN_CONTAINER, MAX_CONTAINERS_PER_TASK, type ContainerDependency, type HealthCheck, type TaskSpec } from '../domain.js';
import { badRequest, type FieldError } from '../errors.js';
import { specSizeErrors } from '../item-limits.js';

/** The fields of a task spec that describe its containers; cpu in vCPU, memoryMiB in MiB; the main container's env, command and script arguments count toward the item's totals. */
export type ContainersSpec = Pick<TaskSpec, 'cpu' | 'memoryMiB' | 'sidecars' | 'dependsOn' | 'healthCheck'> &
  Partial<Pick<TaskSpec, 'env' | 'command'>> & { script?: { args?: string[] } };

/** One container of a task, the main one included, with where its fields sit in a request (`path`). */
export interface TaskContainer {
  name: string;
  essential: boolean;
  healthCheck?: HealthCheck;
  dependsOn: ContainerDependency[];
  /** The field path of this container in an app body: '' for the main one, `sidecars.<i>.` for a sidecar. */
  path: string;
}

/** The task's containers, the main one (MAIN_CONTAINER, always essential) first, then the sidecars in order. */
export function taskContainers(spec: Pick<TaskSpec, 'sidecars' | 'dependsOn' | 'healthCheck'>): TaskContainer[] {
  return [
    { name: MAIN_CONTAINER, essential: true, healthCheck: spec.healthCheck, dependsOn: spec.dependsOn ?? [], path: '' },
    ...(spec.sidecars ?? []).map((s, i) => ({
      name: s.name,
      essential: s.essential,
      healthCheck: s.healthCheck,
      dependsOn: s.dependsOn ?? [],
      path: `sidecars.${i}.`,
    })),
  ];
}

/** Everything wrong with the spec's containers, each naming its field (dotted path, as the API's other field errors). Empty when valid. */
export function containerErrors(spec: ContainersSpec): FieldError[] {
  const containers = taskContainers(spec);
  const errors: FieldError[] = [];
  if (containers.length > MAX_CONTAINERS_PER_TASK) {
    errors.push({
      field: 'sidecars',
      message: `a Fargate task holds at most ${MAX_CONTAINERS_PER_TASK} containers: the main one and ${MAX_CONTAINERS_PER_TASK - 1} sidecars`,
    });
  }
  const byName = new Map<string, TaskContainer>();
  for (const container of containers) {
    if (byName.has(container.name)) {
      const taken = container.name === MAIN_CONTAINER ? `"${MAIN_CONTAINER}" is the main container's name` : `another container is named "${container.name}"`;
      errors.push({ field: `${container.path}name`, message: taken });
    } else byName.set(container.name, container);
  }
  for (const container of containers) {
    container.dependsOn.forEach((dependency, j) => {
      const field = `${container.path}dependsOn.${j}`;
      const target = byName.get(dependency.containerName);
      if (!target) errors.push({ field: `${field}.containerName`, message: `no container is named "${dependency.containerName}"` });
      else if (target === container) errors.push({ field: `${field}.containerName`, message: 'a container cannot depend on itself' });
      else if (dependency.condition === 'HEALTHY' && !target.healthCheck)
        errors.push({ field: `${field}.condition`, message: `HEALTHY needs a healthCheck on "${target.name}"` });
      else if ((dependency.condition === 'COMPLETE' || dependency.condition === 'SUCCESS') && target.essential)
        errors.push({
          field: `${field}.condition`,
          message: `${dependency.condition} cannot be set on an essential container ("${target.name}"); make it essential: false`,
        });
    });
  }
  const cycle = dependencyCycle(containers);
  if (cycle) errors.push({ field: `${byName.get(cycle[0]!)!.path}dependsOn`, message: `dependsOn makes a cycle: ${cycle.join(' → ')}` });
  // Every container's env, commands and health checks together within the item's shares (item-limits.ts), so it fits DynamoDB's 400 KB.
  errors.push(...sizeErrors(spec), ...specSizeErrors(spec));
  return errors;
}

/** @throws ClientError 400 listing containerErrors when there are any. */
export function checkContainers(spec: ContainersSpec): void {
  const errors = containerErrors(spec);
  if (errors.length > 0) throw badRequest(`the app's containers do not make a valid task: ${errors[0]!.message}`, errors);
}

/** The first cycle (of two or more containers) in the containers' dependsOn graph, as names from a container back to itself; undefined when there is none. */
export function dependencyCycle(containers: readonly Pick<TaskContainer, 'name' | 'dependsOn'>[]): string[] | undefined {
  // A container naming itself is its own error (see containerErrors), not a cycle.
  const edges = new Map(containers.map((c) => [c.name, c.dependsOn.map((d) => d.containerName).filter((n) => n !== c.name)]));
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    const at = trail.indexOf(name);
    if (at >= 0) return [...trail.slice(at), name];
    if (done.has(name) || !edges.has(name)) return undefined;
    for (const next of edges.get(name)!) {
      const cycle = visit(next, [...trail, name]);
      if (cycle) return cycle;
    }
    done.add(name);
    return undefined;
  };
  for (const { name } of containers) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Sidecars reserve cpu (vCPU) and memory (MiB) out of the task's; the main container gets the
 * rest, so together they must stay below the task's size (ECS: the containers' sum may not
 * exceed the task's; here the main container must keep some).
 */
function sizeErrors(spec: ContainersSpec): FieldError[] {
  const errors: FieldError[] = [];
  const sidecars = spec.sidecars ?? [];
  for (const [key, total, unit] of [
    ['cpu', spec.cpu, 'vCPU'],
    ['memoryMiB', spec.memoryMiB, 'MiB'],
  ] as const) {
    let sum = 0;
    const over = sidecars.findIndex((s) => (sum += s[key] ?? 0) >= total);
    if (over >= 0)
      errors.push({ field: `sidecars.${over}.${key}`, message: `the sidecars reserve ${sum} ${unit} of the task's ${total}: the main container needs some` });
  }
  return errors;
}
