/**
 * Array jobs' cloud fan-out end to end (issue 21) through the real AWS SDK against moto: the deployed handlers (api,
 * task-state-change) composed by createCloudPlatform over the table exactly as the stack defines it, moto's ECS cluster
 * in a VPC. An array of 12 children with parallelism 4: each child a RunTask on FARGATE started by its own id, carrying its
 * index, size and attempt in its main container's environment; at most 4 tasks started-and-not-ended at once; task state
 * events (built from moto's DescribeTasks) drive each child to its end and start the next ones; the parent ends FAILED
 * with the counts (one index exits 1). Then a stop of another array's parent reaches its running children (StopTask in
 * moto), which end STOPPED, as does the parent, and no further child is started.
 *
 * Without moto this file says so and skips; on CI (CI set) it fails instead.
 */
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { CreateLogGroupCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import { createCloudPlatform } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import { apiHandler } from '../../shared/lambda/api.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { ARRAY_ENV, childRunId } from '../../shared/rules/array-rules.js';
import { httpEvent, type HttpResult } from '../functions/support.js';
import { buildStack } from '../infra/build-stack.js';
import { waitFor } from '../support/fixtures.js';
import { motoUnavailable, startMoto, type Moto } from '../support/moto.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const TABLE_NAME = 'containerizer-arrays-e2e';
const ACCOUNT = '123456789012';
const RUN_LOG_GROUP = '/containerizer/runs';
const SIZE = 12;
const PARALLELISM = 4;
/** The index whose job exits 1: the parent ends FAILED. */
const FAILING_INDEX = 5;

const unavailable = motoUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI must run the moto end-to-end test of array jobs, but ${unavailable}`);
if (unavailable) console.warn(`skipping the array jobs' moto end-to-end test: ${unavailable}`);

let moto: Moto;
let ecs: ECSClient;
let cluster: string;
let api: (event: ReturnType<typeof httpEvent>) => Promise<HttpResult>;
let taskStateChange: (event: EcsTaskStateChangeEvent) => Promise<void>;
const previousEndpoint = process.env.AWS_ENDPOINT_URL;

beforeAll(async () => {
  if (unavailable) return;
  moto = await startMoto();
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  const config = { region: REGION, credentials: CREDENTIALS, endpoint: moto.endpoint };
  const dynamo = new DynamoDBClient(config);
  const ec2 = new EC2Client(config);
  ecs = new ECSClient(config);

  // The table from the stack's own AWS::DynamoDB::Table: keys, attributes, GSIs and projections; then its TTL.
  const [table] = Object.values(Template.fromStack(buildStack({ 'aws:cdk:bundling-stacks': [] })).findResources('AWS::DynamoDB::Table')) as {
    Properties: Record<string, any>;
  }[];
  const p = table!.Properties;
  const input: CreateTableCommandInput = {
    TableName: TABLE_NAME,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: p.BillingMode,
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
  };
  await dynamo.send(new CreateTableCommand(input));
  await dynamo.send(new UpdateTimeToLiveCommand({ TableName: TABLE_NAME, TimeToLiveSpecification: p.TimeToLiveSpecification }));

  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  // As CDK's Vpc sets them (moto's awsvpc tasks need the hostnames too).
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsSupport: { Value: true } }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.0.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const group = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'containerizer-tasks', Description: 'tasks' }))).GroupId!;
  cluster = (await ecs.send(new CreateClusterCommand({ clusterName: 'containerizer' }))).cluster!.clusterArn!;
  await new CloudWatchLogsClient(config).send(new CreateLogGroupCommand({ logGroupName: RUN_LOG_GROUP }));
  const secret = (
    await new SecretsManagerClient(config).send(
      new CreateSecretCommand({ Name: 'containerizer-jwt', SecretString: 'moto-arrays-secret-moto-arrays-secret-0123456789' }),
    )
  ).ARN!;

  const platform = await createCloudPlatform({
    [ENV.AWS_REGION]: REGION,
    [ENV.AWS_ACCESS_KEY_ID]: CREDENTIALS.accessKeyId,
    [ENV.AWS_SECRET_ACCESS_KEY]: CREDENTIALS.secretAccessKey,
    [ENV.TABLE_NAME]: TABLE_NAME,
    [ENV.CLUSTER_ARN]: cluster,
    [ENV.SUBNET_IDS]: subnet,
    [ENV.SECURITY_GROUP_IDS]: group,
    [ENV.ASSIGN_PUBLIC_IP]: 'ENABLED',
    [ENV.TASK_EXECUTION_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task-execution`,
    [ENV.TASK_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task`,
    [ENV.LOG_GROUP_NAME]: RUN_LOG_GROUP,
    [ENV.LOG_STREAM_PREFIX]: 'run',
    [ENV.TASK_FAMILY_PREFIX]: 'containerizer-',
    [ENV.EVENT_BUS_NAME]: 'default',
    [ENV.API_URL]: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    [ENV.FINISHED_RUN_TTL_DAYS]: '90',
    [ENV.JWT_SECRET_ARN]: secret,
    [ENV.JWT_ISSUER]: 'containerizer',
    [ENV.JWT_AUDIENCE]: 'containerizer-api',
  });
  api = apiHandler(platform) as unknown as typeof api;
  taskStateChange = taskStateChangeHandler(platform);
}, 180_000);

