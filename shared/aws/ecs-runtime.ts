/**
 * ContainerRuntime on ECS Fargate: one task-definition revision per app version, one
 * RunTask per run, the run id carried by the task as `startedBy` and a tag.
 */
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ServerException,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Failure,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import { RUN_TASK_OVERRIDES_MAX_CHARS } from '../cloud-limits.js';
import { chunks, forEachLimited } from '../concurrency.js';
import { DROPPED_CAPABILITIES, type App, type Run } from '../domain.js';
import { badRequest } from '../errors.js';
import {
  LaunchDeferredError,
  type ContainerRuntime,
  type LaunchableApp,
  type RunLaunch,
  type TaskOfRun,
  type TaskRef,
  type TaskStateChange,
} from '../ports.js';
import { launchCommand } from '../services/script-rules.js';
import { mainContainerExtras, sidecarDefinitions } from './ecs-containers.js';
import { APP_CONTAINER, taskStateChange } from './ecs-events.js';
import { AwsOperationError } from './errors.js';

/** Where and how EcsRuntime launches tasks. */
export interface EcsRuntimeConfig {
  clusterArn: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** ENABLED for public subnets without a NAT gateway (the task must reach the image registry). */
  assignPublicIp: boolean;
  /** Lets the ECS agent pull the image and write to CloudWatch Logs. */
  executionRoleArn: string;
  /** The role the job's own code runs as; none when omitted. */
  taskRoleArn?: string;
  /** The awslogs driver's log group; CloudWatchLogSource reads the same one. */
  logGroupName: string;
  /** awslogs-stream-prefix; streams are named `${prefix}/app/${taskId}`. Default 'run'. */
  logStreamPrefix?: string;
  /** Prepended to the app name to form the task-definition family. Default 'containerizer-'. */
  familyPrefix?: string;
  /**
   * Seconds between SIGTERM and SIGKILL when a task is stopped (the container's
   * stopTimeout; Fargate allows up to 120, and uses 30 when unset).
   */
  stopTimeoutSeconds?: number;
}

/** Tag keys the platform puts on tasks (runId, appId) and task definitions (appId, appVersion, layout). */
export const TAGS = {
  runId: 'containerizer:runId',
  appId: 'containerizer:appId',
  appVersion: 'containerizer:appVersion',
  layout: 'containerizer:layout',
} as const;

/**
 * What a task definition holds, as a tag: '2' = the version's command AND env (earlier revisions
 * had no env, which came with every RunTask), so a revision registered by older code is never reused.
 */
const TASK_DEFINITION_LAYOUT = '2';

/** ECS task-definition family rule: up to 255 letters, numbers, hyphens and underscores. */
const FAMILY_MAX = 255;

/** DescribeTasks takes at most 100 task ids per call (AWS API reference, DescribeTasks `tasks`). */
export const DESCRIBE_TASKS_MAX_IDS = 100;
/** DescribeTasks calls in flight at once in describeAll, well under ECS's DescribeTasks rate (AWS docs, "ECS API request throttling"). */
const DESCRIBE_CONCURRENCY = 4;

/**
 * RunTask `failures[].reason`s that say "not now" rather than "never" (AWS docs, "Amazon ECS API
 * failure reasons"): no Fargate capacity, a resource of the launch (ENI, CPU, memory) short,
 * the agent busy. Anything else (a bad image, role or parameter) fails the run.
 */
const RETRIABLE_FAILURE = /capacity is unavailable|^RESOURCE:|^AGENT$|timeout waiting for network interface/i;

/**
 * ECS Fargate adapter. Errors from the ECS API propagate (the SDK client's own retry handles
 * throttling first); a launch that may work later becomes a LaunchDeferredError, other RunTask
 * failures thrown errors with ECS's reason.
 */
export class EcsRuntime implements ContainerRuntime {
  private readonly ecs: ECSClient;
  private readonly config: EcsRuntimeConfig;
  /**
   * taskDefinitionArn per `${appId}#${version}`. Holds the promise so that concurrent
   * starts of a new version register one revision; a failed registration is forgotten.
   */
  private readonly taskDefinitions = new Map<string, Promise<string>>();

