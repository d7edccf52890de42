/**
 * The cloud composition end to end through the real AWS SDK against moto (an AWS emulator nobody
 * here wrote): the table exactly as the stack defines it, a VPC with DNS hostnames (as CDK sets
 * them), the cluster, the JWT secret in Secrets Manager, the run log group, the image bucket,
 * repository and build project. The handlers are the deployed ones (api, task-state-change,
 * scheduled-run, build-events), composed by createCloudPlatform from an environment that names
 * moto's resources; the events they get are built from what moto itself answers (DescribeTasks,
 * the rule's target, BatchGetBuilds). The enforcing mocks (test/functions/support.ts) keep what
 * moto cannot show: IAM, throttling, quotas, MISSING tasks, limits.
 *
 * Without moto this file says so and skips; on CI (CI=true) it fails instead.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetBuildsCommand, CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, DescribeTaskDefinitionCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { EventBridgeClient, ListRulesCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException as SchedulerNotFound,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Template } from 'aws-cdk-lib/assertions';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecrImageTag, type CodeBuildBuildStateChangeEvent, type EcrImageScanEvent } from '../../shared/aws/build-events.js';
import type { EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import type { ScheduledRunInput } from '../../shared/aws/eventbridge-scheduler.js';
import { createCloudPlatform } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import { apiHandler } from '../../shared/lambda/api.js';
import { buildEventsHandler } from '../../shared/lambda/build-events.js';
import { reconcilerHandler } from '../../shared/lambda/reconciler.js';
import { scheduledRunHandler } from '../../shared/lambda/scheduled-run.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { httpEvent, type HttpResult } from '../functions/support.js';
import { buildStack } from '../infra/build-stack.js';
import { waitFor } from '../support/fixtures.js';
import { motoUnavailable, startMoto, type Moto } from '../support/moto.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const TABLE_NAME = 'containerizer-e2e';
const CLUSTER = 'containerizer';
const RUN_LOG_GROUP = '/containerizer/runs';
const BUILD_LOG_GROUP = '/containerizer/builds';
const BUCKET = 'containerizer-contexts-e2e';
const REPOSITORY = 'containerizer-images';
const PROJECT = 'containerizer-images';
const ACCOUNT = '123456789012';
const SCHEDULED_RUN_FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:containerizer-scheduled-run`;
const SCHEDULE_GROUP = 'containerizer-e2e-schedules';

const unavailable = motoUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI must run the moto end-to-end test, but ${unavailable}`);

let moto: Moto;
const previousEndpoint = process.env.AWS_ENDPOINT_URL;
const clients = () => {
  const config = { region: REGION, credentials: CREDENTIALS, endpoint: moto.endpoint };
  return {
    dynamo: new DynamoDBClient(config),
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    events: new EventBridgeClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ecr: new ECRClient(config),
    codebuild: new CodeBuildClient(config),
    secrets: new SecretsManagerClient(config),
    scheduler: new SchedulerClient(config),
  };
};
let aws: ReturnType<typeof clients>;
let env: Record<string, string>;
type Handlers = {
  api: (event: ReturnType<typeof httpEvent>) => Promise<HttpResult>;
  taskStateChange: (event: EcsTaskStateChangeEvent) => Promise<void>;
  scheduledRun: (input: ScheduledRunInput) => Promise<void>;
  buildEvents: (event: CodeBuildBuildStateChangeEvent | EcrImageScanEvent) => Promise<void>;
  reconciler: () => Promise<void>;
};
let handlers: Handlers;

/** CreateTable from the stack's own AWS::DynamoDB::Table: keys, attributes, GSIs and projections, billing, stream; then its TTL. */
async function createTableAsTheStackDefinesIt(dynamo: DynamoDBClient): Promise<void> {
  const template = Template.fromStack(buildStack({ 'aws:cdk:bundling-stacks': [] }));
  const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as { Properties: Record<string, any> }[];
  const p = table.Properties;
  const input: CreateTableCommandInput = {
    TableName: TABLE_NAME,
    KeySchema: p.KeySchema,
    AttributeDefinitions: p.AttributeDefinitions,
    BillingMode: p.BillingMode,
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
    StreamSpecification: { StreamEnabled: true, StreamViewType: p.StreamSpecification.StreamViewType },
  };
  await dynamo.send(new CreateTableCommand(input));
  await dynamo.send(new UpdateTimeToLiveCommand({ TableName: TABLE_NAME, TimeToLiveSpecification: p.TimeToLiveSpecification }));
}