afterAll(async () => {
  if (unavailable) return;
  if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = previousEndpoint;
  if (process.env.MOTO_LOG) writeFileSync(process.env.MOTO_LOG, moto.output());
  await moto?.stop();
});

async function call(method: string, path: string, options: Parameters<typeof httpEvent>[2] = {}) {
  const result = await api(httpEvent(method, path, options));
  const json = result.body && result.headers['content-type']?.includes('json') ? JSON.parse(result.body) : undefined;
  return { ...result, json };
}

/** The tasks moto started for a run (RunTask's startedBy is the run id), as DescribeTasks answers. */
async function tasksOf(runId: string): Promise<Task[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, startedBy: runId }));
  if (!taskArns?.length) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
}

let eventVersion = 0;

/** The "ECS Task State Change" event EventBridge would deliver for `task` as moto describes it, with `patch` set (as in moto.test.ts). */
function taskEvent(task: Task, patch: Partial<Record<string, unknown>> = {}): EcsTaskStateChangeEvent {
  const detail = JSON.parse(JSON.stringify({ ...task, version: ++eventVersion, ...patch })) as EcsTaskStateChangeEvent['detail'];
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [task.taskArn!],
    detail,
  };
}

const stoppedEvent = (task: Task, exitCode: number, stopCode = 'EssentialContainerExited') =>
  taskEvent(task, {
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode,
    stoppedReason: stopCode === 'UserInitiated' ? 'Task stopped by user' : 'Essential container in task exited',
    stoppedAt: new Date().toISOString(),
    containers: (task.containers ?? []).map((c) => ({ ...c, lastStatus: 'STOPPED', exitCode })),
  });

/** The main container's environment a child's RunTask carried (its overrides, as moto keeps them). */
function environmentOf(task: Task): Record<string, string> {
  const overrides = task.overrides?.containerOverrides ?? [];
  return Object.fromEntries(overrides.flatMap((o) => o.environment ?? []).map((e) => [e.name!, e.value!]));
}

