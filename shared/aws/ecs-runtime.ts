/**
 * ContainerRuntime on ECS Fargate: one task-definition revision per app version
 * (ecs-task-definitions.ts), one RunTask per launch attempt, the run id carried by the task as
 * `startedBy` and a tag, launches kept within the account's Fargate quotas (fargate-capacity.ts).
 */
import { createHash } from 'node:crypto';
import {
  ClientException,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Failure,
  type RunTaskCommandInput,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import { RUN_TASK_OVERRIDES_MAX_CHARS } from '../cloud-limits.js';
import { chunks, forEachLimited } from '../concurrency.js';
import type { App, Run } from '../domain.js';
import { badRequest } from '../errors.js';
import { JOB_ENV } from '../job-env.js';
import {
  LaunchDeferredError,
  type ContainerRuntime,
  type LaunchableApp,
  type RunLaunch,
  type TaskOfRun,
  type TaskRef,
  type TaskStateChange,
} from '../ports.js';
import { APP_CONTAINER, taskStateChange } from './ecs-events.js';
import { TASK_DEFINITION_TAGS, TaskDefinitions } from './ecs-task-definitions.js';
import { AwsOperationError, isTransient } from './errors.js';
import { isCapacityFailure, type FargateCapacity } from './fargate-capacity.js';

export { familyName } from './ecs-task-definitions.js';

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
export const TAGS = { runId: 'containerizer:runId', ...TASK_DEFINITION_TAGS } as const;

/** DescribeTasks takes at most 100 task ids per call (AWS API reference, DescribeTasks `tasks`). */
export const DESCRIBE_TASKS_MAX_IDS = 100;
/** DescribeTasks calls in flight at once in describeAll, well under ECS's DescribeTasks rate (AWS docs, "ECS API request throttling"). */
const DESCRIBE_CONCURRENCY = 4;

/**
 * A launch of a run this long (ms) after its creation, or deferred before, first looks for a task
 * an earlier attempt started (ListTasks by startedBy): only such a launch can have had one.
 */
const ADOPT_AFTER_MS = 10_000;

/** ECS's words for a RunTask on a deregistered revision (ClientException): the revision is registered again. */
const INACTIVE_TASK_DEFINITION = /inactive/i;

/**
 * ECS Fargate adapter. Errors from the ECS API propagate (the SDK client's own retry handles
 * throttling first); a launch that may work later (throttled, no capacity, the account's vCPU
 * quota reached, a 5xx) becomes a LaunchDeferredError, other RunTask failures thrown errors with
 * ECS's reason.
 */
export class EcsRuntime implements ContainerRuntime {
  private readonly ecs: ECSClient;
  private readonly config: EcsRuntimeConfig;
  private readonly taskDefinitions: TaskDefinitions;
  /** The account's Fargate launch budget, when the deployment keeps launches within it (the launch queue). */
  readonly capacity?: FargateCapacity;

  constructor({ ecs, config, capacity }: { ecs: ECSClient; config: EcsRuntimeConfig; capacity?: FargateCapacity }) {
    this.ecs = ecs;
    this.config = config;
    this.capacity = capacity;
    this.taskDefinitions = new TaskDefinitions(ecs, config);
  }

  /**
   * Makes sure a Fargate task-definition revision exists for the app's version (RunTask
   * cannot override the image, so every version needs its own revision). The family's latest
   * revision is reused when its tags name this app version, so a Lambda cold start does not
   * register a duplicate; the result is memoized per process.
   */
  async prepare(app: LaunchableApp): Promise<void> {
    await this.taskDefinitions.arnFor(app);
  }

  /** Deregisters every revision of the deleted app's family (a queued run of it registers its version again). */
  async retire(app: Pick<App, 'appId' | 'name'>): Promise<void> {
    await this.taskDefinitions.deregisterSuperseded(app);
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
   * Starts the run's task, or adopts the one an earlier attempt started: a relaunch (a deferred or
   * lost launch) first asks ListTasks for a task `startedBy` the run. RunTask's `clientToken` is
   * the run id and a digest of the request, so the SDK's retries of one attempt launch one task,
   * and a relaunch, whose parameters differ (a new run token), is a new request instead of a
   * ConflictException (a token lives 24 h: AWS docs, "Ensuring idempotency", RunTask). The task
   * definition holds the app version's command and env; only the run's own differences and the
   * job's variables are sent as overrides (see checkLaunch).
   * @throws LaunchDeferredError when ECS throttles (after the SDK's retries), fails on its side,
   *   or reports a capacity failure or the account's vCPU quota.
   * @throws AwsOperationError with ECS's failure reasons when no task was started for good; the SDK's errors otherwise.
   */
  async start({ run, app, jobEnv }: RunLaunch): Promise<TaskRef> {
    const adopted = isRelaunch(run) ? await this.taskOf(run.runId) : undefined;
    if (adopted) return adopted;
    const request = (taskDefinition: string) => this.runTaskInput(run, app, taskDefinition, jobEnv);
    let out;
    try {
      out = await this.runTask(request(await this.taskDefinitions.arnFor(app)));
    } catch (err) {
      if (!(err instanceof ClientException && INACTIVE_TASK_DEFINITION.test(err.message))) throw err;
      // Another process deregistered the revision this one remembered (it registered a newer version): register it again.
      out = await this.runTask(request(await this.taskDefinitions.arnFor(app, { fresh: true })));
    }
    const taskArn = out.tasks?.[0]?.taskArn;
    if (taskArn) return taskArn;
    const reasons = describeFailures(out.failures) || 'RunTask returned no task';
    if (out.failures?.length && out.failures.every((f) => isCapacityFailure(f.reason))) {
      throw new LaunchDeferredError(`ECS could not start the task yet: ${reasons}`, { capacity: true });
    }
    throw new AwsOperationError('RunTask', `ECS could not start the task: ${reasons}`);
  }

  private async runTask(input: RunTaskCommandInput) {
    try {
      return await this.ecs.send(new RunTaskCommand(input));
    } catch (err) {
      if (isTransient(err)) throw new LaunchDeferredError(`RunTask: ${(err as Error).message}`, { cause: err, capacity: true });
      throw err;
    }
  }

  /** RunTask's request for the run: its overrides, `startedBy` and tags, and a clientToken of this very request (see start). */
  private runTaskInput(run: Run, app: LaunchableApp, taskDefinition: string, jobEnv?: Record<string, string>): RunTaskCommandInput {
    const overrides = runTaskOverrides(run, app, cloudJobEnv(jobEnv));
    const input: RunTaskCommandInput = {
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
    };
    return { ...input, clientToken: attemptToken(run.runId, input) };
  }

  /** The task ECS lists as started by the run and not stopped, if any (ListTasks by startedBy: AWS API reference, ListTasks). */
  private async taskOf(runId: string): Promise<TaskRef | undefined> {
    const out = await this.ecs.send(new ListTasksCommand({ cluster: this.config.clusterArn, startedBy: runId }));
    return out.taskArns?.[0];
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

/** True when the launch may follow one that started a task already: it was deferred, or it comes long after the run was created (a lost launch). */
function isRelaunch(run: Pick<Run, 'launchRetry' | 'createdAt'>): boolean {
  return run.launchRetry !== undefined || Date.now() - Date.parse(run.createdAt) >= ADOPT_AFTER_MS;
}

/**
 * RunTask's clientToken for one request: the run id and a digest of the request (ECS allows 64
 * ASCII characters; this is 26 + 1 + 32, and an array job's child, up to 34 characters long, gets what is left of the 64). The same request (an SDK retry) gets the same token; a
 * relaunch, with its new run token, another one.
 */
export function attemptToken(runId: string, input: Omit<RunTaskCommandInput, 'clientToken'>): string {
  return `${runId}.${createHash('sha256')
    .update(JSON.stringify(input))
    .digest('base64url')
    .slice(0, Math.min(32, 63 - runId.length))}`;
}

/**
 * The job's variables as a Fargate task gets them: without CONTAINERIZER_RESULT_FILE, since nothing
 * can read a file from a stopped Fargate task (no `docker cp`, and the task's storage goes with it);
 * a job on ECS posts its result to CONTAINERIZER_RESULT_URL.
 */
function cloudJobEnv(jobEnv: Record<string, string> = {}): Record<string, string> {
  const { [JOB_ENV.resultFile]: _unreadable, ...env } = jobEnv;
  return env;
}

/** "REASON: detail (arn)" per failure, e.g. "RESOURCE:ENI (arn:aws:ecs:…)". */
function describeFailures(failures: Failure[] = []): string {
  return failures.map((f) => `${f.reason ?? 'unknown reason'}${f.detail ? `: ${f.detail}` : ''}${f.arn ? ` (${f.arn})` : ''}`).join('; ');
}
