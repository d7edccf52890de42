/**
 * The cloud backend's composition: the platform over DynamoDB, ECS Fargate, EventBridge and
 * CloudWatch Logs, configured by the environment the CDK stack gives each Lambda function as
 * shared/cloud-config.ts reads it (variables and who gets them: shared/env.ts). Every function composes it the same way;
 * what only some functions have (the schedule rules' target, the JWT secret) is read when
 * first used, so each function needs only its own variables.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsAlertQueue } from './aws/alert-queue.js';
import { CloudWatchLogSource } from './aws/cloudwatch-logs.js';
import { EcsRuntime } from './aws/ecs-runtime.js';
import { FargateCapacity } from './aws/fargate-capacity.js';
import { EventBridgeRunEventPublisher } from './aws/run-events.js';
import { ECS_MISSING_GRACE_MS } from './cloud-limits.js';
import { createPlatform, type Platform } from './platform.js';
import type { Scheduler } from './ports.js';
import type { BuildSettlement } from './aws/build-settlement.js';
import type { EcrScanFindings } from './aws/ecr-scan-findings.js';
import type { CloudImageAdapters } from './cloud-images.js';
import { cloudScheduler } from './cloud-scheduler.js';
import { readSecretString } from './aws/secret-string.js';
import { SecretsManagerVault } from './aws/secrets-manager-vault.js';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ImageBackend } from './services/images.js';
import { signingKey, type AuthConfig } from './settings.js';
import { readCloudConfig, type AwsClientConfig, type CloudConfig } from './cloud-config.js';
import { ENV } from './env.js';
import { ConfigurationError, type Env } from './env-reader.js';
import { createDb, type Db } from './store/db.js';
import { readsAt } from './table-indexes.js';

/** The platform plus what the api's GET /health asks of the cloud backend. */
export interface CloudPlatform extends Platform {
  /** Resolves when DynamoDB answers a GetItem on the table; throws its error otherwise. */
  checkStore(): Promise<void>;
  /** Reads the findings of ECR scans (the build-events function). */
  scanFindings: Pick<EcrScanFindings, 'complete'>;
  /** The table, for what sits beside the platform's services (the log follow's budget). */
  db: Db;
  /** Settles builds and scans whose events were lost (the reconciler), where the function has IMAGE_REPOSITORY_URI. */
  buildSettlement?: Pick<BuildSettlement, 'settle'>;
  /** The function's configuration (readCloudConfig), for what the entry points read beside the platform. */
  config: CloudConfig;
  /** The alert delivery queue, where the function has ALERT_QUEUE_URL: every alert written is queued there. */
  alertQueue?: SqsAlertQueue;
}

/** The platform's alert queue. @throws ConfigurationError when ALERT_QUEUE_URL is not set (the alert-delivery function needs it). */
export function requiredAlertQueue(platform: CloudPlatform): SqsAlertQueue {
  if (!platform.alertQueue) throw new ConfigurationError([ENV.ALERT_QUEUE_URL], `${ENV.ALERT_QUEUE_URL} is not set`);
  return platform.alertQueue;
}

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
  const config = readCloudConfig(env);
  const clientConfig = config.aws;
  const events = new EventBridgeClient(clientConfig);
  const ecs = new ECSClient(clientConfig);
  const { tableName, endpoint, indexStep } = config.table;
  const db = createDb(tableName, { ...clientConfig, ...(endpoint && { endpoint }) }, readsAt(indexStep));
  const runLogs = config.runLogs;
  const runtime = new EcsRuntime({
    ecs,
    config: config.ecs,
    // Runs beyond the account's vCPU quota or Fargate's launch rate wait PENDING in the launch queue (RunService.drainQueue).
    capacity: new FargateCapacity(config.fargateVcpuQuota),
  });
  const logs = new CloudWatchLogsClient(clientConfig);
  const repositoryUri = config.imageRepositoryUri;
  const imageBuilds = config.imageBuilds;
  // Made when an image adapter is first used (cloud-images.ts): most invocations never touch one.
  const images = once(async () => (await import('./cloud-images.js')).cloudImageAdapters({ aws: clientConfig, logs, imageBuilds, repositoryUri }));
  const alertQueueUrl = config.alertQueueUrl;
  const alertQueue = alertQueueUrl ? new SqsAlertQueue(new SQSClient(clientConfig), alertQueueUrl) : undefined;
  const platform = createPlatform({
    db,
    runtime,
    scheduler: lazyScheduler(config, events),
    logs: new CloudWatchLogSource({ logs, config: runLogs }),
    publisher: new EventBridgeRunEventPublisher({ events, config: { eventBusName: config.eventBusName } }),
    auth: await cloudAuthConfig(config),
    limits: config.limits,
    runs: { finishedRunTtlDays: config.finishedRunTtlDays, missingGraceMs: ECS_MISSING_GRACE_MS },
    results: { resultBaseUrl: () => config.resultBaseUrl },
    imagePolicy: config.imagePolicy,
    costs: config.costs,
    // Alerts written here (a budget refusal, the alerts function, the reconciler's sweep) go to the delivery queue.
    alerts: { ...config.alerts, ...(alertQueue && { onWritten: (deliveries) => alertQueue.enqueue(deliveries) }) },
    // A replay checks ECR still holds the old run's digest (made with the other image adapters, on first use).
    imageDigests: { pinned: async (image, digest) => (await images()).imageDigests.pinned(image, digest) },
    images: imageBuilds && lazyImageBackend(images),
    // The builds in ECR that no app or recent run uses: POST /admin/gc (the api) and the reconciler's hourly pass.
    garbageCollector: repositoryUri ? { collect: async (inUse) => (await images()).garbageCollector!.collect(inUse) } : undefined,
    // Secrets Manager under the deployment's prefix (only the api writes: it alone has SECRETS_PREFIX).
    secretVault: new SecretsManagerVault(new SecretsManagerClient(clientConfig), config.secretsPrefix),
  });
  return {
    ...platform,
    config,
    scanFindings: { complete: async (repositoryName, found) => (await images()).scanFindings.complete(repositoryName, found) },
    db,
    alertQueue,
    buildSettlement: repositoryUri ? { settle: async (builds, now) => (await images()).buildSettlement!.settle(builds, now) } : undefined,
    async checkStore() {
      await db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
    },
  };
}

