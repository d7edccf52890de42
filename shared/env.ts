/**
 * The one list of the platform's environment variables and Lambda entry points, read by the
 * cloud composition (shared/cloud-platform.ts), dev mode (local/config.ts), the shared settings
 * (shared/settings.ts), the CDK constructs (infra/*) and the tests — in the manner of
 * Powertools' constants.ts and its documented environment readers.
 */

/**
 * Environment variable names. "Functions" are the Lambda entry points ({@link ENTRY_POINTS});
 * which of them get which variable is {@link FUNCTION_ENV}.
 */
export const ENV = {
  /** The AWS region of the SDK clients; Lambda sets it. Every function. */
  AWS_REGION: 'AWS_REGION',
  /** The credentials of the SDK clients (the function's role), with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; Lambda sets them. */
  AWS_ACCESS_KEY_ID: 'AWS_ACCESS_KEY_ID',
  /** See AWS_ACCESS_KEY_ID. */
  AWS_SECRET_ACCESS_KEY: 'AWS_SECRET_ACCESS_KEY',
  /** See AWS_ACCESS_KEY_ID; absent for long-term keys. */
  AWS_SESSION_TOKEN: 'AWS_SESSION_TOKEN',
  /** The DynamoDB table. Every function. */
  TABLE_NAME: 'TABLE_NAME',
  /** A DynamoDB endpoint other than AWS's (dynalite, DynamoDB Local). Tests and benchmarks only. */
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  /** The ECS cluster tasks run on (ARN). Every function. */
  CLUSTER_ARN: 'CLUSTER_ARN',
  /** Comma-separated subnets of the tasks (awsvpc). Every function. */
  SUBNET_IDS: 'SUBNET_IDS',
  /** Comma-separated security groups of the tasks. Every function. */
  SECURITY_GROUP_IDS: 'SECURITY_GROUP_IDS',
  /** `ENABLED` or `DISABLED`: whether tasks get a public IP. Every function. */
  ASSIGN_PUBLIC_IP: 'ASSIGN_PUBLIC_IP',
  /** executionRoleArn of the registered task definitions. Every function. */
  TASK_EXECUTION_ROLE_ARN: 'TASK_EXECUTION_ROLE_ARN',
  /** taskRoleArn of the registered task definitions (a role without rights). Every function; optional. */
  TASK_ROLE_ARN: 'TASK_ROLE_ARN',
  /** awslogs-group of the containers, where run logs are read. Every function. */
  LOG_GROUP_NAME: 'LOG_GROUP_NAME',
  /** awslogs-stream-prefix of the containers (`run`). Every function. */
  LOG_STREAM_PREFIX: 'LOG_STREAM_PREFIX',
  /** Task-definition family prefix (`containerizer-`). Every function; optional. */
  TASK_FAMILY_PREFIX: 'TASK_FAMILY_PREFIX',
  /** The bus run events are published to (`default`). Every function; optional. */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /** Name prefix of the schedule rules (`containerizer-sched-`). The api only. */
  RULE_PREFIX: 'RULE_PREFIX',
  /** ARN of the scheduled-run function, the target of every schedule rule. The api only. */
  SCHEDULED_RUN_FUNCTION_ARN: 'SCHEDULED_RUN_FUNCTION_ARN',
  /** Secrets Manager secret holding the HMAC key of the built-in accounts' tokens. The api only. */
  JWT_SECRET_ARN: 'JWT_SECRET_ARN',
  /** The HMAC key itself (≥ 32 bytes): dev mode (else generated and kept in DATA_DIR), tests and benchmarks. */
  JWT_SECRET: 'JWT_SECRET',
  /** `iss` of the built-in accounts' tokens. The api; dev mode (default `containerizer-local`). */
  JWT_ISSUER: 'JWT_ISSUER',
  /** `aud` of the built-in accounts' tokens. The api; dev mode (default `containerizer`). */
  JWT_AUDIENCE: 'JWT_AUDIENCE',
  /** JWKS URL of an external OpenID provider; with OIDC_ISSUER and OIDC_AUDIENCE, all or none. The api when configured; dev mode. */
  OIDC_JWKS_URL: 'OIDC_JWKS_URL',
  /** `iss` the OpenID provider's tokens carry. See OIDC_JWKS_URL. */
  OIDC_ISSUER: 'OIDC_ISSUER',
  /** `aud` the OpenID provider's tokens carry. See OIDC_JWKS_URL. */
  OIDC_AUDIENCE: 'OIDC_AUDIENCE',
  /** Comma-separated e-mails of the admins (case-insensitive). The api when configured; dev mode. */
  ADMIN_EMAILS: 'ADMIN_EMAILS',
  /**
   * Runs of built images whose scan has findings at or above this severity (CRITICAL, HIGH,
   * MEDIUM, LOW, INFORMATIONAL) end FAILED before starting; unset: no policy. The functions that start runs; dev mode.
   */
  SCAN_SEVERITY_THRESHOLD: 'SCAN_SEVERITY_THRESHOLD',
  /** Comma-separated prefixes an app's image string must start with; unset: any image. Built images are always allowed. The api; dev mode. */
  ALLOWED_IMAGE_PREFIXES: 'ALLOWED_IMAGE_PREFIXES',
  /** The S3 bucket of the images' build contexts (`contexts/<imageId>/<version>/`, a folder CodeBuild reads). The api. */
  IMAGE_BUCKET_NAME: 'IMAGE_BUCKET_NAME',
  /** The CodeBuild project that builds images. The api. */
  BUILD_PROJECT_NAME: 'BUILD_PROJECT_NAME',
  /** The ECR repository (URI) built images are pushed to, one immutable tag per build. The api. */
  IMAGE_REPOSITORY_URI: 'IMAGE_REPOSITORY_URI',
  /** The CloudWatch Logs group of the builds (one stream per build). The api. */
  BUILD_LOG_GROUP_NAME: 'BUILD_LOG_GROUP_NAME',
  /** `--enable-source-maps`, so stack traces point into the sources. Every function (set by the stack). */
  NODE_OPTIONS: 'NODE_OPTIONS',
  /** Dev mode's HTTP port (3000). */
  PORT: 'PORT',
  /** Dev mode's listen address (127.0.0.1). */
  HOST: 'HOST',
  /** Dev mode's data directory (.data): database, run logs, generated JWT secret. */
  DATA_DIR: 'DATA_DIR',
} as const;