describe.skipIf(unavailable)('array jobs in the cloud, against moto', () => {
  let token: string;
  let appId: string;

  beforeAll(async () => {
    const credentials = { email: 'arrays@example.com', password: 'correct horse battery' };
    expect((await call('POST', '/auth/register', { body: credentials })).statusCode).toBe(201);
    token = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
    const app = await call('POST', '/apps', {
      token,
      body: {
        name: 'fan-out',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        command: ['sh', '-c', 'echo $CONTAINERIZER_ARRAY_INDEX'],
        cpu: 0.25,
        memoryMiB: 512,
      },
    });
    expect(app.statusCode).toBe(201);
    appId = app.json.appId;
  });

  it('fans 12 children out through RunTask, 4 at a time, each with its index; task events end them and the parent with the counts', async () => {
    const created = await call('POST', `/apps/${appId}/runs`, { token, body: { arrayProperties: { size: SIZE }, parallelism: PARALLELISM } });
    expect(created.statusCode).toBe(202);
    const parentRunId: string = created.json.runId;
    expect(created.json.arrayProperties).toMatchObject({ size: SIZE, parallelism: PARALLELISM, nextIndex: PARALLELISM });
    // The parent has no task of its own.
    expect(await tasksOf(parentRunId)).toEqual([]);

    const ended = new Set<number>();
    for (let round = 0; round < SIZE && ended.size < SIZE; round++) {
      const started = await Promise.all(Array.from({ length: SIZE }, (_, index) => tasksOf(childRunId(parentRunId, index))));
      started.forEach((tasks, index) => expect(tasks.length, `index ${index}: one task at most`).toBeLessThanOrEqual(1));
      const open = started.flatMap((tasks, index) => (tasks[0] && !ended.has(index) ? [{ index, task: tasks[0] }] : []));
      // At most `parallelism` children started and not ended, and each of them running as soon as one ended.
      expect(open.length).toBeGreaterThan(0);
      expect(open.length).toBeLessThanOrEqual(PARALLELISM);
      for (const { index, task } of open) {
        expect(task).toMatchObject({ launchType: 'FARGATE', startedBy: childRunId(parentRunId, index) });
        expect(environmentOf(task)).toMatchObject({ [ARRAY_ENV.index]: String(index), [ARRAY_ENV.size]: String(SIZE), [ARRAY_ENV.attempt]: '1' });
        await taskStateChange(taskEvent(task, { lastStatus: 'RUNNING', startedAt: new Date().toISOString() }));
        expect((await call('GET', `/runs/${parentRunId}`, { token })).json.status).toBe('RUNNING');
        await taskStateChange(stoppedEvent(task, index === FAILING_INDEX ? 1 : 0));
        ended.add(index);
      }
    }
    expect(ended.size).toBe(SIZE);
    const parent = (await call('GET', `/runs/${parentRunId}`, { token })).json;
    expect(parent).toMatchObject({
      status: 'FAILED',
      stoppedReason: `${SIZE} of ${SIZE} children ended: ${SIZE - 1} SUCCEEDED, 1 FAILED`,
      arrayProperties: { nextIndex: SIZE, statusSummary: { SUCCEEDED: SIZE - 1, FAILED: 1, STOPPED: 0, TIMED_OUT: 0 } },
    });
    const children = (await call('GET', `/runs/${parentRunId}/children`, { token, query: 'limit=100' })).json.items as any[];
    expect(children.map((c) => [c.arrayProperties.index, c.status])).toEqual(
      Array.from({ length: SIZE }, (_, index) => [index, index === FAILING_INDEX ? 'FAILED' : 'SUCCEEDED']),
    );
  }, 180_000);

  it('a stop of the parent reaches its running children (StopTask in moto); they and the parent end STOPPED, and no further child starts', async () => {
    const created = await call('POST', `/apps/${appId}/runs`, { token, body: { arrayProperties: { size: 6 }, parallelism: 3 } });
    expect(created.statusCode).toBe(202);
    const parentRunId: string = created.json.runId;
    const running = await Promise.all([0, 1, 2].map(async (index) => (await tasksOf(childRunId(parentRunId, index)))[0]!));
    for (const task of running) await taskStateChange(taskEvent(task, { lastStatus: 'RUNNING', startedAt: new Date().toISOString() }));

    expect((await call('POST', `/runs/${parentRunId}/stop`, { token, body: {} })).statusCode).toBe(202);
    for (const [index, task] of running.entries()) {
      const stopping = await waitFor(async () => {
        const [now] = await tasksOf(childRunId(parentRunId, index));
        return now?.desiredStatus === 'STOPPED' ? now : undefined;
      });
      await taskStateChange(stoppedEvent({ ...task, ...stopping }, 143, 'UserInitiated'));
    }
    const parent = (await call('GET', `/runs/${parentRunId}`, { token })).json;
    expect(parent.status).toBe('STOPPED');
    expect(parent.stoppedReason).toMatch(/3 of 6 children ended: 3 STOPPED$/);
    for (const index of [0, 1, 2]) expect((await call('GET', `/runs/${childRunId(parentRunId, index)}`, { token })).json.status).toBe('STOPPED');
    for (const index of [3, 4, 5]) expect(await tasksOf(childRunId(parentRunId, index))).toEqual([]);
  }, 120_000);
});