  constructor({ ecs, config }: { ecs: ECSClient; config: EcsRuntimeConfig }) {
    this.ecs = ecs;
    this.config = config;
  }

  /**
   * Makes sure a Fargate task-definition revision exists for the app's version (RunTask
   * cannot override the image, so every version needs its own revision). The family's latest
   * revision is reused when its tags name this app version, so a Lambda cold start does not
   * register a duplicate; the result is memoized per process.
   */
  async prepare(app: LaunchableApp): Promise<void> {
    await this.taskDefinitionArn(app);
  }

  /**
   * Refuses a run whose own overrides (RunCreate's command and env) exceed RunTask's 8,192
   * characters of overrides JSON; the app version's command and env are in its task definition
   * and do not count.
   * @throws ClientError 400 naming `env` and `command`, with the size and the limit.
   */
  checkLaunch({ run, app }: RunLaunch): void {
    // The job's variables (run id, result URL, run token) join the overrides at launch: JOB_ENV_RESERVE_CHARS holds them.
    const size = JSON.stringify(runTaskOverrides(run, app) ?? {}).length + JOB_ENV_RESERVE_CHARS;
    if (size <= RUN_TASK_OVERRIDES_MAX_CHARS) return;
    const message = `the run's own command and env take ${size} characters as RunTask overrides; ECS accepts at most ${RUN_TASK_OVERRIDES_MAX_CHARS}`;
    throw badRequest(`${message} (AWS API reference, RunTask overrides): put large values in the app itself, whose task definition holds them`, [
      { field: 'env', message },
      { field: 'command', message },
    ]);
  }

  /**
   * RunTask for the run, with `clientToken` = `startedBy` = run id, so a retried call
   * launches one task. The task definition holds the app version's command and env; only the
   * run's own differences and the job's variables (run id, result URL, run token) are sent as
   * overrides (see checkLaunch); a script is in the task definition.
   * @throws LaunchDeferredError when ECS throttles (after the SDK's retries), fails on its side,
   *   or reports a capacity failure: a later attempt with the same clientToken may start the task.
   * @throws AwsOperationError with ECS's failure reasons when no task was started for good; the SDK's errors otherwise.
   */
  async start({ run, app, jobEnv }: RunLaunch): Promise<TaskRef> {
    const taskDefinition = await this.taskDefinitionArn(app);
    const overrides = runTaskOverrides(run, app, jobEnv);
    let out;
    try {
      out = await this.ecs.send(
        new RunTaskCommand({
          cluster: this.config.clusterArn,
          taskDefinition,
          launchType: 'FARGATE',
          count: 1,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: this.config.subnetIds,
              securityGroups: this.config.securityGroupIds,
              assignPublicIp: this.config.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          ...(overrides && { overrides }),
          startedBy: run.runId,
          tags: [
            { key: TAGS.runId, value: run.runId },
            { key: TAGS.appId, value: run.appId },
          ],
          clientToken: run.runId,
        }),
      );
    } catch (err) {
      if (isTransient(err)) throw new LaunchDeferredError(`RunTask: ${(err as Error).message}`, { cause: err });
      throw err;
    }
    const taskArn = out.tasks?.[0]?.taskArn;
    if (taskArn) return taskArn;
    const reasons = describeFailures(out.failures) || 'RunTask returned no task';
    if (out.failures?.length && out.failures.every((f) => RETRIABLE_FAILURE.test(f.reason ?? ''))) {
      throw new LaunchDeferredError(`ECS could not start the task yet: ${reasons}`);
    }
    throw new AwsOperationError('RunTask', `ECS could not start the task: ${reasons}`);
  }

  /**
   * StopTask. ECS sends SIGTERM and SIGKILLs after the container's stopTimeout, fixed in the
   * task definition (config.stopTimeoutSeconds): `graceSeconds` cannot be changed per call.
   */
  async stop(ref: TaskRef, _graceSeconds: number, reason: string): Promise<void> {
    await this.stopTask(ref, reason);
  }

  /** StopTask as well: ECS has no "SIGKILL now" API, so the stopTimeout grace still applies. */
  async kill(ref: TaskRef, reason: string): Promise<void> {
    await this.stopTask(ref, reason);
  }

