/**
 * The CDK context keys the stack reads. Set them in cdk.json's `context`, or per command with
 * `cdk synth -c key=value` (list values are comma-separated there).
 *
 * | key                | meaning                                                                  | default                     |
 * |--------------------|--------------------------------------------------------------------------|-----------------------------|
 * | `vpcId`            | an existing VPC to run tasks in; required with `subnetIds`               | a new VPC (see below)       |
 * | `subnetIds`        | existing subnets the tasks' network interfaces are placed in             | the new VPC's public subnets|
 * | `securityGroupIds` | existing security groups for the tasks                                   | a new egress-only group     |
 * | `assignPublicIp`   | `ENABLED` or `DISABLED`: give each task a public IP                      | `ENABLED`                   |
 * | `privateSubnetEgress` | with `assignPublicIp` DISABLED, how the subnets reach out: `nat` (a NAT gateway or instance) | required then |
 * | `logRetentionDays` | days to keep run logs, API access logs and function logs                 | 30                          |
 * | `finishedRunTtlDays` | days a finished run (and a schedule's fire record) is kept; 0 = forever | 90                          |
 * | `tableIndexStep`   | the step of the table's index upgrade to deploy (docs/upgrading-indexes.md) | the last (FINAL_INDEX_STEP)  |
 * | `adminUserIds`     | admins by account id (a built-in account's userId, or `oidc:<sub>`)      | none                        |
 * | `adminEmails`      | admins by e-mail, for OpenID tokens with `email_verified: true` only     | none                        |
 * | `oidcJwksUrl`      | JWKS URL of an external OpenID provider whose tokens the API accepts     | built-in accounts only      |
 * | `oidcIssuer`       | the `iss` those tokens must carry                                        | none                        |
 * | `oidcAudience`     | the `aud` those tokens must carry                                        | none                        |
 * | `MAX_APPS_PER_USER`, `MAX_ACTIVE_RUNS_PER_USER`, `LOGIN_*`, `REGISTRATION*`, `REFRESHES_PER_MINUTE`, `RUN_START_TIMEOUT_SECONDS` | quotas, sign-in limits and the bound on a run's time to start, as in dev mode (shared/env.ts LIMIT_SETTINGS) | shared/settings.ts defaults |
 * | `SCAN_SEVERITY_THRESHOLD` | runs of built images with scan findings at or above it fail (CRITICAL…INFORMATIONAL) | no policy      |
 * | `ALLOWED_IMAGE_PREFIXES` | prefixes an app's image string must start with                      | any image                   |
 * | `COST_REGION`, `FARGATE_PRICE_*`, `MONTHLY_BUDGET_USD` | run prices and the monthly budget (shared/env.ts COST_SETTINGS) | the stack's Region, the price table, none |
 * | `followConcurrency` | reserved concurrency of the log-follow function: live follows open at once, deployment-wide | 20 |
 * | `followsPerUser`   | live follows one user may have open at once                              | 3                           |
 * | `followReadsPerSecond` | GetLogEvents calls per second all live follows share (the account's quota is 10 or 25 per Region) | 8    |
 * | `dockerHubCacheSecretArn` | a Secrets Manager secret `ecr-pullthroughcache/…` with Docker Hub credentials: builds pull Docker Hub base images through an ECR pull-through cache | Docker Hub, anonymously |
 *
 * The new VPC has public subnets only and no NAT gateway (a NAT gateway bills by the hour
 * whether or not jobs run), so tasks need a public IP to pull images; `assignPublicIp`
 * exists for existing private subnets that reach out through their own NAT, and `DISABLED`
 * is refused without them (every image pull would fail). Existing private subnets must say they
 * have a NAT (`privateSubnetEgress` nat): a job posts its result to the API's public endpoint,
 * which VPC endpoints alone cannot reach (with a private `execute-api` endpoint and private DNS,
 * public APIs answer 403), so `vpc-endpoints` is refused with that reason. The OpenID settings come all
 * three or none (a partial set would make the api's cold start throw: the whole API down).
 * Nothing here is looked up in an AWS account, so synth works offline.
 */
