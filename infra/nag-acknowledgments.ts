/**
 * Every cdk-nag (AwsSolutions) finding the stack accepts, each with its reason, in one place.
 * test/infra/nag.test.ts fails on any finding not acknowledged here.
 *
 * cdk-nag 3 reads acknowledgments from `Validations.of(construct).acknowledge()`, matched by
 * exact id; a wildcard finding's id names the flattened resource ARN, so the ids below are
 * computed from the ARNs the constructs grant on rather than written out.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ContainerizerStack } from './containerizer-stack.js';

/** Records the stack's accepted AwsSolutions findings on the constructs they concern. */
export function acknowledgeNagFindings(stack: ContainerizerStack): void {
  const { data, runtime, events, api, runExpiry, images, alerts } = stack;
  const acknowledge = (construct: IConstruct, id: string, reason: string): void => {
    Validations.of(construct).acknowledge({ id, reason });
  };
  const wildcard = (resource: string): string => `AwsSolutions-IAM5[Resource::${flattenCfnValue(stack.resolve(resource))}]`;

  const launchers = [api.function, events.taskStateChangeFunction, events.reconcilerFunction, events.scheduledRunFunction];
  for (const fn of [...launchers, api.followFunction, images.buildEventsFunction]) {
    acknowledge(
      fn,
      'AwsSolutions-L1',
      'Node.js 24 on purpose (infra/bundling/node-major.ts): the bundles are built for target node24 and tested on Node 24; a runtime upgrade is a deliberate change, not an automatic one.',
    );
    acknowledge(fn.role, wildcard(`${data.table.tableArn}/index/*`), "Queries go to the table's GSIs; `index/*` covers only the indexes of this one table.");
  }
  for (const fn of launchers) {
    acknowledge(
      fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'ecs:RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions and DeregisterTaskDefinition support no resource-level permissions (a revision does not exist before the call; the others are account-wide); ecs:ListTasks is limited to the cluster by its ecs:cluster condition.',
    );
    acknowledge(
      fn.role,
      wildcard(runtime.taskDefinitionArns),
      'Task definitions are registered per app at run time; RunTask and TagResource are limited to the containerizer- families and, for RunTask, to this cluster (ecs:cluster condition).',
    );
    acknowledge(
      fn.role,
      wildcard(runtime.taskArns),
      "Tasks are started at run time; the pattern holds only this cluster's tasks, and TagResource on them only at creation (ecs:CreateAction condition).",
    );
  }
  acknowledge(runExpiry.function, 'AwsSolutions-L1', 'Node.js 24 on purpose, as every function of the stack (see above).');
  acknowledge(
    runExpiry.function.role,
    wildcard(`${data.table.tableArn}/index/*`),
    'Every ContainerizerFunction gets the table and its indexes; this one only reads the stream.',
  );
  acknowledge(
    runExpiry.function.role,
    'AwsSolutions-IAM5[Resource::*]',
    'dynamodb:ListStreams, which the event source mapping needs, supports no resource-level permissions.',
  );
  for (const fn of [api.function, events.reconcilerFunction]) {
    acknowledge(
      fn.role,
      wildcard(events.scheduleRuleArns),
      'The schedule rules of earlier releases were made at run time, one per schedule; only their removal is allowed, limited to the containerizer-sched- name prefix.',
    );
    acknowledge(
      fn.role,
      wildcard(events.scheduleArns()),
      "Schedules are created at run time, one per platform schedule; management is limited to this stack's schedule group.",
    );
  }
  acknowledge(
    events.schedulerRole,
    wildcard(`${events.scheduledRunFunction.functionArn}:*`),
    "lambda:InvokeFunction on the scheduled-run function and its versions (CDK's grantInvoke); the role may invoke nothing else.",
  );

  acknowledge(
    runtime.taskExecutionRole,
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken supports no resource-level permissions; it only yields a registry login.',
  );
  acknowledge(
    runtime.taskExecutionRole,
    wildcard(runtime.imageRepositoryArns),
    "Apps may use an image from any private ECR repository of this account; pulls are limited to this account's repositories.",
  );

  acknowledge(
    api.function.role,
    wildcard(runtime.imageRepositoryArns),
    "A replay checks its image's digest (ecr:DescribeImages) in whichever private ECR repository of this account the app named.",
  );
  acknowledge(
    api.function.role,
    wildcard(images.bucket.arnForObjects('contexts/*')),
    "Build contexts are written per image version at run time; object access is limited to the bucket's contexts/ prefix.",
  );
  acknowledge(
    images.project.role!,
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken supports no resource-level permissions; it only yields the registry login the build pushes with.',
  );
  acknowledge(
    images.project.role!,
    wildcard(images.bucket.arnForObjects('contexts/*')),
    "The build reads the context folder StartBuild names; reads are limited to the bucket's contexts/ prefix.",
  );
  acknowledge(
    images.project.role!,
    wildcard(`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/${images.project.projectName}:*`),
    "CodeBuild's default log-group grant for the project (its own /aws/codebuild/<project> group and streams); the builds log to the BuildLogs group.",
  );
  acknowledge(
    images.project.role!,
    wildcard(`arn:${stack.partition}:codebuild:${stack.region}:${stack.account}:report-group/${images.project.projectName}-*`),
    "CodeBuild's default grant on the project's own report groups (its name prefix).",
  );
  acknowledge(
    images.project,
    'AwsSolutions-CB4',
    'Build artifacts are images pushed to ECR (encrypted at rest by ECR) and the context bucket is SSE-S3 encrypted; a customer managed KMS key would add a monthly cost without changing who can read them.',
  );
  acknowledge(
    images.bucket,
    'AwsSolutions-S1',
    'The bucket holds build contexts written and read only by the api and CodeBuild roles; those calls are in CloudTrail, and access logs would need a second bucket per deployment.',
  );
  acknowledge(images.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the build-events rules and function.');
  acknowledge(runExpiry.deadLetterQueue, 'AwsSolutions-SQS3', "This queue is itself the on-failure destination of run-expiry's stream mapping.");
  acknowledge(
    events.taskStateChangeDeadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue of the task-state-change rule target and function.',
  );
  acknowledge(
    events.scheduleDeadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is itself the dead-letter queue of the schedule rule targets and the scheduled-run function.',
  );
  acknowledge(alerts.eventsDeadLetterQueue, 'AwsSolutions-SQS3', 'This queue is itself the dead-letter queue of the alerts rule target and function.');
  for (const fn of [alerts.alertsFunction, alerts.deliveryFunction]) {
    acknowledge(
      fn.role,
      wildcard(`${data.table.tableArn}/index/*`),
      "Queries go to the table's GSIs (rules of an owner, the outbox); `index/*` covers only this table's indexes.",
    );
  }
  acknowledge(
    api.jwtSecret,
    'AwsSolutions-SMG4',
    'The app signs and verifies with one key, so rotation would end every session at once; rotate by hand until verification accepts the previous key too.',
  );
  acknowledge(
    api.httpApi,
    'AwsSolutions-APIG4',
    'Authorization is done by the app (JWTs from the built-in accounts or the configured OpenID provider); register, login and the OpenAPI document must stay public, and an API Gateway JWT authorizer cannot verify the built-in HMAC-signed tokens.',
  );
}

/** A resolved CloudFormation value as cdk-nag writes it in finding ids: `Fn::Join` joined, `Ref`/`Fn::GetAtt` as `<Name>`/`<Name.Attr>`. */
export function flattenCfnValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('Fn::Join' in node) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flattenCfnValue).join(delimiter);
    }
    if ('Fn::GetAtt' in node) {
      const [resource, attribute] = node['Fn::GetAtt'] as [string, string];
      return `<${resource}.${attribute}>`;
    }
    if ('Ref' in node) return `<${String(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
