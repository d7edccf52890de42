/**
 * The one list of the platform's environment variables, read by the cloud's config reader
 * (shared/cloud-config.ts), dev mode (local/config.ts), the shared settings (shared/settings.ts),
 * the CDK constructs (infra/*) and the tests — in the manner of Powertools' constants.ts and its
 * documented environment readers. Which function gets which: shared/function-env.ts; reading
 * them: shared/env-reader.ts.
 */

/**
 * Environment variable names. "Functions" are the Lambda entry points ({@link ENTRY_POINTS});
 * which of them get which variable is function-env.ts's FUNCTION_ENV.
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
  /**
   * The account's Fargate On-Demand vCPU quota (Service Quotas L-3032A538) the launch queue keeps
   * launches within; runs beyond it wait PENDING. Every function (CDK context `FARGATE_VCPU_QUOTA`,
   * default shared/aws/fargate-capacity.ts DEFAULT_FARGATE_VCPU_QUOTA).
   */
  FARGATE_VCPU_QUOTA: 'FARGATE_VCPU_QUOTA',
  /** The bus run events are published to (`default`). Every function; optional. */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /**
   * The step of the table's index upgrade the deployment is at (shared/table-indexes.ts): which GSI each
   * listing reads. Every function (CDK context `tableIndexStep`, default FINAL_INDEX_STEP; docs/upgrading-indexes.md).
   */
  TABLE_INDEX_STEP: 'TABLE_INDEX_STEP',
  /** Days a finished run is kept before DynamoDB's TTL deletes it; 0 keeps runs. Every function (CDK context `finishedRunTtlDays`, default 90). */
  FINISHED_RUN_TTL_DAYS: 'FINISHED_RUN_TTL_DAYS',
  /** Base URL of the log-follow function URL (response streaming), advertised by the api's buffered follows. The api only. */
  LOG_FOLLOW_URL: 'LOG_FOLLOW_URL',
  /** SQS queue (ARN) where EventBridge Scheduler puts schedule fires it could not deliver to the scheduled-run function. The api and the reconciler. */
  SCHEDULE_DEAD_LETTER_QUEUE_ARN: 'SCHEDULE_DEAD_LETTER_QUEUE_ARN',
  /** Name prefix of the schedule rules of earlier releases (`containerizer-sched-`), removed as schedules move to EventBridge Scheduler. The api and the reconciler. */
  RULE_PREFIX: 'RULE_PREFIX',
  /** ARN of the scheduled-run function, the target of every schedule. The api and the reconciler. */
  SCHEDULED_RUN_FUNCTION_ARN: 'SCHEDULED_RUN_FUNCTION_ARN',
  /** The deployment's EventBridge Scheduler schedule group, holding one schedule per platform schedule. The api and the reconciler. */
  SCHEDULE_GROUP_NAME: 'SCHEDULE_GROUP_NAME',
  /** The role EventBridge Scheduler assumes to invoke the scheduled-run function and reach the dead-letter queue. The api and the reconciler. */
  SCHEDULER_ROLE_ARN: 'SCHEDULER_ROLE_ARN',
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
  /**
   * Comma-separated e-mails of the admins (case-insensitive), honoured only for an OpenID provider's tokens that say
   * `email_verified: true`, never for built-in accounts (anyone can register an address). The api when configured; dev mode.
   */
  ADMIN_EMAILS: 'ADMIN_EMAILS',
  /**
   * Comma-separated account ids of the admins: built-in accounts' userId (a ULID the platform assigned at registration),
   * or `oidc:<sub>` for an OpenID provider's subject. The api when configured; dev mode.
   */
  ADMIN_USER_IDS: 'ADMIN_USER_IDS',
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
  /** The ECR repository (URI) built images are pushed to, one immutable tag per build. The api; the reconciler (lost build events, garbage collection). */
  IMAGE_REPOSITORY_URI: 'IMAGE_REPOSITORY_URI',
  /** The CloudWatch Logs group of the builds (one stream per build). The api. */
  BUILD_LOG_GROUP_NAME: 'BUILD_LOG_GROUP_NAME',
  /** `--enable-source-maps`, so stack traces point into the sources. Every function (set by the stack). */
  NODE_OPTIONS: 'NODE_OPTIONS',
  /** Most apps one user may have (100); more is a 409. The api; dev mode. */
  MAX_APPS_PER_USER: 'MAX_APPS_PER_USER',
  /** Most runs one user may have active (not finished) at once (20); more is a 429. Every function that starts runs; dev mode. */
  MAX_ACTIVE_RUNS_PER_USER: 'MAX_ACTIVE_RUNS_PER_USER',
  /** Most images one user may have (50); more is a 409. The api; dev mode. */
  MAX_IMAGES_PER_USER: 'MAX_IMAGES_PER_USER',
  /** Most builds one user may have queued or building at once (3); more is a 429. The api; dev mode. */
  MAX_CONCURRENT_BUILDS_PER_USER: 'MAX_CONCURRENT_BUILDS_PER_USER',
  /** Dev mode: builds run at once (2), shared fairly between owners (local/images/build-queue.ts). */
  BUILD_CONCURRENCY: 'BUILD_CONCURRENCY',
  /** Sign-in attempts per minute, per client address and per account (20); more is a 429. The api; dev mode. */
  LOGIN_ATTEMPTS_PER_MINUTE: 'LOGIN_ATTEMPTS_PER_MINUTE',
  /** Failed sign-ins of one account in 15 minutes after which it is locked until the 15 minutes are over (10). The api; dev mode. */
  LOGIN_FAILURES_BEFORE_LOCKOUT: 'LOGIN_FAILURES_BEFORE_LOCKOUT',
  /** Registrations per hour, per client address and per e-mail (20). The api; dev mode. */
  REGISTRATIONS_PER_HOUR: 'REGISTRATIONS_PER_HOUR',
  /** Token refreshes per minute, per client address and per account (30). The api; dev mode. */
  REFRESHES_PER_MINUTE: 'REFRESHES_PER_MINUTE',
  /** Results one run may post in all (100); more is a 409. The api; dev mode. */
  RESULT_POSTS_PER_RUN: 'RESULT_POSTS_PER_RUN',
  /** Results one run may post per minute (30); more is a 429 with Retry-After. The api; dev mode. */
  RESULT_POSTS_PER_MINUTE: 'RESULT_POSTS_PER_MINUTE',
  /** Metrics (numeric top-level fields) one result may carry (100); more is a 400. The api; dev mode. */
  METRICS_PER_RESULT: 'METRICS_PER_RESULT',
  /** `open` (default) or `closed`: whether anyone may register a built-in account. The api; dev mode. */
  REGISTRATION: 'REGISTRATION',
  /** Comma-separated e-mail domains registration is restricted to (case-insensitive); unset: any. The api; dev mode. */
  REGISTRATION_EMAIL_DOMAINS: 'REGISTRATION_EMAIL_DOMAINS',
  /** Comma-separated invite codes; when set, registering needs one of them (`inviteCode`). The api; dev mode. */
  REGISTRATION_INVITE_CODES: 'REGISTRATION_INVITE_CODES',
  /** The API's base URL as a task reaches it (the HTTP API's endpoint), for the jobs' CONTAINERIZER_RESULT_URL. Every function. */
  API_URL: 'API_URL',
  /** Live follows one user may have open at once (3); one more is a 429. log-follow (CDK context `followsPerUser`). */
  FOLLOWS_PER_USER: 'FOLLOWS_PER_USER',
  /** GetLogEvents calls per second all live follows share (8), a share of the account's GetLogEvents quota. log-follow (CDK context `followReadsPerSecond`). */
  FOLLOW_READS_PER_SECOND: 'FOLLOW_READS_PER_SECOND',
  /**
   * Comma-separated origins (`https://console.example.com`) whose pages may call the API from a
   * browser (CORS); unset: none but the API's own origin. The api (the stack sets the console's
   * CloudFront origin); dev mode (the console is served from the API's origin, so only another
   * front-end server, e.g. Vite's, needs it).
   */
  CORS_ALLOWED_ORIGINS: 'CORS_ALLOWED_ORIGINS',
  /**
   * s a run may take to start (PENDING/PROVISIONING, counted from its creation) before it ends FAILED, its task stopped (1800);
   * its timeoutSeconds counts from its start. Every function that sweeps runs (the reconciler); dev mode.
   */
  RUN_START_TIMEOUT_SECONDS: 'RUN_START_TIMEOUT_SECONDS',
  /** Fargate price override, USD per vCPU-hour (rules/cost-rules.ts); unset: the price table's for the Region. Every function that starts runs; dev mode. */
  FARGATE_PRICE_VCPU_HOUR: 'FARGATE_PRICE_VCPU_HOUR',
  /** Fargate price override, USD per GB-hour of memory; unset: the price table's. Every function that starts runs; dev mode. */
  FARGATE_PRICE_GB_HOUR: 'FARGATE_PRICE_GB_HOUR',
  /** The Region whose Fargate price runs are costed at: the cloud's own (AWS_REGION) by default; dev mode's estimate: us-east-1. */
  COST_REGION: 'COST_REGION',
  /** USD one owner's runs may cost per UTC month; past it new runs are refused with a 402; unset: no budget. Every function that starts runs; dev mode. */
  MONTHLY_BUDGET_USD: 'MONTHLY_BUDGET_USD',
  /**
   * Seconds before each retry of a failed alert delivery, comma-separated (attempt 2, 3, …); default
   * 5,300,1800,7200,18000,36000 (shared/rules/alert-rules.ts). Dev mode; tests shorten it.
   */
  ALERT_RETRY_SECONDS: 'ALERT_RETRY_SECONDS',
  /** The SQS queue (URL) of alert deliveries (infra/alerts.ts). The functions that write alerts: api, task-state-change, scheduled-run, reconciler, alerts, alert-delivery. */
  ALERT_QUEUE_URL: 'ALERT_QUEUE_URL',
  /** Dev mode's HTTP port (3000). */
  PORT: 'PORT',
  /** Dev mode's listen address (127.0.0.1). */
  HOST: 'HOST',
  /** Dev mode's data directory (.data): database, run logs, generated JWT secret. */
  DATA_DIR: 'DATA_DIR',
  /** Dev mode: the key that seals secret values (base64 of 32 bytes); unset: generated once and kept in DATA_DIR/secrets.key (0600), outside the database. */
  SECRETS_KEY: 'SECRETS_KEY',
  /**
   * Where the deployment keeps secret values in Secrets Manager: names `<SECRETS_PREFIX>/<ownerId>/<name>`
   * (e.g. `containerizer/<stack>`). The api (writes and masks them); the launchers read only what the version items name.
   */
  SECRETS_PREFIX: 'SECRETS_PREFIX',
  /** Dev mode: MiB of log a run may write (50); past it, one marker line and the rest is dropped. */
  RUN_LOG_MAX_MIB: 'RUN_LOG_MAX_MIB',
  /** Dev mode: MiB a run's writable layer may hold (10240) before the run is killed. */
  RUN_DISK_MAX_MIB: 'RUN_DISK_MAX_MIB',
  /** Dev mode: s between two garbage collections (600); 0 turns the timer off (POST /admin/gc still collects). */
  GC_INTERVAL_SECONDS: 'GC_INTERVAL_SECONDS',
  /** Dev mode: s an exited container is left to whoever is finishing it (saving its logs) before garbage collection removes it (600). */
  GC_CONTAINER_GRACE_SECONDS: 'GC_CONTAINER_GRACE_SECONDS',
  /** Dev mode: s between two measurements of each run's writable layer (5). */
  RUN_DISK_CHECK_SECONDS: 'RUN_DISK_CHECK_SECONDS',
  /** Dev mode: MiB of memory each build's RUN steps may use (2048), swap included (none). */
  BUILD_MEMORY_MIB: 'BUILD_MEMORY_MIB',
  /** Dev mode: vCPUs each build's RUN steps may use (1; a CFS quota). */
  BUILD_CPU: 'BUILD_CPU',
  /** Dev mode: s a build may take (900) before it is stopped and FAILED. */
  BUILD_TIMEOUT_SECONDS: 'BUILD_TIMEOUT_SECONDS',
  /** Dev mode: MiB of layers one build may write (4096) before it is stopped and FAILED; measured every RUN_DISK_CHECK_SECONDS and at its end. */
  BUILD_DISK_MAX_MIB: 'BUILD_DISK_MAX_MIB',
  /** The CLI: the API's base URL, over the profile's (CI: with CONTAINERIZER_TOKEN, no login needed). */
  CONTAINERIZER_API: 'CONTAINERIZER_API',
  /** The CLI: a bearer token used as is (not refreshed), over the profile's. */
  CONTAINERIZER_TOKEN: 'CONTAINERIZER_TOKEN',
  /** The CLI: the profile to use when --profile is not given (`default`). */
  CONTAINERIZER_PROFILE: 'CONTAINERIZER_PROFILE',
  /** The CLI: the base of its config directory (XDG Base Directory; default ~/.config). */
  XDG_CONFIG_HOME: 'XDG_CONFIG_HOME',
  /** The CLI: any value turns colour off (no-color.org). */
  NO_COLOR: 'NO_COLOR',
} as const;

/** The name of one of the platform's environment variables. */
export type EnvName = (typeof ENV)[keyof typeof ENV];
