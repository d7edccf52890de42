/**
 * The synthesized ContainerizerStack template: table, functions, rules, permissions, network
 * and outputs. The default stack is built (and its four functions bundled) once for the file;
 * the context variants skip bundling, since only their network settings are under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import type { ContainerizerFunction } from '../../infra/function.js';
import { NODE_MAJOR } from '../../infra/bundling/node-major.js';
import { flattenCfnValue } from '../../infra/nag-acknowledgments.js';
import { ENTRY_HANDLERS, FUNCTION_ENV, IMAGE_POLICY, type EntryPoint } from '../../shared/function-env.js';
import { KEY, TTL_ATTRIBUTE } from '../../shared/table.js';
import { createTableInput } from '../../shared/table-indexes.js';
import { buildStack } from './build-stack.js';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Effect: string;
}

const ARN_PREFIX = 'arn:<AWS::Partition>';
const ACCOUNT = '<AWS::Region>:<AWS::AccountId>';

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

let stack: ContainerizerStack;
let template: Template;
/** CloudFormation's form of a token (`{ Ref }`, `{ Fn::GetAtt }`, …), for exact matching. */
let cfn: (token: string) => unknown;

/** The identity policy statements attached to a function's role. */
function statementsOf(fn: ContainerizerFunction): Statement[] {
  const roleRef = stack.resolve((fn.role.node.defaultChild as CfnRole).ref);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([roleRef]) } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The statements of `fn` that allow `action`. */
function allowing(fn: ContainerizerFunction, action: string): Statement[] {
  return statementsOf(fn).filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).includes(action));
}

/** The resources of `statement`, flattened to strings such as `arn:<AWS::Partition>:ecs:…`. */
function resourcesOf(statement: Statement): string[] {
  return asList(statement.Resource).map(flattenCfnValue);
}

function environmentOf(fn: ContainerizerFunction): Record<string, unknown> {
  const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
  return template.toJSON().Resources[id].Properties.Environment.Variables;
}

// Bundles every function with esbuild, one node process each: minutes on a loaded 2-core machine, hence the longer wait.
beforeAll(() => {
  stack = buildStack();
  template = Template.fromStack(stack);
  cfn = (token) => stack.resolve(token);
}, 300_000);

const functions = (): Record<EntryPoint, ContainerizerFunction> => ({
  api: stack.api.function,
  'log-follow': stack.api.followFunction,
  'task-state-change': stack.events.taskStateChangeFunction,
  'scheduled-run': stack.events.scheduledRunFunction,
  reconciler: stack.events.reconcilerFunction,
  'run-expiry': stack.runExpiry.function,
  'build-events': stack.images.buildEventsFunction,
  alerts: stack.alerts.alertsFunction,
  'alert-delivery': stack.alerts.deliveryFunction,
});

/** The functions that start runs: all but log-follow (reads logs), run-expiry (deletes expired runs' log streams) and build-events (records builds and scans). */
const launchers = (): Omit<ReturnType<typeof functions>, 'run-expiry' | 'log-follow' | 'build-events' | 'alerts' | 'alert-delivery'> => {
  const { 'run-expiry': _expiry, 'log-follow': _reader, 'build-events': _builds, alerts: _alerts, 'alert-delivery': _delivery, ...rest } = functions();
  return rest;
};

describe('table', () => {
  it('uses the key attributes and every index of shared/table.ts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY.pk, KeyType: 'HASH' },
        { AttributeName: KEY.sk, KeyType: 'RANGE' },
      ],
      // A new deployment starts at the index upgrade's last step: this release's indexes (shared/table-indexes.ts).
      GlobalSecondaryIndexes: createTableInput('t').GlobalSecondaryIndexes,
    });
  });

  it('is on-demand, with point-in-time recovery and the TTL attribute, and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    });
  });
});

