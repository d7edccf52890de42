/**
 * Alerts in the stack: the platform's Run State Change events reach the alerts function (with a
 * dead-letter queue), the delivery queue feeds alert-delivery with batch item failures and a
 * redrive to an alarmed dead-letter queue, and only the functions that write alerts may send to it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { ALERT_MAX_RECEIVES } from '../../infra/alerts.js';
import { buildStack } from './build-stack.js';

let stack: ContainerizerStack;
let template: Template;
const statements = () =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      p.Properties.PolicyDocument.Statement.map((s: object) => ({ ...s, roles: p.Properties.Roles })) as {
        Action: string | string[];
        Resource: unknown;
        roles: unknown[];
      }[],
  );

beforeAll(() => {
  // Only the template is under test: bundling is skipped (test/infra/stack.test.ts checks the bundles).
  stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
  template = Template.fromStack(stack);
});

describe('alerts', () => {
  it('routes the platform run events to the alerts function, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['containerizer'], 'detail-type': ['Run State Change'] },
      Targets: [
        {
          Arn: stack.resolve(stack.alerts.alertsFunction.functionArn),
          DeadLetterConfig: { Arn: stack.resolve(stack.alerts.eventsDeadLetterQueue.queueArn) },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21_600 },
        },
      ],
    });
  });

  it('feeds alert-delivery from an encrypted queue that redrives to an alarmed dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: stack.resolve(stack.alerts.deadLetterQueue.queueArn), maxReceiveCount: ALERT_MAX_RECEIVES },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: stack.resolve(stack.alerts.deliveryFunction.functionName),
      EventSourceArn: stack.resolve(stack.alerts.queue.queueArn),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.alerts.deadLetterQueue.queueName) }],
      Threshold: 1,
    });
  });

  it('lets only the functions that write alerts send to the queue, and only alert-delivery receive from it', () => {
    const queueArn = JSON.stringify(stack.resolve(stack.alerts.queue.queueArn));
    const roleOf = (fn: { role: { node: { defaultChild: unknown } } }) => stack.resolve((fn.role.node.defaultChild as { ref: string }).ref);
    const on = (action: string) =>
      statements()
        .filter((s) => [s.Action].flat().includes(action) && [s.Resource].flat().some((r) => JSON.stringify(r) === queueArn))
        .flatMap((s) => s.roles.map((r) => JSON.stringify(r)));
    const writers = [
      stack.api.function,
      stack.events.taskStateChangeFunction,
      stack.events.scheduledRunFunction,
      stack.events.reconcilerFunction,
      stack.alerts.alertsFunction,
      stack.alerts.deliveryFunction,
    ].map((fn) => JSON.stringify(roleOf(fn)));
    expect(new Set(on('sqs:SendMessage'))).toEqual(new Set(writers));
    expect(on('sqs:ReceiveMessage')).toEqual([JSON.stringify(roleOf(stack.alerts.deliveryFunction))]);
  });
});