/** The name of one of the platform's environment variables. */
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** The Lambda entry points: name → the file (from the repository root) whose `handler` export Lambda calls. */
export const ENTRY_POINTS = {
  api: 'functions/api.ts',
  'task-state-change': 'functions/task-state-change.ts',
  'scheduled-run': 'functions/scheduled-run.ts',
  reconciler: 'functions/reconciler.ts',
  'build-events': 'functions/build-events.ts',
} as const;

/** The name of a Lambda entry point. */
export type EntryPoint = keyof typeof ENTRY_POINTS;

/** What every function gets: the table, the task launch settings, the bus, the source-map flag. */
const EVERY_FUNCTION = [
  ENV.TABLE_NAME,
  ENV.CLUSTER_ARN,
  ENV.SUBNET_IDS,
  ENV.SECURITY_GROUP_IDS,
  ENV.ASSIGN_PUBLIC_IP,
  ENV.TASK_EXECUTION_ROLE_ARN,
  ENV.TASK_ROLE_ARN,
  ENV.LOG_GROUP_NAME,
  ENV.LOG_STREAM_PREFIX,
  ENV.TASK_FAMILY_PREFIX,
  ENV.EVENT_BUS_NAME,
  ENV.NODE_OPTIONS,
] as const;

/**
 * The variables the CDK stack gives each function: `always`, and `whenConfigured` (only when
 * the CDK context sets them; see infra/context.ts). Only the api manages schedule rules and
 * signs or verifies tokens.
 */
export const FUNCTION_ENV: Record<EntryPoint, { always: readonly EnvName[]; whenConfigured: readonly EnvName[] }> = {
  api: {
    always: [
      ...EVERY_FUNCTION,
      ENV.RULE_PREFIX,
      ENV.SCHEDULED_RUN_FUNCTION_ARN,
      ENV.JWT_SECRET_ARN,
      ENV.JWT_ISSUER,
      ENV.JWT_AUDIENCE,
      ENV.IMAGE_BUCKET_NAME,
      ENV.BUILD_PROJECT_NAME,
      ENV.IMAGE_REPOSITORY_URI,
      ENV.BUILD_LOG_GROUP_NAME,
    ],
    whenConfigured: [ENV.OIDC_JWKS_URL, ENV.OIDC_ISSUER, ENV.OIDC_AUDIENCE, ENV.ADMIN_EMAILS, ENV.SCAN_SEVERITY_THRESHOLD, ENV.ALLOWED_IMAGE_PREFIXES],
  },
  'task-state-change': { always: EVERY_FUNCTION, whenConfigured: [] },
  'scheduled-run': { always: EVERY_FUNCTION, whenConfigured: [ENV.SCAN_SEVERITY_THRESHOLD] },
  reconciler: { always: EVERY_FUNCTION, whenConfigured: [] },
  'build-events': { always: EVERY_FUNCTION, whenConfigured: [] },
};

/** An environment: `process.env`, or an explicit object (tests build platforms from one). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable is missing or malformed; `variables` names the ones at fault. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly variables: readonly EnvName[],
    message: string,
  ) {
    super(message);
  }
}

/** Reads variables of one environment; an empty value counts as unset. */
export interface EnvReader {
  /** @throws ConfigurationError "environment variable NAME is not set" */
  required(name: EnvName): string;
  /** The value, or undefined when unset or empty. */
  optional(name: EnvName): string | undefined;
  /**
   * A comma-separated value's entries, trimmed, empty ones dropped; [] when unset, unless `required`.
   * @throws ConfigurationError "environment variable NAME is not set" when `required` and there is no entry.
   */
  list(name: EnvName, options?: { required: boolean }): string[];
  /**
   * One of `values`; `fallback` when unset (required when there is none).
   * @throws ConfigurationError "NAME must be A or B, not "x""
   */
  oneOf<const T extends string>(name: EnvName, values: readonly T[], fallback?: T): T;
}

/** The reader of `env`; every error it throws names the variable. */
export function envReader(env: Env): EnvReader {
  const optional = (name: EnvName) => env[name] || undefined;
  const required = (name: EnvName) => optional(name) ?? fail(name, `environment variable ${name} is not set`);
  return {
    required,
    optional,
    list(name, options) {
      const entries = (optional(name) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return entries.length > 0 || !options?.required ? entries : fail(name, `environment variable ${name} is not set`);
    },
    oneOf<const T extends string>(name: EnvName, values: readonly T[], fallback?: T): T {
      const value = fallback === undefined ? required(name) : (optional(name) ?? fallback);
      if (!(values as readonly string[]).includes(value)) fail(name, `${name} must be ${values.join(' or ')}, not ${JSON.stringify(value)}`);
      return value as T;
    },
  };
}

function fail(name: EnvName, message: string): never {
  throw new ConfigurationError([name], message);
}
