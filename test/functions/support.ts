/**
 * Support for the Lambda function tests and bench/lambda.ts: the cloud backend over dynalite with
 * ECS and EventBridge mocked (aws-sdk-client-mock), built from an explicit environment (never
 * process.env), ECS task state change events, and the functions bundled as infra/function.ts
 * bundles them (infra/bundling/bundle.ts). Free of vitest, so the
 * bench can use it too.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DescribeTasksCommandInput,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type StopTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException as RuleNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { EcsContainerState, EcsTaskStateChangeDetail, EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import { createCloudPlatform, type CloudPlatform } from '../../shared/cloud-platform.js';
import type { App, Principal } from '../../shared/domain.js';
import { ENV } from '../../shared/env.js';
import type { AppCreate } from '../../shared/schemas.js';
import { startDynalite, type EmbeddedDynamo } from '../../local/store/dynalite.js';
import type { ContextEntry } from '../../shared/build-context.js';
import type { ContextStore, ImageBuilder } from '../../shared/ports.js';
import { ImageService } from '../../shared/services/images.js';
import { BuildService } from '../../shared/services/builds.js';
import { AppStore } from '../../shared/store/app-store.js';
import { createDb } from '../../shared/store/db.js';
import { ImageStore } from '../../shared/store/image-store.js';
import { awsError, awsLimits, CLIENT_CONFIG, CLUSTER_ARN, latency, type FargateAccount } from '../aws/fixtures.js';
import { mockScheduler, type SchedulerMock } from '../aws/scheduler-mock.js';

export { CLUSTER_ARN };

export const TABLE_NAME = 'containerizer';
/** The stack's EventBridge Scheduler group, as the functions are told it. */
export const SCHEDULE_GROUP = 'containerizer-schedules';
/** The HTTP API's endpoint as the stack gives it to the functions (an HttpApi's apiEndpoint). */
export const API_URL = 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
const ACCOUNT = '111122223333';

/**
 * The environment the CDK stack gives the api function (shared/env.ts's FUNCTION_ENV), with
 * dynalite for DynamoDB, JWT_SECRET instead of the Secrets Manager secret, and static
 * credentials and region so the SDK clients look nothing up.
 */
