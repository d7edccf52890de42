/**
 * The cloud backend's one config reader, as local/config.ts's loadConfig is dev mode's: every
 * variable the CDK stack gives a Lambda function (names and who gets them: shared/env.ts),
 * parsed here and nowhere else in the cloud composition (shared/cloud-platform.ts) and the
 * Lambda entries. Each section is read when asked for, so a function needs only the variables
 * of the sections it uses (run-expiry reads its log group and nothing of ECS); the shared
 * settings (limits, image policy, costs, auth) are shared/settings.ts's, as in dev mode.
 */
import type { EcsRuntimeConfig } from './aws/ecs-runtime.js';
import type { EventBridgeSchedulerConfig } from './aws/eventbridge-scheduler.js';
import { DEFAULT_FARGATE_VCPU_QUOTA } from './aws/fargate-capacity.js';
import { FARGATE_STOP_TIMEOUT_SECONDS } from './cloud-limits.js';
import { ENV } from './env.js';
import { envReader, type Env } from './env-reader.js';
import {
  readAlertSettings,
  readAuthSettings,
  readCorsOrigins,
  readCostSettings,
  readImagePolicy,
  readLimitSettings,
  readTableIndexStep,
  type AlertSettings,
  type AuthSettings,
  type CostSettings,
  type ImagePolicy,
  type LimitSettings,
  type TokenClaims,
} from './settings.js';