describe('functions', () => {
  it('run Node.js 24 (NODE_MAJOR) on arm64 with their own log group and the source-map flag', () => {
    for (const [entryPoint, fn] of Object.entries(functions())) {
      const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      expect(template.toJSON().Resources[id].Properties, entryPoint).toMatchObject({
        Runtime: `nodejs${NODE_MAJOR}.x`,
        Architectures: ['arm64'],
        Handler: `index.${ENTRY_HANDLERS[entryPoint as EntryPoint] ?? 'handler'}`,
        LoggingConfig: { LogGroup: cfn(fn.logGroup.logGroupName) },
      });
      expect(environmentOf(fn), entryPoint).toMatchObject({ TABLE_NAME: cfn(stack.data.table.tableName), NODE_OPTIONS: '--enable-source-maps' });
    }
  });

  it('are bundled as ESM with the require shim and a source map', () => {
    const assembly = stack.node.root as unknown as { synth(): { directory: string } };
    const { directory } = assembly.synth();
    const code = template.toJSON().Resources[stack.getLogicalId(stack.api.function.node.defaultChild as CfnElement)].Properties.Code;
    const assetDir = join(directory, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).toMatch(
      /^import \{ createRequire \} from 'module'; const require = createRequire\(import\.meta\.url\);/,
    );
  });

  it('get exactly the environment shared/env.ts says they get, the optional auth settings left out when not configured', () => {
    for (const [entryPoint, fn] of Object.entries(functions()) as [EntryPoint, ContainerizerFunction][]) {
      expect(Object.keys(environmentOf(fn)).sort(), entryPoint).toEqual([...FUNCTION_ENV[entryPoint].always].sort());
    }
    expect(FUNCTION_ENV.api.always).toEqual(expect.arrayContaining(['TABLE_NAME', 'NODE_OPTIONS', 'RULE_PREFIX', 'JWT_SECRET_ARN', 'JWT_ISSUER']));
    expect(FUNCTION_ENV.reconciler.always).not.toContain('JWT_SECRET_ARN');
  });

  it('point the api at the scheduled-run function, the JWT secret and the task settings', () => {
    expect(environmentOf(stack.api.function)).toMatchObject({
      SCHEDULED_RUN_FUNCTION_ARN: cfn(stack.events.scheduledRunFunction.functionArn),
      JWT_SECRET_ARN: cfn(stack.api.jwtSecret.secretArn),
      CLUSTER_ARN: cfn(stack.runtime.cluster.clusterArn),
      TASK_EXECUTION_ROLE_ARN: cfn(stack.runtime.taskExecutionRole.roleArn),
      TASK_ROLE_ARN: cfn(stack.runtime.taskRole.roleArn),
      LOG_GROUP_NAME: cfn(stack.runtime.logGroup.logGroupName),
      ASSIGN_PUBLIC_IP: 'ENABLED',
      LOG_STREAM_PREFIX: 'run',
      TASK_FAMILY_PREFIX: 'containerizer-',
      RULE_PREFIX: 'containerizer-sched-',
      EVENT_BUS_NAME: 'default',
    });
  });
});

describe('events', () => {
  it("sends the cluster's ECS task state changes to task-state-change, with a DLQ and a retry policy", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { clusterArn: [cfn(stack.runtime.cluster.clusterArn)] },
      },
      Targets: [
        Match.objectLike({
          Arn: cfn(stack.events.taskStateChangeFunction.functionArn),
          DeadLetterConfig: { Arn: cfn(stack.events.taskStateChangeDeadLetterQueue.queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
  });

  it('sends failed task-state-change invocations to the same DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: cfn(stack.events.taskStateChangeFunction.functionName),
      DestinationConfig: { OnFailure: { Destination: cfn(stack.events.taskStateChangeDeadLetterQueue.queueArn) } },
    });
  });

  it('lets EventBridge put undeliverable schedule fires into the schedule DLQ, where failed scheduled-run invocations go too', () => {
    const queueArn = cfn(stack.events.scheduleDeadLetterQueue.queueArn);
    expect(environmentOf(stack.api.function).SCHEDULE_DEAD_LETTER_QUEUE_ARN).toEqual(queueArn);
    const statements = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const sendFromRules = statements.find((statement) => statement.Principal?.Service === 'events.amazonaws.com' && statement.Condition?.ArnLike);
    expect(sendFromRules).toMatchObject({ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: queueArn });
    expect(flattenCfnValue(sendFromRules.Condition.ArnLike['aws:SourceArn'])).toBe(`${ARN_PREFIX}:events:${ACCOUNT}:rule/containerizer-sched-*`);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: cfn(stack.events.scheduledRunFunction.functionName),
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it('alarms on the first message in either dead-letter queue', () => {
    for (const queue of [stack.events.taskStateChangeDeadLetterQueue, stack.events.scheduleDeadLetterQueue]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: cfn(queue.queueName) }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('runs the reconciler every minute', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: cfn(stack.events.reconcilerFunction.functionArn) })],
    });
  });

  it('lets only the schedule rules invoke scheduled-run', () => {
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: cfn(stack.events.scheduledRunFunction.functionArn) },
      }),
    );
    expect(permissions).toHaveLength(1);
    const { Properties } = permissions[0];
    expect(Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } });
    expect(flattenCfnValue(Properties.SourceArn)).toBe(`${ARN_PREFIX}:events:${ACCOUNT}:rule/containerizer-sched-*`);
  });
});

