/** Retention in the stack: the table's stream feeds run-expiry only TTL deletes of run items; it may delete run log streams and nothing more. */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { buildStack } from './build-stack.js';

let stack: ContainerizerStack;
let template: Template;

beforeAll(() => {
  // Only the template is under test: bundling is skipped (test/infra/stack.test.ts checks the bundles).
  stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
  template = Template.fromStack(stack);
});

/** The event source mappings of the run-expiry function (the alert queue has its own). */
const expiryMappings = () =>
  Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
    (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify(stack.resolve(stack.runExpiry.function.functionName)),
  );

describe('run expiry', () => {
  it('streams old images of the table and filters the mapping to TTL deletes of run items', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'OLD_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const mappings = expiryMappings();
    expect(mappings).toHaveLength(1);
    const props = mappings[0]!.Properties;
    expect(props).toMatchObject({ StartingPosition: 'LATEST', BisectBatchOnFunctionError: true, MaximumRetryAttempts: 10, MaximumRecordAgeInSeconds: 86_400 });
    expect(props.FunctionName).toEqual(stack.resolve(stack.runExpiry.function.functionName));
    expect(props.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      {
        eventName: ['REMOVE'],
        userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
        dynamodb: { OldImage: { sk: { S: ['RUN'] } } },
      },
    ]);
  });

  it('describes records it gave up on in an alarmed dead-letter queue', () => {
    const [mapping] = expiryMappings();
    expect(mapping!.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: stack.resolve(stack.runExpiry.deadLetterQueue.queueArn) } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.runExpiry.deadLetterQueue.queueName) }],
      Threshold: 1,
    });
  });

  it('lets the function delete log streams of the run log group only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const deletes = policies.filter((s: { Action: string | string[] }) => [s.Action].flat().includes('logs:DeleteLogStream'));
    expect(deletes).toHaveLength(1);
    expect(JSON.stringify(deletes[0].Resource)).toContain(stack.getLogicalId(stack.runtime.logGroup.node.defaultChild as never));
  });
});