  /**
   * DescribeTasks, mapped like an "ECS Task State Change" event. Null when ECS no longer
   * knows the task (failure reason MISSING; ECS forgets stopped tasks after about an hour).
   */
  async describe(ref: TaskRef, runId: string): Promise<TaskStateChange | null> {
    const out = await this.ecs.send(new DescribeTasksCommand({ cluster: this.config.clusterArn, tasks: [ref] }));
    const task = out.tasks?.[0];
    if (task) return taskStateChange(runId, task.taskArn ?? ref, task, new Date());
    const failures = (out.failures ?? []).filter((f) => f.reason !== 'MISSING');
    if (failures.length > 0) throw new AwsOperationError('DescribeTasks', `DescribeTasks failed: ${describeFailures(failures)}`);
    return null;
  }

  /**
   * DescribeTasks for many tasks: batches of DESCRIBE_TASKS_MAX_IDS ids, DESCRIBE_CONCURRENCY
   * calls at a time. A task ECS reports MISSING maps to null; one with another failure is left
   * out of the map (logged by the caller's next pass, which asks again).
   * @throws the SDK's error when a batch fails as a whole.
   */
  async describeAll(tasks: readonly TaskOfRun[]): Promise<Map<TaskRef, TaskStateChange | null>> {
    const states = new Map<TaskRef, TaskStateChange | null>();
    await forEachLimited(chunks(tasks, DESCRIBE_TASKS_MAX_IDS), DESCRIBE_CONCURRENCY, async (batch) => {
      const runOf = new Map(batch.map((t) => [t.taskRef, t.runId]));
      const out = await this.ecs.send(new DescribeTasksCommand({ cluster: this.config.clusterArn, tasks: batch.map((t) => t.taskRef) }));
      for (const task of out.tasks ?? []) {
        const runId = task.taskArn && runOf.get(task.taskArn);
        if (runId) states.set(task.taskArn!, taskStateChange(runId, task.taskArn!, task, new Date()));
      }
      for (const failure of out.failures ?? []) if (failure.reason === 'MISSING' && failure.arn && runOf.has(failure.arn)) states.set(failure.arn, null);
    });
    return states;
  }

  private async stopTask(task: TaskRef, reason: string): Promise<void> {
    // StopTask's reason is shown in the console and becomes the task's stoppedReason (max 255 chars).
    await this.ecs.send(new StopTaskCommand({ cluster: this.config.clusterArn, task, reason: reason.slice(0, 255) }));
  }

  private taskDefinitionArn(app: LaunchableApp): Promise<string> {
    // A version naming a built image launches whichever build it resolves to: the image is part of the key.
    const key = `${app.appId}#${app.version}#${app.image}`;
    let arn = this.taskDefinitions.get(key);
    if (!arn) {
      arn = this.registerTaskDefinition(app);
      this.taskDefinitions.set(key, arn);
      arn.catch(() => this.taskDefinitions.delete(key));
    }
    return arn;
  }

  /** The family's latest ACTIVE revision if it was registered for this app version and image. */
  private async existingTaskDefinition(family: string, app: LaunchableApp): Promise<string | undefined> {
    try {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
      const tags = new Map((out.tags ?? []).map((t) => [t.key, t.value]));
      const current =
        tags.get(TAGS.appId) === app.appId &&
        tags.get(TAGS.appVersion) === String(app.version) &&
        tags.get(TAGS.layout) === TASK_DEFINITION_LAYOUT &&
        out.taskDefinition?.containerDefinitions?.[0]?.image === app.image;
      return current ? out.taskDefinition?.taskDefinitionArn : undefined;
    } catch (err) {
      // ECS answers a family it has never seen with a ClientException.
      if (err instanceof ClientException) return undefined;
      throw err;
    }
  }