describe('IAM', () => {
  const taskDefinitions = `${ARN_PREFIX}:ecs:${ACCOUNT}:task-definition/containerizer-*`;
  const tasks = (): string => `${ARN_PREFIX}:ecs:${ACCOUNT}:task/${flattenCfnValue(cfn(stack.runtime.cluster.clusterName))}/*`;
  const scheduleRules = `${ARN_PREFIX}:events:${ACCOUNT}:rule/containerizer-sched-*`;

  it('lets every function run only containerizer- task definitions, only on the cluster', () => {
    for (const [entryPoint, fn] of Object.entries(launchers())) {
      const [statement, ...others] = allowing(fn, 'ecs:RunTask');
      expect(others, entryPoint).toEqual([]);
      expect(resourcesOf(statement), entryPoint).toEqual([taskDefinitions]);
      expect(statement.Condition, entryPoint).toEqual({ ArnEquals: { 'ecs:cluster': cfn(stack.runtime.cluster.clusterArn) } });
    }
  });

  it('lets every function pass only the two task roles, and only to ECS tasks; the api and the reconciler also the scheduler role, only to EventBridge Scheduler', () => {
    for (const [entryPoint, fn] of Object.entries(launchers())) {
      const statements = allowing(fn, 'iam:PassRole');
      const toEcs = statements.filter((s) => s.Condition?.StringEquals?.['iam:PassedToService'] === 'ecs-tasks.amazonaws.com');
      expect(toEcs, entryPoint).toHaveLength(1);
      expect(asList(toEcs[0].Resource), entryPoint).toEqual([cfn(stack.runtime.taskExecutionRole.roleArn), cfn(stack.runtime.taskRole.roleArn)]);
      const others = statements.filter((s) => !toEcs.includes(s));
      const managesSchedules = entryPoint === 'api' || entryPoint === 'reconciler';
      expect(others, entryPoint).toEqual(
        managesSchedules
          ? [
              expect.objectContaining({
                Resource: cfn(stack.events.schedulerRole.roleArn),
                Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
              }),
            ]
          : [],
      );
    }
  });

  it('allows tagging only as part of RunTask and RegisterTaskDefinition', () => {
    for (const [entryPoint, fn] of Object.entries(launchers())) {
      const [statement] = allowing(fn, 'ecs:TagResource');
      expect(resourcesOf(statement).sort(), entryPoint).toEqual([tasks(), taskDefinitions].sort());
      expect(statement.Condition, entryPoint).toEqual({ StringEquals: { 'ecs:CreateAction': ['RunTask', 'RegisterTaskDefinition'] } });
    }
  });

  it('gives the wildcard resource to the task-definition actions alone, and ListTasks only on the cluster', () => {
    for (const [entryPoint, fn] of Object.entries(launchers())) {
      const unscoped = statementsOf(fn).filter((statement) => resourcesOf(statement).includes('*'));
      expect(
        unscoped.map((statement) => statement.Action),
        entryPoint,
      ).toEqual(['ecs:ListTasks', ['ecs:DeregisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions', 'ecs:RegisterTaskDefinition']]);
      expect(unscoped[0]!.Condition, entryPoint).toEqual({ ArnEquals: { 'ecs:cluster': expect.anything() } });
      expect(
        statementsOf(fn)
          .flatMap((statement) => asList(statement.Action))
          .filter((action) => action.includes('*')),
        entryPoint,
      ).toEqual([]);
    }
  });

  it('gives log-follow no ECS action and no wildcard resource', () => {
    const statements = statementsOf(stack.api.followFunction);
    expect(statements.flatMap((statement) => asList(statement.Action)).filter((action) => action.startsWith('ecs:'))).toEqual([]);
    expect(statements.filter((statement) => resourcesOf(statement).includes('*'))).toEqual([]);
  });

  it('lets only the api, the reconciler and scheduled-run (overlapPolicy Replace) stop and describe tasks, of the cluster only', () => {
    const { api, reconciler, 'scheduled-run': scheduledRun, ...rest } = functions();
    for (const fn of [api, reconciler, scheduledRun]) {
      for (const action of ['ecs:StopTask', 'ecs:DescribeTasks']) {
        expect(allowing(fn, action).flatMap(resourcesOf)).toEqual([tasks()]);
      }
    }
    for (const fn of Object.values(rest)) expect(allowing(fn, 'ecs:StopTask')).toEqual([]);
  });

  it("lets only the api and the reconciler manage schedules, in the stack's group only, and remove the rules of earlier releases, by name prefix", () => {
    const { api, reconciler, ...rest } = functions();
    const group = stack.resolve(stack.events.scheduleArns());
    for (const action of ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']) {
      for (const fn of [api, reconciler])
        expect(
          allowing(fn, action).map((s) => s.Resource),
          action,
        ).toEqual([group]);
      for (const fn of Object.values(rest)) expect(allowing(fn, action), action).toEqual([]);
    }
    for (const action of ['events:RemoveTargets', 'events:DeleteRule']) {
      for (const fn of [api, reconciler]) expect(allowing(fn, action).flatMap(resourcesOf), action).toEqual([scheduleRules]);
      for (const fn of Object.values(rest)) expect(allowing(fn, action), action).toEqual([]);
    }
    for (const action of ['events:PutRule', 'events:PutTargets']) for (const fn of Object.values(functions())) expect(allowing(fn, action), action).toEqual([]);
  });

  it('lets EventBridge Scheduler, for this account and group only, invoke scheduled-run and nothing else through its role, and reach the schedule DLQ', () => {
    const role = template.toJSON().Resources[stack.getLogicalId(stack.events.schedulerRole.node.defaultChild as CfnElement)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': stack.resolve(stack.events.scheduleArns()) },
        },
      }),
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(stack.events.schedulerRole.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([cfn(stack.events.scheduledRunFunction.functionArn)]) }),
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: cfn(stack.events.scheduleDeadLetterQueue.queueArn) }),
        ],
      },
    });
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('lets only the api and log-follow read run logs, the JWT secret and (to mask them) the secrets under the prefix', () => {
    const { api, 'log-follow': follow, ...rest } = functions();
    for (const fn of [api, follow]) {
      expect(allowing(fn, 'logs:GetLogEvents').flatMap((statement) => asList(statement.Resource))).toContainEqual(cfn(stack.runtime.logGroup.logGroupArn));
      expect(allowing(fn, 'secretsmanager:GetSecretValue').flatMap((statement) => asList(statement.Resource))).toEqual([
        cfn(stack.api.jwtSecret.secretArn),
        cfn(stack.secrets.secretArns),
      ]);
    }
    for (const fn of Object.values(rest)) {
      expect(allowing(fn, 'logs:GetLogEvents')).toEqual([]);
      expect(allowing(fn, 'secretsmanager:GetSecretValue')).toEqual([]);
    }
  });

  it('lets every launcher publish to the default bus, and every function use the table and its indexes, without Scan', () => {
    const table = flattenCfnValue(cfn(stack.data.table.tableArn));
    for (const [entryPoint, fn] of Object.entries(launchers())) {
      expect(allowing(fn, 'events:PutEvents').flatMap(resourcesOf), entryPoint).toEqual([`${ARN_PREFIX}:events:${ACCOUNT}:event-bus/default`]);
    }
    for (const [entryPoint, fn] of Object.entries(functions())) {
      expect(allowing(fn, 'dynamodb:Scan'), entryPoint).toEqual([]);
      if (entryPoint === 'run-expiry') continue;
      expect(allowing(fn, 'dynamodb:Query').flatMap(resourcesOf), entryPoint).toEqual([table, `${table}/index/*`]);
      expect(allowing(fn, 'dynamodb:UpdateItem'), entryPoint).not.toEqual([]);
    }
  });

  it('lets log-follow read the table and write only its own counters; gives run-expiry no table action (its stream records carry what it needs)', () => {
    const table = flattenCfnValue(cfn(stack.data.table.tableArn));
    const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    const follow = stack.api.followFunction;
    expect(allowing(follow, 'dynamodb:GetItem').flatMap(resourcesOf)).toEqual([table, `${table}/index/*`]);
    for (const action of writes) {
      for (const statement of allowing(follow, action)) {
        expect(resourcesOf(statement), action).toEqual([table]);
        expect(statement.Condition, action).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['COUNTER#follow:*'] } });
      }
    }
    expect(allowing(follow, 'dynamodb:BatchWriteItem')).toEqual([]);
    const expiryActions = statementsOf(stack.runExpiry.function).flatMap((statement) => asList(statement.Action));
    // The event source mapping's stream reads only.
    expect(expiryActions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
      ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].sort(),
    );
  });

  it('uses no AWS managed policies on the function and task execution roles', () => {
    const roles = [...Object.values(functions()).map((fn) => fn.role), stack.runtime.taskExecutionRole, stack.runtime.taskRole];
    for (const role of roles) {
      const id = stack.getLogicalId(role.node.defaultChild as CfnElement);
      expect(template.toJSON().Resources[id].Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('gives the task role no permissions', () => {
    const taskRoleRef = cfn((stack.runtime.taskRole.node.defaultChild as CfnRole).ref);
    expect(template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([taskRoleRef]) } })).toEqual({});
  });
});

