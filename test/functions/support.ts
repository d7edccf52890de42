/**
 * Support for the Lambda function tests and bench/lambda.ts: the cloud backend over dynalite with
 * ECS and EventBridge mocked (aws-sdk-client-mock), built from an explicit environment (never
 * process.env), ECS task state change events, and the functions bundled with esbuild as
 * infra/function.ts bundles them. Free of vitest, so the
 * bench can use it too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { build, type Metafile } from 'esbuild';
import type { EcsContainerState, EcsTaskStateChangeDetail, EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import { createCloudPlatform, type CloudPlatform } from '../../shared/cloud-platform.js';
import type { App, Principal } from '../../shared/domain.js';
import { ENTRY_POINTS, ENV, type EntryPoint } from '../../shared/env.js';
import type { AppCreate } from '../../shared/schemas.js';
import { startDynalite, type EmbeddedDynamo } from '../../local/dynalite.js';
import { CLIENT_CONFIG, CLUSTER_ARN } from '../aws/fixtures.js';

export { CLUSTER_ARN };

export const TABLE_NAME = 'containerizer';
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
    [ENV.RULE_PREFIX]: 'containerizer-sched-',
    [ENV.SCHEDULED_RUN_FUNCTION_ARN]: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:containerizer-scheduled-run`,
    [ENV.JWT_SECRET]: 'test-secret-test-secret-test-secret-0123456789',
    [ENV.JWT_ISSUER]: 'containerizer',
    [ENV.JWT_AUDIENCE]: 'containerizer-api',
  };
}

/** The ECS task a run's RunTask starts; its id is derived from the run id so tests can predict it. */
export function taskArnOf(runId: string): string {
  return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/containerizer/${runId.toLowerCase()}`;
}

/** A cloud backend for one test file (or one bench): see startCloud. */
export interface Cloud {
  ecs: AwsClientStub<ECSClient>;
  events: AwsClientStub<EventBridgeClient>;
  /** The functions' environment (functionEnvironment, on this cloud's dynalite). */
  env: Record<string, string>;
  /** The platform composed from `env` (one memoized instance, as in a warm Lambda). */
  platform(): Promise<CloudPlatform>;
  /** Restores the SDK clients; stops dynalite and removes its directory when startCloud started it. */
  close(): Promise<void>;
}

/**
 * A cloud over functionEnvironment(), with ECS and EventBridge mocked: no task definition exists yet (DescribeTaskDefinition fails as
 * ECS does for an unknown family), RegisterTaskDefinition and RunTask succeed (the task ARN is
 * taskArnOf(startedBy)), StopTask, PutEvents, PutRule and PutTargets succeed; DescribeTasks is
 * left to the tests. DynamoDB is the caller's dynalite at `dynamoEndpoint` (its table created),
 * or else one started here in a temporary directory.
 */
export async function startCloud(options: { dynamoEndpoint?: string } = {}): Promise<Cloud> {
  let dynamo: { dir: string; server: EmbeddedDynamo } | undefined;
  if (!options.dynamoEndpoint) {
    const dir = mkdtempSync(join(tmpdir(), 'containerizer-functions-'));
    dynamo = { dir, server: await startDynalite(dir, TABLE_NAME) };
  }
  const env = functionEnvironment(options.dynamoEndpoint ?? dynamo!.server.endpoint);

  const ecs = mockClient(ECSClient);
  ecs.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => ({
    taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${input.family}:1` },
  }));
  ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => ({ tasks: [{ taskArn: taskArnOf(input.startedBy!) }], failures: [] }));
  ecs.on(StopTaskCommand).resolves({});
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves(PUT_EVENTS_OK);
  events.on(PutRuleCommand).resolves({ RuleArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/containerizer-sched-x` });
  events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0, FailedEntries: [] });

  return {
    ecs,
    events,
    env,
    platform: () => createCloudPlatform(env),
    async close() {
      ecs.restore();
      events.restore();
      if (dynamo) {
        await dynamo.server.close();
        rmSync(dynamo.dir, { recursive: true, force: true });
      }
    },
  };
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
 * image service and routes); cold starts grow with it, and bench/lambda.ts keeps init ≤ 150 ms.
 */
export const API_BUNDLE_BUDGET_KIB = 1100;

/** One bundled function: the .mjs file, its size in bytes, and esbuild's metafile (what is in it). */
export interface Bundle {
  file: string;
  bytes: number;
  metafile: Metafile;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Bundles the entry point's file (shared/env.ts's ENTRY_POINTS) into `outDir`/index.mjs with the esbuild options
 * NodejsFunction derives from infra/function.ts's bundling props: one minified ESM file for
 * Node 22 with everything bundled (AWS SDK included), UTF-8 kept as is, a source map without
 * the sources' text, and the banner that gives
 * CommonJS dependencies their `require`.
 */
export async function bundleFunction(entryPoint: EntryPoint, outDir: string): Promise<Bundle> {
  const file = join(outDir, 'index.mjs');
  const result = await build({
    entryPoints: [join(REPO_ROOT, ENTRY_POINTS[entryPoint])],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    charset: 'utf8',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'silent',
  });
  return { file, bytes: statSync(file).size, metafile: result.metafile };
}

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