beforeAll(async () => {
  if (unavailable) return;
  moto = await startMoto();
  // The SDK clients the platform builds take their endpoint from here, as any AWS_ENDPOINT_URL-aware tool does.
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  aws = clients();

  await createTableAsTheStackDefinesIt(aws.dynamo);
  const vpc = (await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  // As CDK's Vpc sets them: DNS support and hostnames (one ModifyVpcAttribute call per attribute).
  await aws.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsSupport: { Value: true } }));
  await aws.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const subnets = await Promise.all(
    ['10.0.0.0/24', '10.0.1.0/24'].map(
      async (CidrBlock, i) =>
        (await aws.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock, AvailabilityZone: `${REGION}${'ab'[i]}` }))).Subnet!.SubnetId!,
    ),
  );
  const group = (
    await aws.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: 'containerizer-tasks', Description: 'Containerizer tasks: egress only' }))
  ).GroupId!;
  const cluster = (await aws.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  await aws.scheduler.send(new CreateScheduleGroupCommand({ Name: SCHEDULE_GROUP }));
  await aws.logs.send(new CreateLogGroupCommand({ logGroupName: RUN_LOG_GROUP }));
  await aws.logs.send(new CreateLogGroupCommand({ logGroupName: BUILD_LOG_GROUP }));
  const secret = (
    await aws.secrets.send(new CreateSecretCommand({ Name: 'containerizer-jwt', SecretString: 'moto-e2e-secret-moto-e2e-secret-0123456789abcdef' }))
  ).ARN!;
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const repositoryUri = (await aws.ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY, imageScanningConfiguration: { scanOnPush: true } })))
    .repository!.repositoryUri!;
  await aws.codebuild.send(
    new CreateProjectCommand({
      name: PROJECT,
      source: { type: 'S3', location: `${BUCKET}/contexts/` },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'ARM_CONTAINER',
        image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        privilegedMode: true,
      },
      serviceRole: `arn:aws:iam::${ACCOUNT}:role/containerizer-builds`,
      logsConfig: { cloudWatchLogs: { status: 'ENABLED', groupName: BUILD_LOG_GROUP } },
    }),
  );

  env = {
    [ENV.AWS_REGION]: REGION,
    [ENV.AWS_ACCESS_KEY_ID]: CREDENTIALS.accessKeyId,
    [ENV.AWS_SECRET_ACCESS_KEY]: CREDENTIALS.secretAccessKey,
    [ENV.TABLE_NAME]: TABLE_NAME,
    [ENV.CLUSTER_ARN]: cluster,
    [ENV.SUBNET_IDS]: subnets.join(','),
    [ENV.SECURITY_GROUP_IDS]: group,
    [ENV.ASSIGN_PUBLIC_IP]: 'ENABLED',
    [ENV.TASK_EXECUTION_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task-execution`,
    [ENV.TASK_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-task`,
    [ENV.LOG_GROUP_NAME]: RUN_LOG_GROUP,
    [ENV.LOG_STREAM_PREFIX]: 'run',
    [ENV.TASK_FAMILY_PREFIX]: 'containerizer-',
    [ENV.EVENT_BUS_NAME]: 'default',
    [ENV.API_URL]: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    [ENV.RULE_PREFIX]: 'containerizer-sched-',
    [ENV.SCHEDULE_GROUP_NAME]: SCHEDULE_GROUP,
    [ENV.SCHEDULER_ROLE_ARN]: `arn:aws:iam::${ACCOUNT}:role/containerizer-scheduler`,
    [ENV.SCHEDULED_RUN_FUNCTION_ARN]: SCHEDULED_RUN_FUNCTION_ARN,
    [ENV.FINISHED_RUN_TTL_DAYS]: '90',
    [ENV.JWT_SECRET_ARN]: secret,
    [ENV.JWT_ISSUER]: 'containerizer',
    [ENV.JWT_AUDIENCE]: 'containerizer-api',
    [ENV.IMAGE_BUCKET_NAME]: BUCKET,
    [ENV.BUILD_PROJECT_NAME]: PROJECT,
    [ENV.IMAGE_REPOSITORY_URI]: repositoryUri,
    [ENV.BUILD_LOG_GROUP_NAME]: BUILD_LOG_GROUP,
  };
  const platform = await createCloudPlatform(env);
  handlers = {
    api: apiHandler(platform) as unknown as Handlers['api'],
    taskStateChange: taskStateChangeHandler(platform),
    scheduledRun: scheduledRunHandler(platform),
    buildEvents: buildEventsHandler(platform, platform.scanFindings),
    reconciler: reconcilerHandler(platform),
  };
}, 180_000);

