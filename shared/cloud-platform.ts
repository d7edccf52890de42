/**
 * The cloud backend's composition: the platform over DynamoDB, ECS Fargate, EventBridge and
 * CloudWatch Logs, configured by the environment the CDK stack gives each Lambda function
 * (variables and who gets them: shared/env.ts). Every function composes it the same way;
 * what only some functions have (the schedule rules' target, the JWT secret) is read when
 * first used, so each function needs only its own variables.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsAlertQueue } from './aws/alert-queue.js';
import { CloudWatchLogSource } from './aws/cloudwatch-logs.js';
import { BuildSettlement } from './aws/build-settlement.js';
import { CodeBuildImageBuilder } from './aws/codebuild-image-builder.js';
import { EcrGarbageCollector } from './aws/ecr-garbage-collector.js';
import { CodeBuildLogs } from './aws/codebuild-logs.js';
import { EcrScanFindings } from './aws/ecr-scan-findings.js';
import { S3ContextStore } from './aws/s3-context-store.js';
import { EcsRuntime } from './aws/ecs-runtime.js';
import { DEFAULT_FARGATE_VCPU_QUOTA, FargateCapacity } from './aws/fargate-capacity.js';
import { EventBridgeScheduler } from './aws/eventbridge-scheduler.js';
import { EventBridgeRunEventPublisher } from './aws/run-events.js';
import { ECS_MISSING_GRACE_MS, FARGATE_STOP_TIMEOUT_SECONDS } from './cloud-limits.js';
import { createPlatform, type Platform } from './platform.js';
import type { Scheduler } from './ports.js';
import type { AuthConfig } from './services/auth.js';
import type { ImageBackend } from './services/images.js';
import { readAlertSettings, readAuthSettings, readCostSettings, readImagePolicy, readLimitSettings, signingKey } from './settings.js';
import { ConfigurationError, ENV, envReader, type Env, type EnvReader } from './env.js';
import { createDb, type Db } from './store/db.js';

/** The platform plus what the api's GET /health asks of the cloud backend. */
export interface CloudPlatform extends Platform {
  /** Resolves when DynamoDB answers a GetItem on the table; throws its error otherwise. */
  checkStore(): Promise<void>;
  /** Reads the findings of ECR scans (the build-events function). */
  scanFindings: EcrScanFindings;
  /** The table, for what sits beside the platform's services (the log follow's budget). */
  db: Db;
  /** Settles builds and scans whose events were lost (the reconciler), where the function has IMAGE_REPOSITORY_URI. */
  buildSettlement?: BuildSettlement;
  /** The alert delivery queue, where the function has ALERT_QUEUE_URL: every alert written is queued there. */
  alertQueue?: SqsAlertQueue;
}

/** The platform's alert queue. @throws ConfigurationError when ALERT_QUEUE_URL is not set (the alert-delivery function needs it). */
export function requiredAlertQueue(platform: CloudPlatform): SqsAlertQueue {
  if (!platform.alertQueue) throw new ConfigurationError([ENV.ALERT_QUEUE_URL], `${ENV.ALERT_QUEUE_URL} is not set`);
  return platform.alertQueue;
}

/** Finished runs are kept this many days unless FINISHED_RUN_TTL_DAYS says otherwise (the stack sets it from context). */
const DEFAULT_FINISHED_RUN_TTL_DAYS = 90;

const platforms = new WeakMap<Env, Promise<CloudPlatform>>();

/**
 * The platform configured by `env`, built once per env object: in a Lambda function, once per
 * cold start, so SDK clients, their connections and the JWT secret are reused across
 * invocations. A failed build (e.g. the secret could not be read) is not kept: the next call
 * tries again.
 * @throws ConfigurationError naming the variable when a required one is missing or malformed.
 */
export function createCloudPlatform(env: Env): Promise<CloudPlatform> {
  let platform = platforms.get(env);
  if (!platform) {
    platform = build(env);
    platforms.set(env, platform);
    platform.catch(() => platforms.delete(env));
  }
  return platform;
}

