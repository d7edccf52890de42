/**
 * cdk-nag's AwsSolutions pack over the whole stack: every finding must be fixed or
 * acknowledged with a reason in infra/nag-acknowledgments.ts.
 *
 * cdk-nag 3 is a policy-validation plugin (not an aspect), and the CDK version in use does not
 * hand plugins the construct tree yet, so the pack is run directly with `validateScope`.
 */
import { App, type PolicyViolation, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack } from './build-stack.js';

/** One line per violating resource, so a failure names the rule and the construct. */
function describeViolations(violations: PolicyViolation[]): string[] {
  return violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}: ${violation.description}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  let violations: PolicyViolation[];

  beforeAll(() => {
    // The rules read the template, not the code, so bundling is skipped.
    violations = new AwsSolutionsChecks().validateScope(buildStack({ 'aws:cdk:bundling-stacks': [] })).violations;
  });

  it('leaves no unacknowledged error', () => {
    expect(describeViolations(violations.filter((violation) => violation.severity === 'error'))).toEqual([]);
  });

  it('reports an unacknowledged error as severity "error" (so the filter above can fail)', () => {
    const other = new Stack(new App(), 'Other');
    new Queue(other, 'Queue');
    const rules = new AwsSolutionsChecks()
      .validateScope(other)
      .violations.filter((violation) => violation.severity === 'error')
      .map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