afterAll(async () => {
  if (unavailable) return;
  if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = previousEndpoint;
  const calls = moto?.calls();
  if (calls) console.log(`calls per service: ${JSON.stringify(calls.service)}`);
  // MOTO_LOG=<file> keeps moto's own log (its request lines and any traceback) for a failure's post-mortem.
  if (process.env.MOTO_LOG) writeFileSync(process.env.MOTO_LOG, moto.output());
  await moto?.stop();
});

async function call(method: string, path: string, options: Parameters<typeof httpEvent>[2] = {}) {
  const result = await handlers.api(httpEvent(method, path, options));
  const json = result.body && result.headers['content-type']?.includes('json') ? JSON.parse(result.body) : undefined;
  return { ...result, json };
}

/** The task moto started for a run (RunTask's startedBy is the run id). */
async function taskOf(runId: string): Promise<Task> {
  const { taskArns } = await aws.ecs.send(new ListTasksCommand({ cluster: env[ENV.CLUSTER_ARN], startedBy: runId }));
  expect(taskArns, `one task started by ${runId}`).toHaveLength(1);
  const { tasks } = await aws.ecs.send(new DescribeTasksCommand({ cluster: env[ENV.CLUSTER_ARN], tasks: taskArns }));
  return tasks![0];
}

let eventVersion = 0;

/**
 * The "ECS Task State Change" event EventBridge would deliver for `task` as moto describes it
 * (AWS docs, "Amazon ECS task state change events": the detail is the task's DescribeTasks shape,
 * timestamps as ISO strings, with a version that grows at each change); `patch` sets what moto's
 * tasks never do by themselves (their containers never exit).
 */