export function functionEnvironment(dynamoEndpoint: string): Record<string, string> {
  return {
    [ENV.AWS_REGION]: CLIENT_CONFIG.region,
    [ENV.AWS_ACCESS_KEY_ID]: CLIENT_CONFIG.credentials.accessKeyId,
    [ENV.AWS_SECRET_ACCESS_KEY]: CLIENT_CONFIG.credentials.secretAccessKey,
    [ENV.TABLE_NAME]: TABLE_NAME,
    [ENV.DYNAMODB_ENDPOINT]: dynamoEndpoint,
    [ENV.CLUSTER_ARN]: CLUSTER_ARN,
    [ENV.SUBNET_IDS]: 'subnet-0a1b,subnet-2c3d',
    [ENV.SECURITY_GROUP_IDS]: 'sg-0e1f',
    [ENV.ASSIGN_PUBLIC_IP]: 'ENABLED',
    [ENV.TASK_EXECUTION_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task-execution`,
    [ENV.TASK_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task`,
    [ENV.LOG_GROUP_NAME]: '/containerizer/runs',
    [ENV.LOG_STREAM_PREFIX]: 'run',
    [ENV.TASK_FAMILY_PREFIX]: 'containerizer-',
    [ENV.EVENT_BUS_NAME]: 'default',
    [ENV.API_URL]: API_URL,
    [ENV.RULE_PREFIX]: 'containerizer-sched-',
    [ENV.SCHEDULE_GROUP_NAME]: SCHEDULE_GROUP,
    [ENV.SCHEDULER_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-scheduler`,
    [ENV.SCHEDULED_RUN_FUNCTION_ARN]: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:containerizer-scheduled-run`,
    [ENV.SCHEDULE_DEAD_LETTER_QUEUE_ARN]: `arn:aws:sqs:us-east-1:${ACCOUNT}:containerizer-schedule-dlq`,
    [ENV.LOG_FOLLOW_URL]: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/',
    [ENV.FINISHED_RUN_TTL_DAYS]: '90',
    [ENV.JWT_SECRET]: 'test-secret-test-secret-test-secret-0123456789',
    [ENV.JWT_ISSUER]: 'containerizer',
    [ENV.JWT_AUDIENCE]: 'containerizer-api',
    // These tests start many runs as one owner at once: the per-user quota (MAX_ACTIVE_RUNS_PER_USER) is tested in test/e2e/limits.test.ts.
    [ENV.MAX_ACTIVE_RUNS_PER_USER]: '100000',
    // Nor the account's Fargate vCPU quota, which the launch queue keeps to (test/functions/launch-queue.test.ts, bench/launch-burst.ts).
    [ENV.FARGATE_VCPU_QUOTA]: '100000',
  };
}

/** The ECS task a run's RunTask starts; its id is derived from the run id so tests can predict it. */
export function taskArnOf(runId: string): string {
  return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/containerizer/${runId.toLowerCase()}`;
}

/** The tasks the mocked ECS knows, as DescribeTasks reports them: RunTask adds one (PROVISIONING), tests change or delete them. */
export type EcsTasks = Map<string, Task>;

/** How the mocked ECS misbehaves as the real one may; all off by default. */
export interface EcsFaults {
  /** The next this many RunTask calls fail with ThrottlingException (what the SDK surfaces once its retries are used up). */
  throttleRunTask: number;
  /** The next this many RunTask calls start nothing and report a capacity failure. */
  noCapacity: number;
  /** For this long (ms) after RunTask, DescribeTasks reports a new task MISSING (ECS's eventual consistency). */
  listAfterMs: number;
  /** Each ECS call takes this long (ms), as a round trip to ECS does. */
  latencyMs: number;
}

/** A cloud backend for one test file (or one bench): see startCloud. */
export interface Cloud {
  ecs: AwsClientStub<ECSClient>;
  events: AwsClientStub<EventBridgeClient>;
  /** EventBridge Scheduler, enforcing its rules (test/aws/scheduler-mock.ts), with the schedules put. */
  scheduler: SchedulerMock;
  /** What DescribeTasks answers; a task not in here is MISSING (ECS never knew it, or forgot it). */
  tasks: EcsTasks;
  faults: EcsFaults;
  /**
   * Fargate's limits on the account (launch token bucket, vCPU quota: test/aws/fixtures.ts), when a
   * test or bench sets one; its task stops are the test's to report (`fargate.stop(taskArn)`).
   */
  fargate?: FargateAccount;
  /** The IAM actions the calling function is allowed (e.g. its synthesized policy's: see test/infra/build-stack.ts); none = all. */
  iam?: ReadonlySet<string>;
  /** The functions' environment (functionEnvironment, on this cloud's dynalite). */
  env: Record<string, string>;
  /** The platform composed from `env` (one memoized instance, as in a warm Lambda). */
  platform(): Promise<CloudPlatform>;
  /** Restores the SDK clients; stops dynalite and removes its directory when startCloud started it. */
  close(): Promise<void>;
}

/**
 * A cloud over functionEnvironment(), with ECS and EventBridge mocked as AWS behaves, refusing
 * what AWS refuses: no task definition exists yet (DescribeTaskDefinition fails as ECS does for
 * an unknown family); RegisterTaskDefinition succeeds; RunTask refuses overrides over 8,192
 * characters (InvalidParameterException), is idempotent on clientToken and otherwise starts a
 * task (ARN taskArnOf(startedBy), added to `tasks`); DescribeTasks refuses more than 100 ids and
 * reports tasks not in `tasks` MISSING; StopTask succeeds; PutEvents, PutRule and PutTargets
 * succeed. `faults` adds throttling, capacity failures, eventual consistency and latency.
 * With `iam` set (the actions a function's synthesized policy allows), every ECS call outside it
 * is refused with AccessDeniedException, as IAM would.
 * DynamoDB is the caller's dynalite at `dynamoEndpoint` (its table created), or else one started
 * here in a temporary directory.
 */
export async function startCloud(options: { dynamoEndpoint?: string } = {}): Promise<Cloud> {
  let dynamo: { dir: string; server: EmbeddedDynamo } | undefined;
  if (!options.dynamoEndpoint) {
    const dir = mkdtempSync(join(tmpdir(), 'containerizer-functions-'));
    dynamo = { dir, server: await startDynalite(dir, TABLE_NAME) };
  }
  const env = functionEnvironment(options.dynamoEndpoint ?? dynamo!.server.endpoint);

  const tasks: EcsTasks = new Map();
  const faults: EcsFaults = { throttleRunTask: 0, noCapacity: 0, listAfterMs: 0, latencyMs: 0 };
  const listedAt = new Map<string, number>();
  const clientTokens = new Map<string, string>();
  /** vCPUs of each registered revision (RunTask's task definition), for Fargate's quota. */
  const cpuOf = new Map<string, number>();
  /** An ECS action as IAM names it, refused unless `iam` allows it; then the call's latency. */
  const call = async (action: string, resource: string) => {
    if (cloud.iam && !cloud.iam.has(action)) {
      throw awsError(
        'AccessDeniedException',
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/containerizer-fn is not authorized to perform: ${action} on resource: ${resource}`,
      );
    }
    if (faults.latencyMs > 0) await latency(faults.latencyMs);
  };

  const ecs = mockClient(ECSClient);
  ecs.on(DescribeTaskDefinitionCommand).callsFake(async (input) => {
    await call('ecs:DescribeTaskDefinition', '*');
    throw new ClientException({ message: `Unable to describe task definition ${input.taskDefinition}.`, $metadata: {} });
  });
  ecs.on(RegisterTaskDefinitionCommand).callsFake(async (input: RegisterTaskDefinitionCommandInput) => {
    await call('ecs:RegisterTaskDefinition', '*');
    const refused = awsLimits.taskDefinitionSize(input);
    if (refused) throw refused;
    const taskDefinitionArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${input.family}:1`;
    cpuOf.set(taskDefinitionArn, Number(input.cpu) / 1024);
    return { taskDefinition: { taskDefinitionArn } };
  });
  ecs.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
    await call('ecs:RunTask', input.taskDefinition!);
    const refused = awsLimits.runTaskOverrides(input.overrides);
    if (refused) throw refused;
    if (faults.throttleRunTask > 0 && faults.throttleRunTask--) throw awsError('ThrottlingException', 'Rate exceeded');
    if (faults.noCapacity > 0 && faults.noCapacity--) {
      return {
        tasks: [],
        failures: [{ arn: input.taskDefinition, reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' }],
      };
    }
    const start = () => {
      const taskArn = taskArnOf(input.startedBy!);
      listedAt.set(taskArn, Date.now() + faults.listAfterMs);
      tasks.set(taskArn, {
        taskArn,
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        startedBy: input.startedBy,
        version: 1,
        containers: [{ name: 'app' }],
      });
      return taskArn;
    };
    // Fargate's bucket, quota and clientToken rules, when the test gives the account.
    if (cloud.fargate) return cloud.fargate.runTask(input, cpuOf.get(input.taskDefinition!) ?? 0.25, start);
    // The same clientToken with other parameters is a ConflictException (AWS docs, "Ensuring idempotency"); with the same, the same task.
    const { clientToken, ...request } = input;
    const digest = JSON.stringify(request);
    const earlier = clientToken ? clientTokens.get(clientToken) : undefined;
    if (earlier !== undefined && earlier !== digest) throw awsError('ConflictException', 'The client token has already been used with different parameters.');
    if (clientToken) clientTokens.set(clientToken, digest);
    const taskArn = taskArnOf(input.startedBy!);
    return { tasks: [{ taskArn: tasks.has(taskArn) ? taskArn : start() }], failures: [] };
  });
  ecs.on(ListTasksCommand).callsFake(async (input: { startedBy?: string }) => {
    await call('ecs:ListTasks', '*');
    return { taskArns: [...tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && t.startedBy === input.startedBy).map((t) => t.taskArn!) };
  });
  ecs.on(ListTaskDefinitionsCommand).callsFake(async () => {
    await call('ecs:ListTaskDefinitions', '*');
    return { taskDefinitionArns: [] };
  });
  ecs.on(DeregisterTaskDefinitionCommand).callsFake(async () => {
    await call('ecs:DeregisterTaskDefinition', '*');
    return {};
  });
  ecs.on(DescribeTasksCommand).callsFake(async (input: DescribeTasksCommandInput) => {
    await call('ecs:DescribeTasks', input.tasks?.[0] ?? '*');
    const refused = awsLimits.describeTasksIds(input.tasks);
    if (refused) throw refused;
    const listed = (arn: string) => tasks.has(arn) && (listedAt.get(arn) ?? 0) <= Date.now();
    return {
      tasks: (input.tasks ?? []).filter(listed).map((arn) => tasks.get(arn)!),
      failures: (input.tasks ?? []).filter((arn) => !listed(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  });
  ecs.on(StopTaskCommand).callsFake(async (input: StopTaskCommandInput) => {
    await call('ecs:StopTask', input.task!);
    return { task: { taskArn: input.task, desiredStatus: 'STOPPED' } };
  });
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves(PUT_EVENTS_OK);
  // No rules of an earlier release exist here: removing one finds none, as EventBridge answers.
  events.on(RemoveTargetsCommand).rejects(new RuleNotFoundException({ message: 'Rule does not exist.', $metadata: {} }));
  events.on(DeleteRuleCommand).resolves({});
  const scheduler = mockScheduler([SCHEDULE_GROUP]);

  const cloud: Cloud = {
    ecs,
    events,
    scheduler,
    tasks,
    faults,
    env,
    platform: () => createCloudPlatform(env),
    async close() {
      ecs.restore();
      events.restore();
      scheduler.mock.restore();
      if (dynamo) {
        await dynamo.server.close();
        rmSync(dynamo.dir, { recursive: true, force: true });
      }
    },
  };
  return cloud;
}

/**
 * The image catalogue and builds over `cloud`'s table that starts builds as the CodeBuild adapter would (`build`
 * answers each build's CodeBuild id), contexts kept in memory: the tests deliver the builds' events.
 */
export function imageStarter(cloud: Cloud, build: ImageBuilder['build']): { starter: { images: ImageService; builds: BuildService }; images: ImageStore } {
  const db = createDb(TABLE_NAME, { ...CLIENT_CONFIG, endpoint: cloud.env[ENV.DYNAMODB_ENDPOINT] });
  const kept = new Map<string, ContextEntry[]>();
  const contexts: ContextStore = {
    put: async (imageId, version, context) => void kept.set(`${imageId}/${version}`, [...context]),
    get: async (imageId, version) => kept.get(`${imageId}/${version}`)!,
    removeAll: async () => undefined,
  };
  const builder: ImageBuilder = { build, readLog: async () => ({ events: [], nextCursor: '' }), discard: async () => undefined };
  const images = new ImageStore(db);
  const catalogue = new ImageService(images, new AppStore(db), { allowedImagePrefixes: [] }, { builder, contexts });
  return { starter: { images: catalogue, builds: new BuildService(images, catalogue, { allowedImagePrefixes: [] }, { builder, contexts }) }, images };
}

/** PutEvents' answer when EventBridge accepts the entry. */
export const PUT_EVENTS_OK = { FailedEntryCount: 0, Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }] };

/** The app owner the tests act as. */
export const OWNER: Principal = { userId: 'user-1', email: 'owner@example.com', role: 'user' };

let apps = 0;

/** Registers an app of OWNER (0.25 vCPU, 512 MiB, 1 h timeout, no retry unless overridden). */
export function createApp(platform: CloudPlatform, overrides: Partial<AppCreate> = {}): Promise<App> {
  return platform.apps.create(OWNER, {
    name: `job-${++apps}`,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'echo hello'],
    env: {},
    cpu: 0.25,
    memoryMiB: 512,
    timeoutSeconds: 3600,
    retry: { maxAttempts: 1 },
    ...overrides,
  });
}

/**
 * The PutEvents requests sent for one run, with each entry's Detail parsed (key order in the
 * JSON is not part of the contract).
 */
export function runEventsSent(events: Cloud['events'], runId: string) {
  return events
    .commandCalls(PutEventsCommand)
    .map((call) => call.args[0].input)
    .filter((input) => input.Entries?.some((e) => JSON.parse(e.Detail ?? '{}').runId === runId))
    .map((input) => ({ ...input, Entries: input.Entries!.map((e) => ({ ...e, Detail: JSON.parse(e.Detail!) })) }));
}

/** How a task stopped, as ECS reports it in the STOPPED event. */
export interface TaskStop {
  /** ECS's stopCode: EssentialContainerExited, TaskFailedToStart, UserInitiated, … */
  stopCode: string;
  stoppedReason: string;
  /** The app container's exit code; absent when it never ran. */
  exitCode?: number;
  /** The app container's own reason, e.g. "OutOfMemoryError: Container killed due to memory usage". */
  containerReason?: string;
}

/**
 * The "ECS Task State Change" events of one run's task, shaped as EventBridge delivers them
 * (AWS docs, "Amazon ECS task state change events"): created at `createdAt` (default now),
 * started 10 s later, stopped `runningSeconds` (default 10) after that; `detail.version` grows
 * with each change. `startedBy` defaults to the run id, as EcsRuntime.start sets it.
 */
export function ecsTask(runId: string, options: { createdAt?: Date; runningSeconds?: number; startedBy?: string } = {}) {
  const createdAt = options.createdAt ?? new Date();
  const taskArn = taskArnOf(runId);
  const at = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000).toISOString();
  const stopped = 10 + (options.runningSeconds ?? 10);
  const times = { createdAt: at(0), pendingAt: at(5), startedAt: at(10), stoppingAt: at(stopped - 1), stoppedAt: at(stopped) };
  const event = (
    detail: Pick<EcsTaskStateChangeDetail, 'lastStatus' | 'version' | 'updatedAt'> & Partial<EcsTaskStateChangeDetail>,
    container: EcsContainerState,
  ): EcsTaskStateChangeEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: detail.updatedAt.replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [taskArn],
    detail: {
      clusterArn: CLUSTER_ARN,
      taskArn,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/containerizer-job:1`,
      desiredStatus: 'RUNNING',
      startedBy: options.startedBy ?? runId,
      launchType: 'FARGATE',
      createdAt: times.createdAt,
      containers: [{ name: 'app', ...container }],
      ...detail,
    },
  });
  const stop = (lastStatus: 'DEPROVISIONING' | 'STOPPED', version: number, s: TaskStop) => {
    const started = s.stopCode !== 'TaskFailedToStart';
    return event(
      {
        lastStatus,
        version,
        desiredStatus: 'STOPPED',
        stopCode: s.stopCode,
        stoppedReason: s.stoppedReason,
        ...(started && { startedAt: times.startedAt }),
        stoppingAt: times.stoppingAt,
        ...(lastStatus === 'STOPPED' && { stoppedAt: times.stoppedAt }),
        updatedAt: lastStatus === 'STOPPED' ? times.stoppedAt : times.stoppingAt,
      },
      { lastStatus: 'STOPPED', ...(s.exitCode !== undefined && { exitCode: s.exitCode }), ...(s.containerReason && { reason: s.containerReason }) },
    );
  };
  return {
    taskArn,
    /** The task's lifecycle times, ISO 8601. */
    ...times,
    provisioning: event({ lastStatus: 'PROVISIONING', version: 1, updatedAt: times.createdAt }, { lastStatus: 'PENDING' }),
    pending: event({ lastStatus: 'PENDING', version: 2, updatedAt: times.pendingAt }, { lastStatus: 'PENDING' }),
    running: event({ lastStatus: 'RUNNING', version: 3, startedAt: times.startedAt, updatedAt: times.startedAt }, { lastStatus: 'RUNNING' }),
    /** ECS reports the stop code and exit code already while the task deprovisions. */
    deprovisioning: (s: TaskStop) => stop('DEPROVISIONING', 5, s),
    stopped: (s: TaskStop) => stop('STOPPED', 6, s),
  };
}

