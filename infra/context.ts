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
 * | `logRetentionDays` | days to keep run logs, API access logs and function logs                 | 30                          |
 * | `adminEmails`      | users (by e-mail) who see every owner's items                            | none                        |
 * | `oidcJwksUrl`      | JWKS URL of an external OpenID provider whose tokens the API accepts     | built-in accounts only      |
 * | `oidcIssuer`       | the `iss` those tokens must carry                                        | none                        |
 * | `oidcAudience`     | the `aud` those tokens must carry                                        | none                        |
 * | `scanSeverityThreshold` | runs of built images with scan findings at or above it fail (CRITICAL…INFORMATIONAL) | no policy      |
 * | `allowedImagePrefixes`  | prefixes an app's image string must start with                      | any image                   |
 *
 * The new VPC has public subnets only and no NAT gateway (a NAT gateway bills by the hour
 * whether or not jobs run), so tasks need a public IP to pull images; `assignPublicIp`
 * exists for existing private subnets that reach out through their own NAT.
 * Nothing here is looked up in an AWS account, so synth works offline.
 */
import type { Construct } from 'constructs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SEVERITIES } from '../shared/image-scan.js';

/** The parsed context: lists split, blanks dropped, numbers checked. */
export interface ContainerizerContext {
  readonly vpcId?: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  readonly logRetention: RetentionDays;
  readonly adminEmails: string[];
  readonly scanSeverityThreshold?: string;
  readonly allowedImagePrefixes: string[];
  readonly oidcJwksUrl?: string;
  readonly oidcIssuer?: string;
  readonly oidcAudience?: string;
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

  const days = Number(text('logRetentionDays') ?? 30);
  // CloudWatch Logs accepts only certain retention periods; RetentionDays lists them.
  if (!(Object.values(RetentionDays) as unknown[]).includes(days)) {
    throw new Error(
      `Context \`logRetentionDays\` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …), not ${text('logRetentionDays')}.`,
    );
  }

  const scanSeverityThreshold = text('scanSeverityThreshold');
  if (scanSeverityThreshold !== undefined && !(SEVERITIES as readonly string[]).includes(scanSeverityThreshold)) {
    throw new Error(`Context \`scanSeverityThreshold\` must be one of ${SEVERITIES.join(', ')}, not ${scanSeverityThreshold}.`);
  }

  return {
    vpcId,
    subnetIds,
    securityGroupIds,
    assignPublicIp,
    logRetention: days as RetentionDays,
    adminEmails: list('adminEmails'),
    oidcJwksUrl: text('oidcJwksUrl'),
    oidcIssuer: text('oidcIssuer'),
    oidcAudience: text('oidcAudience'),
    scanSeverityThreshold,
    allowedImagePrefixes: list('allowedImagePrefixes'),
  };
}