/**
 * The image adapters, for the function that makes and builds images (the api, where
 * IMAGE_BUCKET_NAME is set: readCloudConfig's imageBuilds), each call passed to the adapters
 * once they are loaded.
 */
function lazyImageBackend(images: () => Promise<CloudImageAdapters>): ImageBackend {
  const backend = async () => (await images()).backend!;
  return {
    builder: {
      build: async (request) => (await backend()).builder.build(request),
      readLog: async (build, options) => (await backend()).builder.readLog(build, options),
      discard: async (imageId) => (await backend()).builder.discard(imageId),
    },
    contexts: {
      put: async (imageId, version, context) => (await backend()).contexts.put(imageId, version, context),
      get: async (imageId, version) => (await backend()).contexts.get(imageId, version),
      removeAll: async (imageId) => (await backend()).contexts.removeAll(imageId),
    },
  };
}

/** What `make` returns, made on the first call and kept; one that throws is made again at the next call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * Only the api and the reconciler put schedule triggers, so only they have SCHEDULE_GROUP_NAME
 * and the rest; the other functions fire schedules (ScheduleService.fire) without ever calling
 * put or remove.
 */
function lazyScheduler(config: CloudConfig, events: EventBridgeClient): Scheduler {
  const scheduler = once(() => cloudScheduler(config, events));
  return { put: (schedule) => scheduler().put(schedule), remove: (scheduleId) => scheduler().remove(scheduleId) };
}

/**
 * The built-in accounts' HS256 key comes from Secrets Manager (JWT_SECRET_ARN, fetched here,
 * once per build) or, for tests and benchmarks, from JWT_SECRET. Functions without either
 * (all but the api) never sign or verify tokens; should one try, it fails naming the variable.
 * The rest is shared/settings.ts's, as in dev mode.
 * @throws ConfigurationError naming the variables (see readAuthSettings, signingKey); Secrets Manager's errors.
 */
export async function cloudAuthConfig(config: CloudConfig): Promise<AuthConfig> {
  const { secretArn, secret } = config.jwtSecret;
  if (!secretArn && !secret) {
    const missing = (): never => {
      throw new ConfigurationError([ENV.JWT_SECRET_ARN], `${ENV.JWT_SECRET_ARN} is not set: this function cannot sign or verify tokens`);
    };
    return {
      ...config.authWithoutClaims,
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
  const { claims, ...settings } = config.auth;
  const key = signingKey(secret ?? (await secretString(secretArn!, config.aws)), [ENV.JWT_SECRET_ARN, ENV.JWT_SECRET]);
  return { ...settings, ...claims, secret: key };
}

async function secretString(secretId: string, clientConfig: AwsClientConfig): Promise<string> {
  const secret = await readSecretString(secretId, clientConfig);
  if (!secret) throw new ConfigurationError([ENV.JWT_SECRET_ARN], `secret ${secretId} (${ENV.JWT_SECRET_ARN}) has no SecretString`);
  return secret;
}