import { FINAL_INDEX_STEP, isIndexStep } from '../shared/table-indexes.js';
import type { Construct } from 'constructs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationError } from '../shared/env-reader.js';
import { COST_SETTINGS, IMAGE_POLICY, LIMIT_SETTINGS } from '../shared/function-env.js';
import { readCostSettings, readImagePolicy, readLimitSettings } from '../shared/settings.js';

/** The parsed context: lists split, blanks dropped, numbers checked. */
export interface ContainerizerContext {
  readonly vpcId?: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  readonly logRetention: RetentionDays;
  /** Days a finished run is kept (DynamoDB TTL); 0 keeps runs forever. */
  readonly finishedRunTtlDays: number;
  /** The step of the table's index upgrade (shared/table-indexes.ts). */
  readonly tableIndexStep: number;
  readonly adminEmails: string[];
  /** ADMIN_USER_IDS: admins by account id. */
  readonly adminUserIds: string[];
  readonly oidcJwksUrl?: string;
  readonly oidcIssuer?: string;
  readonly oidcAudience?: string;
  /** The quota and sign-in settings given (LIMIT_SETTINGS names → values), checked as the functions will read them. */
  readonly limitSettings: Record<string, string>;
  /** The image policy given (SCAN_SEVERITY_THRESHOLD, ALLOWED_IMAGE_PREFIXES), checked as the functions will read it. */
  readonly imagePolicy: Record<string, string>;
  /** The prices and budget given (COST_SETTINGS), checked as the functions will read them. */
  readonly costSettings: Record<string, string>;
  /** The live follow's limits: reserved concurrency, follows per user, GetLogEvents calls per second shared. */
  readonly follow: { concurrency: number; perUser: number; readsPerSecond: number };
  /** The Docker Hub credentials of the pull-through cache (a secret ARN), when builds use one. */
  readonly dockerHubCacheSecretArn?: string;
}