/**
 * The api bundle's budget (KiB): it was 970 KiB before Powertools Logger, ~1000 before images
 * built from source, which add ~70 KiB (tar-stream and its streamx for uploaded contexts, the
 * image service and routes); ~1045 with schedules on EventBridge Scheduler (its client, time
 * zones), the follow budget, the ECR collector and build settlement, the Dockerfile rules, the
 * result limits and CORS (+~45 KiB); ~1129 with alerts (+73 KiB: the SQS client 22, ipaddr.js 13,
 * standardwebhooks with fast-sha256 and @stablelib/base64 11, the alert rules, services and routes 26);
 * ~1186 with secrets (Secrets Manager vault, masking, routes) and array jobs (their service, store and
 * routes), counted over every chunk: the image adapters are split into chunks a cold start does not
 * read (infra/bundling/bundle.ts), so the api's cold start reads ~170 KiB less than this total.
 * Cold starts grow with it, and bench/lambda.ts measures init.
 */
export const API_BUNDLE_BUDGET_KIB = 1200;

// The functions bundled exactly as deployed: infra/function.ts's code is bundle.ts's output too.
export { bundleFunction, type Bundle } from '../../infra/bundling/bundle.js';

/** What API Gateway gets back from the api function (payload format 2.0). */
export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

const DOMAIN = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';