async function build(env: Env): Promise<CloudPlatform> {
  const read = envReader(env);
  const clientConfig = awsClientConfig(read);
  const events = new EventBridgeClient(clientConfig);
  const ecs = new ECSClient(clientConfig);
  const endpoint = read.optional(ENV.DYNAMODB_ENDPOINT);
  const db = createDb(read.required(ENV.TABLE_NAME), { ...clientConfig, ...(endpoint && { endpoint }) });
  const logStreamPrefix = read.required(ENV.LOG_STREAM_PREFIX);
  const logGroupName = read.required(ENV.LOG_GROUP_NAME);
  const runtime = new EcsRuntime({
    ecs,
    config: {
      clusterArn: read.required(ENV.CLUSTER_ARN),
      subnetIds: read.list(ENV.SUBNET_IDS, { required: true }),
      securityGroupIds: read.list(ENV.SECURITY_GROUP_IDS, { required: true }),
      assignPublicIp: read.oneOf(ENV.ASSIGN_PUBLIC_IP, ['ENABLED', 'DISABLED']) === 'ENABLED',
      executionRoleArn: read.required(ENV.TASK_EXECUTION_ROLE_ARN),
      taskRoleArn: read.optional(ENV.TASK_ROLE_ARN),
      logGroupName,
      logStreamPrefix,
      familyPrefix: read.optional(ENV.TASK_FAMILY_PREFIX),
      stopTimeoutSeconds: FARGATE_STOP_TIMEOUT_SECONDS,
    },
    // Runs beyond the account's vCPU quota or Fargate's launch rate wait PENDING in the launch queue (RunService.drainQueue).
    capacity: new FargateCapacity(read.positive(ENV.FARGATE_VCPU_QUOTA, DEFAULT_FARGATE_VCPU_QUOTA)),
  });
  const logs = new CloudWatchLogsClient(clientConfig);
  const ecr = new ECRClient(clientConfig);
  const scanFindings = new EcrScanFindings({ ecr });
  const repositoryUri = read.optional(ENV.IMAGE_REPOSITORY_URI);
  const alertQueueUrl = read.optional(ENV.ALERT_QUEUE_URL);
  const alertQueue = alertQueueUrl ? new SqsAlertQueue(new SQSClient(clientConfig), alertQueueUrl) : undefined;
  const platform = createPlatform({
    db,
    runtime,
    scheduler: lazyScheduler(read, events, clientConfig),
    logs: new CloudWatchLogSource({ logs, config: { logGroupName, logStreamPrefix } }),
    publisher: new EventBridgeRunEventPublisher({ events, config: { eventBusName: read.optional(ENV.EVENT_BUS_NAME) } }),
    auth: await cloudAuthConfig(env),
    limits: readLimitSettings(env),
    runs: { finishedRunTtlDays: read.wholeNumber(ENV.FINISHED_RUN_TTL_DAYS, DEFAULT_FINISHED_RUN_TTL_DAYS), missingGraceMs: ECS_MISSING_GRACE_MS },
    results: { resultBaseUrl: () => read.optional(ENV.API_URL)?.replace(/\/+$/, '') },
    imagePolicy: readImagePolicy(env),
    costs: readCostSettings(env, 'cloud'),
    // Alerts written here (a budget refusal, the alerts function, the reconciler's sweep) go to the delivery queue.
    alerts: { ...readAlertSettings(env, 'cloud'), ...(alertQueue && { onWritten: (deliveries) => alertQueue.enqueue(deliveries) }) },
    images: imageBackend(read, clientConfig, logs, ecr),
    // The builds in ECR that no app or recent run uses: POST /admin/gc (the api) and the reconciler's hourly pass.
    garbageCollector: repositoryUri ? new EcrGarbageCollector({ ecr, repositoryUri }) : undefined,
  });
  return {
    ...platform,
    scanFindings,
    db,
    alertQueue,
    buildSettlement: repositoryUri ? new BuildSettlement({ codebuild: new CodeBuildClient(clientConfig), ecr, findings: scanFindings }) : undefined,
    async checkStore() {
      await db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
    },
  };
}

/**
 * The image adapters, for the function that makes and builds images (the api): when
 * IMAGE_BUCKET_NAME is set, the other three variables must be too. Without it, none (images
 * answer 503 where they need the adapters).
 * @throws ConfigurationError naming a missing variable.
 */