describe('runtime', () => {
  it('creates public subnets and no NAT gateway, and gives tasks a public IP', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true });
    const subnetIds = stack.runtime.cluster.vpc.publicSubnets.map((subnet) => flattenCfnValue(cfn(subnet.subnetId)));
    expect(subnetIds).toHaveLength(2);
    expect(flattenCfnValue(environmentOf(stack.api.function).SUBNET_IDS)).toBe(subnetIds.join(','));
  });

  it('has Container Insights on and run logs kept for the configured 30 days', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const logGroupId = stack.getLogicalId(stack.runtime.logGroup.node.defaultChild as CfnElement);
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });
});

describe('api', () => {
  it('routes everything to the api function on an auto-deployed $default stage with access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: cfn(stack.api.function.functionArn),
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('\\$context\\.requestId') }),
    });
  });

  it('serves the live log follow from a streaming function URL of the same bundle, outlasting one follow response', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: cfn(stack.api.followFunction.functionArn),
      InvokeMode: 'RESPONSE_STREAM',
      AuthType: 'NONE',
    });
    const id = stack.getLogicalId(stack.api.followFunction.node.defaultChild as CfnElement);
    expect(template.toJSON().Resources[id].Properties).toMatchObject({ Handler: 'index.streamingHandler', Timeout: 330, ReservedConcurrentExecutions: 20 });
    expect(environmentOf(stack.api.followFunction)).toMatchObject({ FOLLOWS_PER_USER: '3', FOLLOW_READS_PER_SECOND: '8' });
    expect(environmentOf(stack.api.function).LOG_FOLLOW_URL).toEqual(cfn(stack.api.followUrl.url));
    template.hasOutput('LogFollowUrl', { Value: cfn(stack.api.followUrl.url) });
  });

  it('generates the JWT signing secret', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });
});

