/**
 * The cloud backend's composition: the platform over DynamoDB, ECS Fargate, EventBridge and
 * CloudWatch Logs, configured by the environment the CDK stack gives each Lambda function
 * (see the table in infra/containerizer-stack.ts). Every function composes it the same way;
 * what only some functions have (the schedule rules' target, the JWT secret) is read when
 * first used, so each function needs only its own variables.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CloudWatchLogSource } from './aws/cloudwatch-logs.js';
import { EcsRuntime } from './aws/ecs-runtime.js';
import { EventBridgeScheduler } from './aws/eventbridge-scheduler.js';
import { EventBridgeRunEventPublisher } from './aws/run-events.js';
import { createPlatform, type Platform } from './platform.js';
import type { Scheduler } from './ports.js';
import { TOKEN_LIFETIMES, type AuthConfig } from './services/auth.js';
import { createDb } from './store/db.js';

type Env = Record<string, string | undefined>;

/** The platform plus what the api's GET /health asks of the cloud backend. */
export interface CloudPlatform extends Platform {
  /** Resolves when DynamoDB answers a GetItem on the table; throws its error otherwise. */
  checkStore(): Promise<void>;
}

/** Finished runs are kept this many days, then DynamoDB's TTL deletes them. */
const FINISHED_RUN_TTL_DAYS = 90;
/** HS256 keys must be at least as long as the hash output, 256 bits (RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

const platforms = new WeakMap<Env, Promise<CloudPlatform>>();

/**
 * The platform configured by `env`, built once per env object: in a Lambda function, once per
 * cold start, so SDK clients, their connections and the JWT secret are reused across
 * invocations. A failed build (e.g. the secret could not be read) is not kept: the next call
 * tries again.
 * @throws Error naming the variable when a required one is missing or malformed.
 */
export function createCloudPlatform(env: Env = process.env): Promise<CloudPlatform> {
  let platform = platforms.get(env);
  if (!platform) {
    platform = build(env);
    platforms.set(env, platform);
    platform.catch(() => platforms.delete(env));
  }
  return platform;
}

async function build(env: Env): Promise<CloudPlatform> {
  // Lambda sets AWS_REGION; the clients' default credential chain finds the function's role.
  const clientConfig = { region: env.AWS_REGION };
  const events = new EventBridgeClient(clientConfig);
  const ecs = new ECSClient(clientConfig);
  // DYNAMODB_ENDPOINT points tests at dynalite or DynamoDB Local.
  const db = createDb(required(env, 'TABLE_NAME'), { ...clientConfig, ...(env.DYNAMODB_ENDPOINT && { endpoint: env.DYNAMODB_ENDPOINT }) });
  const logStreamPrefix = required(env, 'LOG_STREAM_PREFIX');
  const logGroupName = required(env, 'LOG_GROUP_NAME');
  const runtime = new EcsRuntime({
    ecs,
    config: {
      clusterArn: required(env, 'CLUSTER_ARN'),
      subnetIds: list(required(env, 'SUBNET_IDS')),
      securityGroupIds: list(required(env, 'SECURITY_GROUP_IDS')),
      assignPublicIp: assignPublicIp(env),
      executionRoleArn: required(env, 'TASK_EXECUTION_ROLE_ARN'),
      taskRoleArn: env.TASK_ROLE_ARN || undefined,
      logGroupName,
      logStreamPrefix,
      familyPrefix: env.TASK_FAMILY_PREFIX || undefined,
    },
  });
  const platform = createPlatform({
    db,
    runtime,
    scheduler: lazyScheduler(env, events),
    logs: new CloudWatchLogSource({ logs: new CloudWatchLogsClient(clientConfig), config: { logGroupName, logStreamPrefix } }),
    publisher: new EventBridgeRunEventPublisher({ events, config: { eventBusName: env.EVENT_BUS_NAME || undefined } }),
    auth: await authConfig(env, clientConfig),
    runs: { finishedRunTtlDays: FINISHED_RUN_TTL_DAYS },
  });
  return {
    ...platform,
    async checkStore() {
      await db.doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
    },
  };
}

/**
 * Only the api manages schedule rules, so only it has SCHEDULED_RUN_FUNCTION_ARN; the other
 * functions fire schedules (ScheduleService.fire) without ever calling put or remove.
 */
function lazyScheduler(env: Env, events: EventBridgeClient): Scheduler {
  let scheduler: EventBridgeScheduler | undefined;
  const get = () =>
    (scheduler ??= new EventBridgeScheduler({
      events,
      config: { rulePrefix: required(env, 'RULE_PREFIX'), targetArn: required(env, 'SCHEDULED_RUN_FUNCTION_ARN') },
    }));
  return { put: (schedule) => get().put(schedule), remove: (scheduleId) => get().remove(scheduleId) };
}

/**
 * The built-in accounts' HS256 key comes from Secrets Manager (JWT_SECRET_ARN, fetched here,
 * once per build) or, for tests and benchmarks, from JWT_SECRET. Functions without either
 * (all but the api) never sign or verify tokens; should one try, it fails naming the variable.
 */
async function authConfig(env: Env, clientConfig: { region?: string }): Promise<AuthConfig> {
  const common = {
    ...TOKEN_LIFETIMES,
    adminEmails: list(env.ADMIN_EMAILS ?? '').map((email) => email.toLowerCase()),
    oidc: oidcConfig(env),
  };
  if (!env.JWT_SECRET_ARN && !env.JWT_SECRET) {
    const missing = (): never => {
      throw new Error('JWT_SECRET_ARN is not set: this function cannot sign or verify tokens');
    };
    return {
      ...common,
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
  const secret = new TextEncoder().encode(env.JWT_SECRET || (await secretString(env.JWT_SECRET_ARN!, clientConfig)));
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`the JWT secret (JWT_SECRET_ARN or JWT_SECRET) must be at least ${MIN_SECRET_BYTES} bytes`);
  return { ...common, secret, issuer: required(env, 'JWT_ISSUER'), audience: required(env, 'JWT_AUDIENCE') };
}

async function secretString(secretId: string, clientConfig: { region?: string }): Promise<string> {
  const client = new SecretsManagerClient(clientConfig);
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new Error(`secret ${secretId} (JWT_SECRET_ARN) has no SecretString`);
    return out.SecretString;
  } finally {
    client.destroy();
  }
}

/** An external OpenID provider is configured by all three OIDC_* variables, or none. */
function oidcConfig(env: Env): AuthConfig['oidc'] {
  if (!env.OIDC_JWKS_URL && !env.OIDC_ISSUER && !env.OIDC_AUDIENCE) return undefined;
  return { jwksUrl: required(env, 'OIDC_JWKS_URL'), issuer: required(env, 'OIDC_ISSUER'), audience: required(env, 'OIDC_AUDIENCE') };
}

function assignPublicIp(env: Env): boolean {
  const value = required(env, 'ASSIGN_PUBLIC_IP');
  if (value !== 'ENABLED' && value !== 'DISABLED') throw new Error(`ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, not ${JSON.stringify(value)}`);
  return value === 'ENABLED';
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** A comma-separated variable's entries, trimmed, empty ones dropped. */
function list(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}