/** The SDK clients' region and credentials (absent: the SDK's default chain). */
export interface AwsClientConfig {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The image builds' resources (the api): the context bucket, the CodeBuild project and its log group, the ECR repository. */
export interface ImageBuildConfig {
  bucketName: string;
  buildLogGroupName: string;
  buildProjectName: string;
  repositoryUri: string;
}

/** Where the built-in accounts' HS256 key comes from: a Secrets Manager secret (ARN), or the key itself (tests, benchmarks). */
export interface JwtSecretSource {
  secretArn?: string;
  secret?: string;
}

/** Finished runs are kept this many days unless FINISHED_RUN_TTL_DAYS says otherwise (the stack sets it from context). */
export const DEFAULT_FINISHED_RUN_TTL_DAYS = 90;

/** Follows one user may have open at once unless FOLLOWS_PER_USER says otherwise. */
export const DEFAULT_FOLLOWS_PER_USER = 3;

/**
 * GetLogEvents calls per second all follows share unless FOLLOW_READS_PER_SECOND says otherwise:
 * 8 of the lowest Regional quota (10/s), leaving 2/s to the api's log pages and build logs.
 */
export const DEFAULT_FOLLOW_READS_PER_SECOND = 8;

/** The settings of the budget of live log follows (shared/lambda/follow-budget.ts). */
export interface FollowBudgetSettings {
  followsPerUser: number;
  readsPerSecond: number;
}

/** A function's configuration, section by section; each getter parses its variables when read. */
export interface CloudConfig {
  /** AWS_REGION and the role's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (Lambda sets them). */
  readonly aws: AwsClientConfig;
  /** TABLE_NAME, TABLE_INDEX_STEP (the index upgrade's step, shared/table-indexes.ts), and DYNAMODB_ENDPOINT (tests and benchmarks only). */
  readonly table: { tableName: string; indexStep: number; endpoint?: string };
  /** The runs' task definitions and network (ECS), with Fargate's stop timeout. */
  readonly ecs: EcsRuntimeConfig;
  /** FARGATE_VCPU_QUOTA: the account's Fargate On-Demand vCPU quota the launch queue keeps within. */
  readonly fargateVcpuQuota: number;
  /** SECRETS_PREFIX: where the deployment keeps secret values in Secrets Manager; the api only. */
  readonly secretsPrefix: string | undefined;
  /** ALERT_QUEUE_URL: the alert delivery queue (SQS), where the function writes or delivers alerts. */
  readonly alertQueueUrl: string | undefined;
  /** The webhook URL policy and retry schedule (ALERT_RETRY_SECONDS; readAlertSettings). */
  readonly alerts: AlertSettings;
  /** LOG_GROUP_NAME and LOG_STREAM_PREFIX: where the runs' logs are. */
  readonly runLogs: { logGroupName: string; logStreamPrefix: string };
  /** EVENT_BUS_NAME (undefined: the default bus). */
  readonly eventBusName: string | undefined;
  /** FINISHED_RUN_TTL_DAYS (default DEFAULT_FINISHED_RUN_TTL_DAYS). */
  readonly finishedRunTtlDays: number;
  /** API_URL without trailing slashes: the base of the result URL a job is given; undefined where unset. */
  readonly resultBaseUrl: string | undefined;
  /** IMAGE_REPOSITORY_URI, where the function has it (the api, build-events, the reconciler). */
  readonly imageRepositoryUri: string | undefined;
  /** The image builds' resources when IMAGE_BUCKET_NAME is set (then the other three must be too); undefined: no builds. */
  readonly imageBuilds: ImageBuildConfig | undefined;
  /** EventBridge Scheduler's group, role, target and dead-letter queue, and the legacy rules' prefix (the api and the reconciler). */
  readonly scheduler: Omit<EventBridgeSchedulerConfig, 'legacyRules'> & { rulePrefix?: string };
  /** JWT_SECRET_ARN or JWT_SECRET; both undefined in the functions that never sign or verify tokens. */
  readonly jwtSecret: JwtSecretSource;
  /** readAuthSettings with the claims JWT_ISSUER and JWT_AUDIENCE required (the api). */
  readonly auth: AuthSettings & { claims: TokenClaims };
  /** readAuthSettings without the claims (functions that never issue or verify built-in tokens). */
  readonly authWithoutClaims: AuthSettings;
  readonly limits: LimitSettings;
  readonly imagePolicy: ImagePolicy;
  readonly costs: CostSettings;
  /** LOG_FOLLOW_URL: the log-follow function URL the api's buffered follows advertise. */
  readonly logFollowUrl: string | undefined;
  /** CORS_ALLOWED_ORIGINS (readCorsOrigins). */
  readonly corsOrigins: string[];
  /** FOLLOWS_PER_USER and FOLLOW_READS_PER_SECOND: the live log follows' budget (shared/lambda/follow-budget.ts). */
  readonly followBudget: FollowBudgetSettings;
}

/**
 * The configuration of the function whose environment is `env`.
 * @throws ConfigurationError naming the variable, when a section read is missing a required one or holds a malformed one.
 */
export function readCloudConfig(env: Env): CloudConfig {
  const read = envReader(env);
  return {
    get aws() {
      const accessKeyId = read.optional(ENV.AWS_ACCESS_KEY_ID);
      const secretAccessKey = read.optional(ENV.AWS_SECRET_ACCESS_KEY);
      const sessionToken = read.optional(ENV.AWS_SESSION_TOKEN);
      return {
        region: read.optional(ENV.AWS_REGION),
        ...(accessKeyId && secretAccessKey && { credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) } }),
      };
    },
    get table() {
      const endpoint = read.optional(ENV.DYNAMODB_ENDPOINT);
      return { tableName: read.required(ENV.TABLE_NAME), indexStep: readTableIndexStep(env), ...(endpoint && { endpoint }) };
    },
    get ecs() {
      return {
        clusterArn: read.required(ENV.CLUSTER_ARN),
        subnetIds: read.list(ENV.SUBNET_IDS, { required: true }),
        securityGroupIds: read.list(ENV.SECURITY_GROUP_IDS, { required: true }),
        assignPublicIp: read.oneOf(ENV.ASSIGN_PUBLIC_IP, ['ENABLED', 'DISABLED']) === 'ENABLED',
        executionRoleArn: read.required(ENV.TASK_EXECUTION_ROLE_ARN),
        taskRoleArn: read.optional(ENV.TASK_ROLE_ARN),
        ...this.runLogs,
        familyPrefix: read.optional(ENV.TASK_FAMILY_PREFIX),
        stopTimeoutSeconds: FARGATE_STOP_TIMEOUT_SECONDS,
      };
    },
    get fargateVcpuQuota() {
      return read.positive(ENV.FARGATE_VCPU_QUOTA, DEFAULT_FARGATE_VCPU_QUOTA);
    },
    get secretsPrefix() {
      return read.optional(ENV.SECRETS_PREFIX);
    },
    get alertQueueUrl() {
      return read.optional(ENV.ALERT_QUEUE_URL);
    },
    get alerts() {
      return readAlertSettings(env, 'cloud');
    },
    get runLogs() {
      return { logGroupName: read.required(ENV.LOG_GROUP_NAME), logStreamPrefix: read.required(ENV.LOG_STREAM_PREFIX) };
    },
    get eventBusName() {
      return read.optional(ENV.EVENT_BUS_NAME);
    },
    get finishedRunTtlDays() {
      return read.wholeNumber(ENV.FINISHED_RUN_TTL_DAYS, DEFAULT_FINISHED_RUN_TTL_DAYS);
    },
    get resultBaseUrl() {
      return read.optional(ENV.API_URL)?.replace(/\/+$/, '');
    },
    get imageRepositoryUri() {
      return read.optional(ENV.IMAGE_REPOSITORY_URI);
    },
    get imageBuilds() {
      const bucketName = read.optional(ENV.IMAGE_BUCKET_NAME);
      if (!bucketName) return undefined;
      return {
        bucketName,
        buildLogGroupName: read.required(ENV.BUILD_LOG_GROUP_NAME),
        buildProjectName: read.required(ENV.BUILD_PROJECT_NAME),
        repositoryUri: read.required(ENV.IMAGE_REPOSITORY_URI),
      };
    },
    get scheduler() {
      const rulePrefix = read.optional(ENV.RULE_PREFIX);
      return {
        groupName: read.required(ENV.SCHEDULE_GROUP_NAME),
        roleArn: read.required(ENV.SCHEDULER_ROLE_ARN),
        targetArn: read.required(ENV.SCHEDULED_RUN_FUNCTION_ARN),
        deadLetterQueueArn: read.optional(ENV.SCHEDULE_DEAD_LETTER_QUEUE_ARN),
        ...(rulePrefix && { rulePrefix }),
      };
    },
    get jwtSecret() {
      return { secretArn: read.optional(ENV.JWT_SECRET_ARN), secret: read.optional(ENV.JWT_SECRET) };
    },
    get auth() {
      return readAuthSettings(env, 'required');
    },
    get authWithoutClaims() {
      return readAuthSettings(env, 'unused');
    },
    get limits() {
      return readLimitSettings(env);
    },
    get imagePolicy() {
      return readImagePolicy(env);
    },
    get costs() {
      return readCostSettings(env, 'cloud');
    },
    get logFollowUrl() {
      return read.optional(ENV.LOG_FOLLOW_URL);
    },
    get corsOrigins() {
      return readCorsOrigins(env);
    },
    get followBudget() {
      return {
        followsPerUser: read.positiveInt(ENV.FOLLOWS_PER_USER, DEFAULT_FOLLOWS_PER_USER),
        readsPerSecond: read.positive(ENV.FOLLOW_READS_PER_SECOND, DEFAULT_FOLLOW_READS_PER_SECOND),
      };
    },
  };
}