describe('outputs', () => {
  it('exports the API URL, table, cluster, log group and secret', () => {
    template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    expect(flattenCfnValue(template.toJSON().Outputs.ApiUrl.Value)).toMatch(/^https:\/\/<ApiHttpApi[0-9A-F]+>\.execute-api\./);
    template.hasOutput('TableName', { Value: cfn(stack.data.table.tableName) });
    template.hasOutput('ClusterArn', { Value: cfn(stack.runtime.cluster.clusterArn) });
    template.hasOutput('LogGroupName', { Value: cfn(stack.runtime.logGroup.logGroupName) });
    template.hasOutput('JwtSecretArn', { Value: cfn(stack.api.jwtSecret.secretArn) });
  });
});

describe('context', () => {
  // Network settings only: bundling is skipped to keep these fast.
  const withContext = (context: Record<string, unknown>): ContainerizerStack => buildStack({ 'aws:cdk:bundling-stacks': [], ...context });

  it('uses existing subnets and security groups instead of creating a VPC', () => {
    const existing = withContext({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb',
      securityGroupIds: ['sg-01111111111111111'],
      assignPublicIp: 'DISABLED',
      privateSubnetEgress: 'nat',
    });
    const existingTemplate = Template.fromStack(existing);
    existingTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    existingTemplate.resourceCountIs('AWS::EC2::SecurityGroup', 0);
    const id = existing.getLogicalId(existing.api.function.node.defaultChild as CfnElement);
    expect(existingTemplate.toJSON().Resources[id].Properties.Environment.Variables).toMatchObject({
      SUBNET_IDS: 'subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb',
      SECURITY_GROUP_IDS: 'sg-01111111111111111',
      ASSIGN_PUBLIC_IP: 'DISABLED',
    });
  });

  it('creates an egress-only security group in an existing VPC when none is given', () => {
    const existingTemplate = Template.fromStack(withContext({ vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-0aaaaaaaaaaaaaaaa' }));
    existingTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    existingTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0' })],
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('refuses, at synth, settings that would synthesize and then fail at run time', () => {
    // Tasks without a public IP in the NAT-less default VPC could never pull their image.
    expect(() => withContext({ assignPublicIp: 'DISABLED' })).toThrow(/assignPublicIp` DISABLED needs `vpcId` and `subnetIds`.*NAT/);
    // A partial OpenID provider makes the api's cold start throw.
    expect(() => withContext({ oidcJwksUrl: 'https://id.example.com/jwks' })).toThrow(/`oidcIssuer`, `oidcAudience` not set/);
    expect(() => withContext({ oidcIssuer: 'https://id.example.com', oidcAudience: 'containerizer' })).toThrow(/`oidcJwksUrl` not set/);
    expect(() => withContext({ finishedRunTtlDays: -1 })).toThrow(/finishedRunTtlDays/);
  });

  it('refuses private subnets without a NAT: jobs could not post their results to the public API', () => {
    const privateSubnets = { vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-0aaaaaaaaaaaaaaaa', assignPublicIp: 'DISABLED' };
    expect(() => withContext(privateSubnets)).toThrow(/`privateSubnetEgress` nat.*post its result.*private execute-api endpoint.*403/);
    expect(() => withContext({ ...privateSubnets, privateSubnetEgress: 'vpc-endpoints' })).toThrow(/vpc-endpoints cannot work.*403/);
    expect(() => withContext({ ...privateSubnets, privateSubnetEgress: 'nat' })).not.toThrow();
  });

  it('passes the finished-run retention to every function', () => {
    for (const [entryPoint, fn] of Object.entries(functions())) expect(environmentOf(fn).FINISHED_RUN_TTL_DAYS, entryPoint).toBe('90');
    const kept = withContext({ finishedRunTtlDays: 0 });
    const id = kept.getLogicalId(kept.events.reconcilerFunction.node.defaultChild as CfnElement);
    expect(Template.fromStack(kept).toJSON().Resources[id].Properties.Environment.Variables.FINISHED_RUN_TTL_DAYS).toBe('0');
  });

  it('retains on delete only what holds data: the table and the run logs', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const runLogs = stack.getLogicalId(stack.runtime.logGroup.node.defaultChild as CfnElement);
    for (const [id, resource] of Object.entries(logGroups)) expect(resource.DeletionPolicy, id).toBe(id === runLogs ? 'Retain' : 'Delete');
  });

  it('rejects settings that cannot work', () => {
    expect(() => withContext({ subnetIds: 'subnet-0aaaaaaaaaaaaaaaa' })).toThrow(/vpcId/);
    expect(() => withContext({ vpcId: 'vpc-0123456789abcdef0' })).toThrow(/subnetIds/);
    expect(() => withContext({ logRetentionDays: 31 })).toThrow(/logRetentionDays/);
    expect(() => withContext({ assignPublicIp: 'yes' })).toThrow(/assignPublicIp/);
  });

  it('passes the optional auth settings to the api function only when set', () => {
    const configured = withContext({
      adminEmails: 'a@example.com,b@example.com',
      oidcJwksUrl: 'https://id.example.com/jwks',
      oidcIssuer: 'https://id.example.com',
      oidcAudience: 'containerizer',
      SCAN_SEVERITY_THRESHOLD: 'HIGH',
      ALLOWED_IMAGE_PREFIXES: 'containerizer/,123456789012.dkr.ecr.',
    });
    const id = configured.getLogicalId(configured.api.function.node.defaultChild as CfnElement);
    const variables = Template.fromStack(configured).toJSON().Resources[id].Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual(
      [
        ...FUNCTION_ENV.api.always,
        ...FUNCTION_ENV.api.whenConfigured.filter(
          (name) => name.startsWith('OIDC') || name === 'ADMIN_EMAILS' || IMAGE_POLICY.includes(name as (typeof IMAGE_POLICY)[number]),
        ),
      ].sort(),
    );
    expect(variables).toMatchObject({
      ADMIN_EMAILS: 'a@example.com,b@example.com',
      OIDC_JWKS_URL: 'https://id.example.com/jwks',
      OIDC_ISSUER: 'https://id.example.com',
      OIDC_AUDIENCE: 'containerizer',
      SCAN_SEVERITY_THRESHOLD: 'HIGH',
      ALLOWED_IMAGE_PREFIXES: 'containerizer/,123456789012.dkr.ecr.',
    });
    const scheduledRun = configured.getLogicalId(configured.events.scheduledRunFunction.node.defaultChild as CfnElement);
    expect(Template.fromStack(configured).toJSON().Resources[scheduledRun].Properties.Environment.Variables.SCAN_SEVERITY_THRESHOLD).toBe('HIGH');
  });
});

describe('quota and sign-in settings from the CDK context', () => {
  it('reach the api (and the run quota every function that starts runs), by the names dev mode reads', () => {
    // No bundling: only the functions' environment is read here.
    const settings = { REGISTRATION: 'closed', REGISTRATION_EMAIL_DOMAINS: 'example.com', MAX_ACTIVE_RUNS_PER_USER: '5' };
    const configured = buildStack({ ...settings, 'aws:cdk:bundling-stacks': [] });
    const resources = Template.fromStack(configured).toJSON().Resources;
    const env = (fn: ContainerizerFunction): Record<string, unknown> =>
      resources[configured.getLogicalId(fn.node.defaultChild as CfnElement)].Properties.Environment.Variables;
    expect(env(configured.api.function)).toMatchObject({ REGISTRATION: 'closed', REGISTRATION_EMAIL_DOMAINS: 'example.com', MAX_ACTIVE_RUNS_PER_USER: '5' });
    for (const fn of [configured.events.scheduledRunFunction, configured.events.taskStateChangeFunction, configured.events.reconcilerFunction]) {
      expect(env(fn)).toMatchObject({ MAX_ACTIVE_RUNS_PER_USER: '5' });
      expect(env(fn)).not.toHaveProperty('REGISTRATION');
    }
  });

  it('are refused at synth when the functions could not read them', () => {
    expect(() => buildStack({ REGISTRATION: 'invite-only' })).toThrow(/Context `REGISTRATION`: REGISTRATION must be open or closed/);
    expect(() => buildStack({ MAX_APPS_PER_USER: '-1' })).toThrow(/Context `MAX_APPS_PER_USER`/);
  });
});