  private async registerTaskDefinition(app: LaunchableApp): Promise<string> {
    const { config } = this;
    const family = familyName(config.familyPrefix ?? 'containerizer-', app);
    const existing = await this.existingTaskDefinition(family, app);
    if (existing) return existing;
    // What every container of the task gets.
    const shared = {
      ...(config.stopTimeoutSeconds !== undefined && { stopTimeout: config.stopTimeoutSeconds }),
      // As in dev mode: an init process forwards SIGTERM to the command and reaps zombies.
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: [...DROPPED_CAPABILITIES] } },
      logConfiguration: {
        logDriver: 'awslogs' as const,
        options: {
          'awslogs-group': config.logGroupName,
          'awslogs-region': await this.ecs.config.region(),
          'awslogs-stream-prefix': config.logStreamPrefix ?? 'run',
        },
      },
    };
    const out = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: fargateCpu(app.cpu),
        memory: String(app.memoryMiB),
        executionRoleArn: config.executionRoleArn,
        ...(config.taskRoleArn && { taskRoleArn: config.taskRoleArn }),
        containerDefinitions: [
          {
            name: APP_CONTAINER,
            image: app.image,
            essential: true,
            // A script is the interpreter's argv (services/script-rules.ts): up to 40 KiB of JSON in a 64 KiB task definition.
            ...(launchCommand(app.command, app.script).length > 0 && { command: launchCommand(app.command, app.script) }),
            // The version's env lives here, not in RunTask's 8,192-character overrides.
            ...(Object.keys(app.env).length > 0 && { environment: Object.entries(app.env).map(([name, value]) => ({ name, value })) }),
            ...mainContainerExtras(app),
            ...shared,
          },
          ...sidecarDefinitions(app, shared),
        ],
        tags: [
          { key: TAGS.appId, value: app.appId },
          { key: TAGS.appVersion, value: String(app.version) },
          { key: TAGS.layout, value: TASK_DEFINITION_LAYOUT },
        ],
      }),
    );
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn)
      throw new AwsOperationError('RegisterTaskDefinition', `RegisterTaskDefinition returned no taskDefinitionArn for app ${app.appId} version ${app.version}`);
    return arn;
  }
}

/**
 * The task-definition family of an app: `<prefix><name>-<appId>` (app names are unique per
 * owner only, the id makes the family the app's own). Characters ECS does not allow become
 * '-', cut to 255 keeping the id.
 */
export function familyName(prefix: string, app: Pick<App, 'name' | 'appId'>): string {
  const suffix = `-${app.appId}`;
  return `${prefix}${app.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, FAMILY_MAX - suffix.length) + suffix;
}

/**
 * What a run changes of its app version's task definition, as RunTask overrides: its command
 * when it has its own, and the env entries it adds or changes. Undefined when it changes nothing.
 */
export function runTaskOverrides(
  run: Pick<Run, 'command' | 'env'>,
  app: Pick<App, 'command' | 'env' | 'script'>,
  jobEnv: Record<string, string> = {},
): TaskOverride | undefined {
  // A script app's command is its script (in the task definition); runs of it cannot override it (RunService refuses).
  const ownCommand = !app.script && run.command.length > 0 && JSON.stringify(run.command) !== JSON.stringify(app.command);
  const environment = [...Object.entries(run.env).filter(([name, value]) => app.env[name] !== value), ...Object.entries(jobEnv)].map(([name, value]) => ({
    name,
    value,
  }));
  if (!ownCommand && environment.length === 0) return undefined;
  return { containerOverrides: [{ name: APP_CONTAINER, ...(ownCommand && { command: run.command }), ...(environment.length > 0 && { environment }) }] };
}

/** Characters of overrides JSON kept for the job's variables (shared/job-env.ts: four names, a ULID, a URL, a token). */
export const JOB_ENV_RESERVE_CHARS = 1024;

/** Errors after which the same call may succeed: throttling (after the SDK's own retries) and ECS's server-side failures. */
function isTransient(err: unknown): boolean {
  return err instanceof ServerException || (err as { name?: string })?.name === 'ThrottlingException';
}

/** vCPU → ECS CPU units (1 vCPU = 1024 units), as the string ECS expects. */
function fargateCpu(vcpu: number): string {
  return String(Math.round(vcpu * 1024));
}

/** "REASON: detail (arn)" per failure, e.g. "RESOURCE:ENI (arn:aws:ecs:…)". */
function describeFailures(failures: Failure[] = []): string {
  return failures.map((f) => `${f.reason ?? 'unknown reason'}${f.detail ? `: ${f.detail}` : ''}${f.arn ? ` (${f.arn})` : ''}`).join('; ');
}
