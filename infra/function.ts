import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../shared/env.js';
import { ENTRY_HANDLERS, type EntryPoint } from '../shared/function-env.js';
import { BUNDLE_MODULE } from './bundling/bundle.js';
import { bundledCode } from './bundling/lambda-code.js';
import type { Data } from './data.js';

/**
 * What the handlers do with the table: item reads and writes, and queries of the table and
 * its indexes. Scan is left out on purpose: every access pattern is a GetItem or a Query,
 * so a Scan that slips in fails loudly instead of reading the whole table.
 */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** The item reads and queries of TABLE_ACTIONS: what a function that only reads the table gets. */
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/**
 * What a function may do with the table: `read-write` (TABLE_ACTIONS), `none`, or read only,
 * with writes allowed to the partitions whose key starts with `writablePrefix` alone
 * (IAM's `dynamodb:LeadingKeys`: e.g. the log follow's own counters).
 */
export type TableAccess = 'read-write' | 'none' | { read: true; writablePrefix?: string };

/** Props of {@link ContainerizerFunction}. */
export interface ContainerizerFunctionProps {
  /** Which entry point to bundle (its file: shared/env.ts's ENTRY_POINTS). */
  readonly entryPoint: EntryPoint;
  readonly description: string;
  /** The table every handler works on: its environment (TABLE_NAME, FINISHED_RUN_TTL_DAYS) passed; reads, writes and queries granted (on its indexes too). */
  readonly data: Data;
  /** Environment beyond the data's and NODE_OPTIONS (which variables each function gets: shared/env.ts's FUNCTION_ENV). */
  readonly environment: Record<string, string>;
  /** How long the function's own log group keeps logs. */
  readonly logRetention: RetentionDays;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** In MiB; CPU scales with it. @default 512 */
  readonly memorySize?: number;
  /** Lambda's own retries of a failed asynchronous invocation (0–2). @default 2 */
  readonly retryAttempts?: number;
  /** @default 'read-write' */
  readonly tableAccess?: TableAccess;
  /** Concurrent executions set aside for this function alone. @default none (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Containerizer Lambda function: Node.js 22 on arm64 (cheaper per GB-second than x86), its
 * code bundled locally at synth by infra/bundling/bundle.ts (one minified ESM file with a source
 * map, AWS SDK included), the bundling the tests and the bench measure. A plain Function rather
 * than a NodejsFunction, which takes no esbuild plugins.
 */
export class ContainerizerFunction extends LambdaFunction {
  /** Always set: the function gets its own role (see the constructor). */
  declare readonly role: IRole;

  constructor(scope: Construct, id: string, props: ContainerizerFunctionProps) {
    // Made beside the function because Function takes them as props. The role replaces
    // the default one, whose AWSLambdaBasicExecutionRole lets it write to any log group.
    // Diagnostics only, so `cdk destroy` deletes it (run logs and the table are what is retained).
    const logGroup = new LogGroup(scope, `${id}LogGroup`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Containerizer ${props.entryPoint} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      code: bundledCode(props.entryPoint),
      handler: `${BUNDLE_MODULE}.${ENTRY_HANDLERS[props.entryPoint] ?? 'handler'}`,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      retryAttempts: props.retryAttempts,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        ...props.data.environment,
        ...props.environment,
        // Without it the source maps are bundled but stack traces still point into minified code.
        [ENV.NODE_OPTIONS]: '--enable-source-maps',
      },
      logGroup,
      role,
    });
    const access = props.tableAccess ?? 'read-write';
    if (access === 'read-write') props.data.table.grant(this, ...TABLE_ACTIONS);
    else if (access !== 'none') {
      props.data.table.grant(this, ...TABLE_READ_ACTIONS);
      if (access.writablePrefix) {
        this.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
            resources: [props.data.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${access.writablePrefix}*`] } },
          }),
        );
      }
    }
  }
}
