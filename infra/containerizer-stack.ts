/**
 * The Containerizer stack.
 *
 * Environment variables the Lambda handlers get (✓ = set; "opt" = only when configured):
 *
 * | variable                   | meaning                                                   | api | task-state-change | scheduled-run | reconciler |
 * |----------------------------|-----------------------------------------------------------|-----|-------------------|---------------|------------|
 * | TABLE_NAME                 | the DynamoDB table                                        | ✓   | ✓                 | ✓             | ✓          |
 * | CLUSTER_ARN                | ECS cluster tasks run on                                  | ✓   | ✓                 | ✓             | ✓          |
 * | SUBNET_IDS                 | comma-separated subnets for the tasks (awsvpc)            | ✓   | ✓                 | ✓             | ✓          |
 * | SECURITY_GROUP_IDS         | comma-separated security groups for the tasks             | ✓   | ✓                 | ✓             | ✓          |
 * | ASSIGN_PUBLIC_IP           | `ENABLED` or `DISABLED`                                   | ✓   | ✓                 | ✓             | ✓          |
 * | TASK_EXECUTION_ROLE_ARN    | executionRoleArn of registered task definitions           | ✓   | ✓                 | ✓             | ✓          |
 * | TASK_ROLE_ARN              | taskRoleArn of registered task definitions (no rights)    | ✓   | ✓                 | ✓             | ✓          |
 * | LOG_GROUP_NAME             | awslogs-group of the containers; where run logs are read  | ✓   | ✓                 | ✓             | ✓          |
 * | LOG_STREAM_PREFIX          | awslogs-stream-prefix (`run`)                             | ✓   | ✓                 | ✓             | ✓          |
 * | TASK_FAMILY_PREFIX         | task-definition family prefix (`containerizer-`)          | ✓   | ✓                 | ✓             | ✓          |
 * | EVENT_BUS_NAME             | where run events are published (`default`)                | ✓   | ✓                 | ✓             | ✓          |
 * | RULE_PREFIX                | schedule rule name prefix (`containerizer-sched-`)        | ✓   |                   |               |            |
 * | SCHEDULED_RUN_FUNCTION_ARN | the target of every schedule rule                         | ✓   |                   |               |            |
 * | JWT_SECRET_ARN             | Secrets Manager secret: HMAC key of issued tokens         | ✓   |                   |               |            |
 * | JWT_ISSUER, JWT_AUDIENCE   | `iss` / `aud` of issued tokens                            | ✓   |                   |               |            |
 * | OIDC_JWKS_URL, OIDC_ISSUER, OIDC_AUDIENCE | external OpenID provider (context)         | opt |                   |               |            |
 * | ADMIN_EMAILS               | comma-separated admin e-mails (context)                   | opt |                   |               |            |
 * | NODE_OPTIONS               | `--enable-source-maps`                                    | ✓   | ✓                 | ✓             | ✓          |
 *
 * Permissions follow the same split: every function reads and writes the table, registers
 * and runs task definitions of its family prefix on the cluster (passing only the two task
 * roles) and publishes to the default bus; the api and the reconciler also describe and stop
 * the cluster's tasks; only the api manages schedule rules, reads run logs and the JWT secret.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api.js';
import { readContext } from './context.js';
import { Data } from './data.js';
import { Events } from './events.js';
import { acknowledgeNagFindings } from './nag-acknowledgments.js';
import { ContainerRuntime } from './runtime.js';

/**
 * One stack from four constructs: Data (table), ContainerRuntime (cluster, network, task
 * roles, run logs), Events (task-state, reconciler and schedule functions and rules) and
 * Api (HTTP API, its function, the JWT secret). Settings come from CDK context (infra/context.ts).
 */
export class ContainerizerStack extends Stack {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly events: Events;
  readonly api: Api;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, {
      description: 'Containerizer: containerized jobs on ECS Fargate behind a Lambda HTTP API',
      ...props,
    });
    const context = readContext(this);

    this.data = new Data(this, 'Data');
    this.runtime = new ContainerRuntime(this, 'Runtime', { context });
    this.events = new Events(this, 'Events', { table: this.data.table, runtime: this.runtime, logRetention: context.logRetention });
    this.api = new Api(this, 'Api', { table: this.data.table, runtime: this.runtime, events: this.events, context });

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the HTTPS API' });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'ClusterArn', { value: this.runtime.cluster.clusterArn });
    new CfnOutput(this, 'LogGroupName', { value: this.runtime.logGroup.logGroupName, description: 'Run logs' });
    new CfnOutput(this, 'JwtSecretArn', { value: this.api.jwtSecret.secretArn });

    acknowledgeNagFindings(this);
  }
}