function imageBackend(read: EnvReader, clientConfig: AwsClientConfig, logs: CloudWatchLogsClient, ecr: ECRClient): ImageBackend | undefined {
  const bucketName = read.optional(ENV.IMAGE_BUCKET_NAME);
  if (!bucketName) return undefined;
  const builder = new CodeBuildImageBuilder({
    codebuild: new CodeBuildClient(clientConfig),
    ecr,
    logs: new CodeBuildLogs({ logs, logGroupName: read.required(ENV.BUILD_LOG_GROUP_NAME) }),
    projectName: read.required(ENV.BUILD_PROJECT_NAME),
    bucketName,
    repositoryUri: read.required(ENV.IMAGE_REPOSITORY_URI),
  });
  return { builder, contexts: new S3ContextStore({ s3: new S3Client(clientConfig), bucketName }) };
}

/**
 * Only the api and the reconciler put schedule triggers, so only they have SCHEDULE_GROUP_NAME
 * and the rest; the other functions fire schedules (ScheduleService.fire) without ever calling
 * put or remove.
 */
function lazyScheduler(read: EnvReader, events: EventBridgeClient, clientConfig: AwsClientConfig): Scheduler {
  let scheduler: EventBridgeScheduler | undefined;
  const get = () => {
    if (scheduler) return scheduler;
    const rulePrefix = read.optional(ENV.RULE_PREFIX);
    return (scheduler = new EventBridgeScheduler({
      scheduler: new SchedulerClient(clientConfig),
      config: {
        groupName: read.required(ENV.SCHEDULE_GROUP_NAME),
        roleArn: read.required(ENV.SCHEDULER_ROLE_ARN),
        targetArn: read.required(ENV.SCHEDULED_RUN_FUNCTION_ARN),
        deadLetterQueueArn: read.optional(ENV.SCHEDULE_DEAD_LETTER_QUEUE_ARN),
        ...(rulePrefix && { legacyRules: { events, rulePrefix } }),
      },
    }));
  };
  return { put: (schedule) => get().put(schedule), remove: (scheduleId) => get().remove(scheduleId) };
}

/**
 * The built-in accounts' HS256 key comes from Secrets Manager (JWT_SECRET_ARN, fetched here,
 * once per build) or, for tests and benchmarks, from JWT_SECRET. Functions without either
 * (all but the api) never sign or verify tokens; should one try, it fails naming the variable.
 * The rest is shared/settings.ts's, as in dev mode.
 * @throws ConfigurationError naming the variables (see readAuthSettings, signingKey); Secrets Manager's errors.
 */
export async function cloudAuthConfig(env: Env): Promise<AuthConfig> {
  const read = envReader(env);
  const secretArn = read.optional(ENV.JWT_SECRET_ARN);
  const secret = read.optional(ENV.JWT_SECRET);
  if (!secretArn && !secret) {
    const missing = (): never => {
      throw new ConfigurationError([ENV.JWT_SECRET_ARN], `${ENV.JWT_SECRET_ARN} is not set: this function cannot sign or verify tokens`);
    };
    return {
      ...readAuthSettings(env, 'unused'),
      get secret() {
        return missing();
      },
      get issuer() {
        return missing();
      },
      get audience() {
        return missing();
      },
    };
  }
  const { claims, ...settings } = readAuthSettings(env, 'required');
  const key = signingKey(secret ?? (await secretString(secretArn!, awsClientConfig(read))), [ENV.JWT_SECRET_ARN, ENV.JWT_SECRET]);
  return { ...settings, ...claims, secret: key };
}

async function secretString(secretId: string, clientConfig: AwsClientConfig): Promise<string> {
  const client = new SecretsManagerClient(clientConfig);
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new ConfigurationError([ENV.JWT_SECRET_ARN], `secret ${secretId} (${ENV.JWT_SECRET_ARN}) has no SecretString`);
    return out.SecretString;
  } finally {
    client.destroy();
  }
}

type AwsClientConfig = { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };

/**
 * The SDK clients' region and credentials from `env` (Lambda sets AWS_REGION and the role's
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so a platform built from an
 * explicit env object uses that object's; without keys, the SDK's default chain applies.
 */
function awsClientConfig(read: EnvReader): AwsClientConfig {
  const accessKeyId = read.optional(ENV.AWS_ACCESS_KEY_ID);
  const secretAccessKey = read.optional(ENV.AWS_SECRET_ACCESS_KEY);
  const sessionToken = read.optional(ENV.AWS_SESSION_TOKEN);
  return {
    region: read.optional(ENV.AWS_REGION),
    ...(accessKeyId && secretAccessKey && { credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) } }),
  };
}