/** Reads and validates the context of `scope`'s tree; throws on a value that cannot work. */
export function readContext(scope: Construct): ContainerizerContext {
  const text = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    const trimmed = String(value).trim();
    return trimmed === '' ? undefined : trimmed;
  };
  const list = (key: string): string[] => {
    const value: unknown = scope.node.tryGetContext(key);
    const items = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
    return items.map((item) => item.trim()).filter((item) => item !== '');
  };

  const vpcId = text('vpcId');
  const subnetIds = list('subnetIds');
  const securityGroupIds = list('securityGroupIds');
  if (subnetIds.length > 0 && vpcId === undefined) {
    throw new Error('Context `subnetIds` needs `vpcId` too (the ECS cluster and any new security group belong to a VPC).');
  }
  if (vpcId !== undefined && subnetIds.length === 0) {
    throw new Error('Context `vpcId` needs `subnetIds` too (the subnets tasks run in).');
  }
  if (securityGroupIds.length > 0 && subnetIds.length === 0) {
    throw new Error('Context `securityGroupIds` needs `vpcId` and `subnetIds` (they belong to the same existing network).');
  }

  const assignPublicIp = text('assignPublicIp') ?? 'ENABLED';
  if (assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED') {
    throw new Error(`Context \`assignPublicIp\` must be ENABLED or DISABLED, not ${assignPublicIp}.`);
  }

  if (assignPublicIp === 'DISABLED' && vpcId === undefined) {
    throw new Error(
      'Context `assignPublicIp` DISABLED needs `vpcId` and `subnetIds` of private subnets with a route out (a NAT gateway or VPC endpoints): ' +
        'the default VPC has public subnets and no NAT gateway, so a task without a public IP could never pull its image.',
    );
  }

  const privateSubnetEgress = text('privateSubnetEgress');
  if (assignPublicIp === 'DISABLED' && privateSubnetEgress !== 'nat') {
    throw new Error(
      (privateSubnetEgress === undefined
        ? 'Context `assignPublicIp` DISABLED needs `privateSubnetEgress` nat, saying the subnets route out through a NAT gateway or instance: '
        : `Context \`privateSubnetEgress\` ${privateSubnetEgress} cannot work: `) +
        'a job without a public IP reaches the API (to post its result, CONTAINERIZER_RESULT_URL) and public image registries only through a NAT. ' +
        'VPC endpoints alone do not do it: a private execute-api endpoint with private DNS makes every public API Gateway API answer 403 from that VPC.',
    );
  }

  const oidc = { oidcJwksUrl: text('oidcJwksUrl'), oidcIssuer: text('oidcIssuer'), oidcAudience: text('oidcAudience') };
  const oidcMissing = Object.entries(oidc).filter(([, value]) => value === undefined);
  if (oidcMissing.length > 0 && oidcMissing.length < 3) {
    throw new Error(
      `Context ${oidcMissing.map(([key]) => `\`${key}\``).join(', ')} not set: an external OpenID provider needs oidcJwksUrl, oidcIssuer and oidcAudience, or none of them ` +
        '(the API would refuse to start with a partial set).',
    );
  }

  const dockerHubCacheSecretArn = text('dockerHubCacheSecretArn');
  // ECR takes only such secrets for a cache rule's credentials (ECR API Reference, CreatePullThroughCacheRule credentialArn).
  if (
    dockerHubCacheSecretArn !== undefined &&
    !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/.test(dockerHubCacheSecretArn)
  ) {
    throw new Error(
      `Context \`dockerHubCacheSecretArn\` must be the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/ (ECR's rule for pull-through cache credentials), not ${dockerHubCacheSecretArn}.`,
    );
  }

  const wholeAtLeastOne = (key: string, fallback: number): number => {
    const value = Number(text(key) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`Context \`${key}\` must be a whole number ≥ 1, not ${text(key)}.`);
    return value;
  };
  const follow = {
    concurrency: wholeAtLeastOne('followConcurrency', 20),
    perUser: wholeAtLeastOne('followsPerUser', 3),
    readsPerSecond: wholeAtLeastOne('followReadsPerSecond', 8),
  };
  // GetLogEvents allows 25 requests/s per account in most Regions, 10 in some, and cannot be raised (AWS docs, "CloudWatch Logs quotas").
  if (follow.readsPerSecond > 25)
    throw new Error(`Context \`followReadsPerSecond\` ${follow.readsPerSecond} exceeds GetLogEvents' quota (25/s at most, 10/s in several Regions).`);

  const ttlText = text('finishedRunTtlDays') ?? '90';
  const finishedRunTtlDays = Number(ttlText);
  if (!Number.isInteger(finishedRunTtlDays) || finishedRunTtlDays < 0) {
    throw new Error(`Context \`finishedRunTtlDays\` must be a whole number of days ≥ 0 (0 keeps runs forever), not ${ttlText}.`);
  }

  const stepText = text('tableIndexStep') ?? String(FINAL_INDEX_STEP);
  const tableIndexStep = Number(stepText);
  if (!isIndexStep(tableIndexStep)) {
    throw new Error(
      `Context \`tableIndexStep\` must be a step of the table's index upgrade, 0 to ${FINAL_INDEX_STEP} (docs/upgrading-indexes.md), not ${stepText}.`,
    );
  }

  const days = Number(text('logRetentionDays') ?? 30);
  // CloudWatch Logs accepts only certain retention periods; RetentionDays lists them.
  if (!(Object.values(RetentionDays) as unknown[]).includes(days)) {
    throw new Error(
      `Context \`logRetentionDays\` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …), not ${text('logRetentionDays')}.`,
    );
  }

  // Settings the functions read from their environment, given by the same names (checked as they will read them).
  const byName = (names: readonly string[]) => Object.fromEntries(names.flatMap((name) => (text(name) === undefined ? [] : [[name, text(name)!]])));
  const limitSettings = byName(LIMIT_SETTINGS);
  const imagePolicy = byName(IMAGE_POLICY);
  const costSettings = byName(COST_SETTINGS);
  try {
    readLimitSettings(limitSettings);
    readImagePolicy(imagePolicy);
    readCostSettings(costSettings, 'cloud');
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    throw new Error(`Context ${err.variables.map((name) => `\`${name}\``).join(', ')}: ${err.message}.`, { cause: err });
  }

  return {
    vpcId,
    subnetIds,
    securityGroupIds,
    assignPublicIp,
    logRetention: days as RetentionDays,
    finishedRunTtlDays,
    tableIndexStep,
    adminEmails: list('adminEmails'),
    adminUserIds: list('adminUserIds'),
    ...oidc,
    limitSettings,
    imagePolicy,
    costSettings,
    follow,
    dockerHubCacheSecretArn,
  };
}