/**
 * An API Gateway HTTP API request, payload format 2.0 (AWS docs, "Create AWS Lambda proxy
 * integrations for HTTP APIs"), as the `$default` route delivers it.
 */
export function httpEvent(method: string, path: string, options: { body?: unknown; token?: string; query?: string } = {}) {
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: DOMAIN,
    'user-agent': 'curl/8.5.0',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    version: '2.0' as const,
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'a1b2c3d4e5',
      domainName: DOMAIN,
      domainPrefix: 'a1b2c3d4e5',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: '01/May/2024:12:00:00 +0000',
      timeEpoch: 1714564800000,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
}

/**
 * The Lambda Node.js runtime's response-streaming global as far as hono's `streamHandle` uses it
 * (AWS docs, "Response streaming for Lambda functions"): `streamifyResponse` marks the handler,
 * `HttpResponseStream.from` writes the HTTP prelude (JSON) and eight NUL bytes before the body,
 * which is how the runtime hands status and headers to the function URL. Returns its removal.
 */
export function installLambdaStreamingRuntime(): () => void {
  const global = globalThis as { awslambda?: unknown };
  global.awslambda = {
    streamifyResponse: <F extends object>(handler: F) => Object.assign(handler, { [Symbol.for('aws.lambda.runtime.handler.streaming')]: 'response' }),
    HttpResponseStream: {
      from(stream: Writable, prelude: unknown) {
        stream.write(JSON.stringify(prelude));
        stream.write(new Uint8Array(8));
        return stream;
      },
    },
  };
  return () => delete global.awslambda;
}