function taskEvent(task: Task, patch: Partial<Record<string, unknown>> = {}): EcsTaskStateChangeEvent {
  const detail = JSON.parse(JSON.stringify({ ...task, version: task.version ?? ++eventVersion, ...patch })) as EcsTaskStateChangeEvent['detail'];
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

describe.skipIf(unavailable)('the cloud backend against moto, through the real AWS SDK', () => {
  let token: string;
  let appId: string;

  it('registers and logs in with the JWT key read from Secrets Manager', async () => {
    const credentials = { email: 'moto@example.com', password: 'correct horse battery' };
    expect((await call('POST', '/auth/register', { body: credentials })).statusCode).toBe(201);
    const login = await call('POST', '/auth/login', { body: credentials });
    expect(login.statusCode).toBe(200);
    token = login.json.accessToken;
    expect((await call('GET', '/auth/me', { token })).json).toMatchObject({ email: 'moto@example.com' });
    const health = await call('GET', '/health');
    expect(health.statusCode).toBe(200);
  });

  it('keeps the table as the stack defines it, with DNS hostnames on the VPC as CDK sets them', async () => {
    const { Table } = await aws.dynamo.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
    expect(Table!.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual(
      (
        Object.values(Template.fromStack(buildStack({ 'aws:cdk:bundling-stacks': [] })).findResources('AWS::DynamoDB::Table'))[0] as any
      ).Properties.GlobalSecondaryIndexes.map((i: any) => i.IndexName).sort(),
    );
    const vpcId = (await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: env[ENV.SUBNET_IDS].split(',') }))).Subnets![0].VpcId!;
    const hostnames = await aws.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
    expect(hostnames.EnableDnsHostnames?.Value).toBe(true);
  });

  it('runs an app as a Fargate task: a task definition registered, RunTask started by the run, its state changes applied, its logs paged', async () => {
    const app = await call('POST', '/apps', {
      token,
      body: { name: 'hello', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['sh', '-c', 'echo hello; exit 3'], cpu: 0.25, memoryMiB: 512 },
    });
    expect(app.statusCode).toBe(201);
    appId = app.json.appId;
    const run = await call('POST', `/apps/${appId}/runs`, { token, body: {} });
    expect(run.statusCode).toBe(202);
    expect(run.json.stoppedReason).toBeUndefined();
    expect(run.json.status).not.toBe('FAILED');
    const runId: string = run.json.runId;

    const task = await taskOf(runId);
    expect(task).toMatchObject({ launchType: 'FARGATE', startedBy: runId });
    const { taskDefinition } = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }));
    expect(taskDefinition).toMatchObject({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512' });

    await handlers.taskStateChange(taskEvent(task, { lastStatus: 'RUNNING', startedAt: new Date().toISOString() }));
    expect((await call('GET', `/runs/${runId}`, { token })).json.status).toBe('RUNNING');

    // The awslogs driver's stream: <prefix>/<container>/<task id>.
    const taskId = task.taskArn!.split('/').pop()!;
    const container = task.containers?.[0]?.name ?? 'app';
    const logStreamName = `run/${container}/${taskId}`;
    await aws.logs.send(new CreateLogStreamCommand({ logGroupName: RUN_LOG_GROUP, logStreamName }));
    const now = Date.now();
    await aws.logs.send(
      new PutLogEventsCommand({
        logGroupName: RUN_LOG_GROUP,
        logStreamName,
        logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: now + i, message: `line ${i}` })),
      }),
    );
    const messages: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const query = `limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const logs = await call('GET', `/runs/${runId}/logs`, { token, query });
      expect(logs.statusCode).toBe(200);
      messages.push(...logs.json.events.map((e: { message: string }) => e.message));
      if (logs.json.events.length === 0 || logs.json.nextCursor === cursor) break;
      cursor = logs.json.nextCursor;
    }
    expect(messages).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));

    await handlers.taskStateChange(
      taskEvent(task, {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: new Date().toISOString(),
        containers: (task.containers ?? []).map((c) => ({ ...c, lastStatus: 'STOPPED', exitCode: 3 })),
      }),
    );
    const ended = await call('GET', `/runs/${runId}`, { token });
    expect(ended.json).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it('stops a run: StopTask reaches moto, and the STOPPED state change ends the run STOPPED', async () => {
    const run = await call('POST', `/apps/${appId}/runs`, { token, body: { command: ['sleep', '600'] } });
    const runId: string = run.json.runId;
    const started = await taskOf(runId);
    await handlers.taskStateChange(taskEvent(started, { lastStatus: 'RUNNING', startedAt: new Date().toISOString() }));
    expect((await call('POST', `/runs/${runId}/stop`, { token, body: {} })).statusCode).toBe(202);
    const stopped = await waitFor(async () => {
      const task = await taskOf(runId);
      return task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED' ? task : undefined;
    });
    await handlers.taskStateChange(
      taskEvent(stopped, {
        lastStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedAt: new Date().toISOString(),
        containers: (stopped.containers ?? []).map((c) => ({ ...c, lastStatus: 'STOPPED', exitCode: 143 })),
      }),
    );
    expect((await call('GET', `/runs/${runId}`, { token })).json).toMatchObject({ status: 'STOPPED' });
  });

  it("puts a schedule in the EventBridge Scheduler group with its time zone, fires it through its target's input, disables it and deletes it", async () => {
    const created = await call('POST', `/apps/${appId}/schedules`, { token, body: { expression: 'cron(0 9 ? * MON-FRI *)', timeZone: 'Europe/Berlin' } });
    expect(created.statusCode).toBe(201);
    const scheduleId: string = created.json.scheduleId;
    const get = () => aws.scheduler.send(new GetScheduleCommand({ Name: scheduleId, GroupName: SCHEDULE_GROUP }));
    const schedule = await get();
    expect(schedule).toMatchObject({ ScheduleExpression: 'cron(0 9 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Berlin', State: 'ENABLED' });
    expect(schedule.Target).toMatchObject({ Arn: SCHEDULED_RUN_FUNCTION_ARN, RoleArn: env[ENV.SCHEDULER_ROLE_ARN] });

    // What EventBridge Scheduler delivers: the target's Input with its scheduled-time context attribute filled in.
    const time = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const input = JSON.parse(schedule.Target!.Input!.replace('<aws.scheduler.scheduled-time>', time)) as ScheduledRunInput;
    await handlers.scheduledRun(input);
    await handlers.scheduledRun(input); // delivered at least once: a second delivery starts nothing new.
    const fires = await call('GET', `/schedules/${scheduleId}/fires`, { token });
    expect(fires.json.items).toHaveLength(1);
    expect(fires.json.items[0]).toMatchObject({ outcome: 'STARTED', deliveries: 2 });
    const scheduledRunId = fires.json.items[0].runId;
    expect((await taskOf(scheduledRunId)).startedBy).toBe(scheduledRunId);

    expect((await call('PATCH', `/schedules/${scheduleId}`, { token, body: { enabled: false } })).statusCode).toBe(200);
    expect((await get()).State).toBe('DISABLED');
    expect((await call('DELETE', `/schedules/${scheduleId}`, { token })).statusCode).toBe(204);
    await expect(get()).rejects.toBeInstanceOf(SchedulerNotFound);
  });

  it('moves a schedule of an earlier release from its EventBridge rule to the group once (the reconciler), the rule removed', async () => {
    const created = await call('POST', `/apps/${appId}/schedules`, { token, body: { expression: 'rate(1 hour)' } });
    const scheduleId: string = created.json.scheduleId;
    // As an earlier release left it: a rule, and no schedule in the group.
    await aws.scheduler.send(new DeleteScheduleCommand({ Name: scheduleId, GroupName: SCHEDULE_GROUP }));
    const rule = `${env[ENV.RULE_PREFIX]}${scheduleId}`;
    await aws.events.send(new PutRuleCommand({ Name: rule, ScheduleExpression: 'rate(1 hour)', State: 'ENABLED' }));
    await aws.events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'scheduled-run', Arn: SCHEDULED_RUN_FUNCTION_ARN }] }));

    await handlers.reconciler();
    expect((await aws.scheduler.send(new GetScheduleCommand({ Name: scheduleId, GroupName: SCHEDULE_GROUP }))).ScheduleExpression).toBe('rate(1 hour)');
    const rules = await aws.events.send(new ListRulesCommand({ NamePrefix: env[ENV.RULE_PREFIX] }));
    expect(rules.Rules ?? []).toEqual([]);
    // Once: the next tick moves nothing again.
    await aws.scheduler.send(new DeleteScheduleCommand({ Name: scheduleId, GroupName: SCHEDULE_GROUP }));
    await handlers.reconciler();
    await expect(aws.scheduler.send(new GetScheduleCommand({ Name: scheduleId, GroupName: SCHEDULE_GROUP }))).rejects.toBeInstanceOf(SchedulerNotFound);
    expect((await call('DELETE', `/schedules/${scheduleId}`, { token })).statusCode).toBe(204);
  });

  it('keeps an image context in S3, builds it with CodeBuild, records ECR scan findings, and deleting the image and the app leaves nothing behind', async () => {
    const created = await call('POST', '/images', {
      token,
      body: { name: 'greeter', files: { Dockerfile: 'FROM public.ecr.aws/docker/library/busybox:1.36\nCOPY greet.sh /opt/\n', 'greet.sh': 'echo hi\n' } },
    });
    expect(created.statusCode).toBe(201);
    const imageId: string = created.json.imageId;
    const contexts = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `contexts/${imageId}/` }));
    expect(contexts.Contents?.map((o) => o.Key)).toEqual([`contexts/${imageId}/1/context.tar`]);

    const build = await call('POST', `/images/${imageId}/builds`, { token, body: {} });
    expect(build.statusCode).toBe(202);
    const codeBuildId: string = build.json.buildRef ?? build.json.codeBuildId;
    const { builds } = await aws.codebuild.send(new BatchGetBuildsCommand({ ids: [codeBuildId] }));
    expect(builds).toHaveLength(1);
    const started = builds![0];

    // The image CodeBuild would push, and the event it would send when the build succeeds.
    const tag = ecrImageTag(imageId, 1);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: `sha256:${'a'.repeat(64)}` },
      layers: [],
    });
    const pushed = await aws.ecr.send(new PutImageCommand({ repositoryName: REPOSITORY, imageTag: tag, imageManifest: manifest }));
    const digest = pushed.image!.imageId!.imageDigest!;
    const environmentVariables = started.environment?.environmentVariables ?? [];
    await handlers.buildEvents({
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'CodeBuild Build State Change',
      source: 'aws.codebuild',
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION,
      resources: [started.arn!],
      detail: {
        'build-status': 'SUCCEEDED',
        'project-name': PROJECT,
        'build-id': started.arn!,
        'additional-information': {
          environment: { 'environment-variables': environmentVariables.map((v) => ({ name: v.name!, value: v.value!, type: v.type ?? 'PLAINTEXT' })) },
          'build-complete': true,
          'exported-environment-variables': [{ name: 'IMAGE_DIGEST', value: digest }],
        },
        'current-phase': 'COMPLETED',
        version: '1',
      },
    } as unknown as CodeBuildBuildStateChangeEvent);
    const built = await call('GET', `/images/${imageId}/builds/1`, { token });
    expect(built.json.status).toBe('BUILT');

    await handlers.buildEvents({
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'ECR Image Scan',
      source: 'aws.ecr',
      account: ACCOUNT,
      time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION,
      resources: [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}`],
      detail: { 'scan-status': 'COMPLETE', 'repository-name': REPOSITORY, 'finding-severity-counts': {}, 'image-digest': digest, 'image-tags': [tag] },
    } as EcrImageScanEvent);
    const scanned = await call('GET', `/images/${imageId}/builds/1`, { token });
    expect(scanned.json.scan).toBeDefined();

    expect((await call('DELETE', `/images/${imageId}`, { token })).statusCode).toBe(204);
    expect((await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `contexts/${imageId}/` }))).Contents ?? []).toEqual([]);
    expect((await aws.ecr.send(new DescribeImagesCommand({ repositoryName: REPOSITORY }))).imageDetails ?? []).toEqual([]);

    expect((await call('DELETE', `/apps/${appId}`, { token })).statusCode).toBe(204);
    const { Schedules } = await aws.scheduler.send(new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP }));
    expect(Schedules ?? []).toEqual([]);
    expect((await call('GET', `/apps/${appId}`, { token })).statusCode).toBe(404);
    // What stays is history by design: the app's versions (who changed what) and its runs.
    const items = (await aws.dynamo.send(new ScanCommand({ TableName: TABLE_NAME }))).Items ?? [];
    const kept = items.filter((item) => item.appId?.S === appId).map((item) => `${item.pk.S!.split('#')[0]} ${item.sk.S!.split('#')[0]}`);
    expect(new Set(kept)).toEqual(new Set(['APP VERSION', 'RUN RUN', 'SCHEDULE FIRE'].filter((k) => kept.includes(k))));
    expect(kept).not.toContain('APP APP');
  });
});
