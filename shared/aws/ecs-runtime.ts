/**
 * ContainerRuntime on ECS Fargate: one task-definition revision per app version, one
 * RunTask per run, the run id carried by the task as `startedBy` and a tag.
 */
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Failure,
} from '@aws-sdk/client-ecs';
import { DROPPED_CAPABILITIES, type App } from '../domain.js';
import type { ContainerRuntime, RunLaunch, TaskRef, TaskStateChange } from '../ports.js';
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

/** Tag keys the platform puts on tasks (runId, appId) and task definitions (appId, appVersion). */
export const TAGS = {
  runId: 'containerizer:runId',
  appId: 'containerizer:appId',
  appVersion: 'containerizer:appVersion',
} as const;

/** ECS task-definition family rule: up to 255 letters, numbers, hyphens and underscores. */
const FAMILY_MAX = 255;

/**
 * ECS Fargate adapter. Errors from the ECS API propagate (the SDK client's own retry
 * handles throttling); RunTask failures become thrown errors with ECS's reason.
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
  async prepare(app: App): Promise<void> {
    await this.taskDefinitionArn(app);
  }

  /**
   * RunTask for the run, with `clientToken` = `startedBy` = run id, so a retried call
   * launches one task. Throws with ECS's failure reasons when no task was started.
   * Overrides (command, env) count against RunTask's 8 KiB overrides limit; ECS rejects
   * larger ones with an InvalidParameterException, which fails the run.
   */
  async start({ run, app }: RunLaunch): Promise<TaskRef> {
    const taskDefinition = await this.taskDefinitionArn(app);
    const out = await this.ecs.send(
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
        overrides: {
          containerOverrides: [
            {
              name: APP_CONTAINER,
              ...(run.command.length > 0 && { command: run.command }),
              environment: Object.entries(run.env).map(([name, value]) => ({ name, value })),
            },
          ],
          cpu: fargateCpu(run.cpu),
          memory: String(run.memoryMiB),
        },
        startedBy: run.runId,
        tags: [
          { key: TAGS.runId, value: run.runId },
          { key: TAGS.appId, value: run.appId },
        ],
        clientToken: run.runId,
      }),
    );
    const taskArn = out.tasks?.[0]?.taskArn;
    if (out.failures?.length || !taskArn) {
      throw new AwsOperationError('RunTask', `ECS could not start the task: ${describeFailures(out.failures) || 'RunTask returned no task'}`);
    }
    return taskArn;
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

  private async stopTask(task: TaskRef, reason: string): Promise<void> {
    // StopTask's reason is shown in the console and becomes the task's stoppedReason (max 255 chars).
    await this.ecs.send(new StopTaskCommand({ cluster: this.config.clusterArn, task, reason: reason.slice(0, 255) }));
  }

  private taskDefinitionArn(app: App): Promise<string> {
    const key = `${app.appId}#${app.version}`;
    let arn = this.taskDefinitions.get(key);
    if (!arn) {
      arn = this.registerTaskDefinition(app);
      this.taskDefinitions.set(key, arn);
      arn.catch(() => this.taskDefinitions.delete(key));
    }
    return arn;
  }

  /** The family's latest ACTIVE revision if it was registered for this app version. */
  private async existingTaskDefinition(family: string, app: App): Promise<string | undefined> {
    try {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
      const tags = new Map((out.tags ?? []).map((t) => [t.key, t.value]));
      const current = tags.get(TAGS.appId) === app.appId && tags.get(TAGS.appVersion) === String(app.version);
      return current ? out.taskDefinition?.taskDefinitionArn : undefined;
    } catch (err) {
      // ECS answers a family it has never seen with a ClientException.
      if (err instanceof ClientException) return undefined;
      throw err;
    }
  }

  private async registerTaskDefinition(app: App): Promise<string> {
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
            ...(app.command.length > 0 && { command: app.command }),
            ...mainContainerExtras(app),
            ...shared,
          },
          ...sidecarDefinitions(app, shared),
        ],
        tags: [
          { key: TAGS.appId, value: app.appId },
          { key: TAGS.appVersion, value: String(app.version) },
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

/** vCPU → ECS CPU units (1 vCPU = 1024 units), as the string ECS expects. */
function fargateCpu(vcpu: number): string {
  return String(Math.round(vcpu * 1024));
}

/** "REASON: detail (arn)" per failure, e.g. "RESOURCE:ENI (arn:aws:ecs:…)". */
function describeFailures(failures: Failure[] = []): string {
  return failures.map((f) => `${f.reason ?? 'unknown reason'}${f.detail ? `: ${f.detail}` : ''}${f.arn ? ` (${f.arn})` : ''}`).join('; ');
}