/** A streamed invocation as a function URL passes it on: the Response as soon as the prelude came, and the handler's end. */
export interface StreamedInvocation {
  response: Response;
  /** Body bytes received so far. */
  bytes(): number;
  done: Promise<unknown>;
  /** The client goes away: the function's response stream is destroyed, as the runtime's is when the connection closes. */
  disconnect(): void;
}

/** Invokes a streaming handler (RESPONSE_STREAM) with `event`, as the function URL does; resolves once status and headers are known. */
export async function invokeStreaming(
  handler: (event: unknown, stream: Writable, context: unknown) => Promise<unknown>,
  event: unknown,
): Promise<StreamedInvocation> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  let head: Buffer | undefined = Buffer.alloc(0);
  let bytes = 0;
  let onPrelude!: (prelude: { statusCode: number; headers: Record<string, string> }) => void;
  const prelude = new Promise<{ statusCode: number; headers: Record<string, string> }>((resolve) => (onPrelude = resolve));
  let closed = false;
  const enqueue = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    bytes += chunk.length;
    // A client that stopped reading (cancelled the body) gets nothing more, as a closed connection would.
    if (!closed) {
      try {
        controller.enqueue(new Uint8Array(chunk));
      } catch {
        closed = true;
      }
    }
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (closed) return callback();
      if (head === undefined) enqueue(chunk);
      else {
        head = Buffer.concat([head, chunk]);
        const at = head.indexOf(Buffer.alloc(8));
        if (at >= 0) {
          onPrelude(JSON.parse(head.subarray(0, at).toString('utf8')));
          const rest = head.subarray(at + 8);
          head = undefined;
          enqueue(rest);
        }
      }
      callback();
    },
    final(callback) {
      if (!closed) controller.close();
      closed = true;
      callback();
    },
  });
  const done = handler(event, sink, { awsRequestId: randomUUID() });
  const { statusCode, headers } = await Promise.race([prelude, done.then(() => prelude)]);
  return {
    response: new Response(body, { status: statusCode, headers }),
    bytes: () => bytes,
    done,
    disconnect: () => {
      sink.destroy();
      if (!closed) controller.close();
      closed = true;
    },
  };
}

/** One log line as CloudWatch Logs stores it: ms since the epoch and the message. */
export interface StoredLogEvent {
  timestamp: number;
  message: string;
}

/** GetLogEvents returns at most 10,000 events and 1 MB per call (AWS API reference, GetLogEvents). */
const GET_LOG_EVENTS_MAX = { events: 10_000, bytes: 1_048_576 };

/**
 * GetLogEvents' quota: 10 requests/s per account and Region in several Regions (us-west-2,
 * eu-central-1, eu-west-1, …), 25 in most; it cannot be raised (AWS docs, "CloudWatch Logs quotas").
 */
export const GET_LOG_EVENTS_QUOTA = { perSecond: 10, burst: 10 };

/** A fake CloudWatch Logs endpoint: its streams, and what it was asked. */
export interface FakeCloudWatchLogs {
  url: string;
  streams: Map<string, StoredLogEvent[]>;
  /** GetLogEvents calls answered, throttled ones included. */
  calls(): number;
  /** Calls refused with ThrottlingException (over `quota`). */
  throttled(): number;
  close(): Promise<void>;
}

/**
 * A CloudWatch Logs endpoint answering GetLogEvents (awsJson1_1, as the SDK sends it) from
 * `streams` (log stream name → events), with AWS's page limits (10,000 events, 1 MB) and forward
 * tokens `f/<index>`. Point a bundle's SDK at it with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = `url`.
 * With `quota`, calls beyond its token bucket are refused with ThrottlingException, as the
 * account's GetLogEvents quota refuses them.
 */
export async function startFakeCloudWatchLogs(options: { quota?: { perSecond: number; burst: number } } = {}): Promise<FakeCloudWatchLogs> {
  const streams = new Map<string, StoredLogEvent[]>();
  let calls = 0;
  let throttled = 0;
  const bucket = { tokens: options.quota?.burst ?? 0, at: performance.now() };
  /** Takes a token of the quota's bucket; false when it is empty. */
  const admitted = (): boolean => {
    const { quota } = options;
    if (!quota) return true;
    const now = performance.now();
    bucket.tokens = Math.min(quota.burst, bucket.tokens + ((now - bucket.at) / 1000) * quota.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      calls++;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (!admitted()) {
        throttled++;
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      const input = JSON.parse(text) as { logStreamName: string; limit?: number; nextToken?: string };
      const events = streams.get(input.logStreamName);
      if (!events) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' }));
        return;
      }
      const from = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
      const page: StoredLogEvent[] = [];
      let size = 0;
      for (const event of events.slice(from, from + Math.min(input.limit ?? GET_LOG_EVENTS_MAX.events, GET_LOG_EVENTS_MAX.events))) {
        size += Buffer.byteLength(event.message) + 26;
        if (size > GET_LOG_EVENTS_MAX.bytes) break;
        page.push(event);
      }
      res.end(
        JSON.stringify({
          events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })),
          nextForwardToken: `f/${from + page.length}`,
          nextBackwardToken: `b/${from}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streams,
    calls: () => calls,
    throttled: () => throttled,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
