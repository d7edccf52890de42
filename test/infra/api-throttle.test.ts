import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_THROTTLE } from '../../infra/api.js';
import { buildStack } from './build-stack.js';

describe('api throttling', () => {
  it("throttles every route of the $default stage (API Gateway's default route settings)", () => {
    // Only the template is under test: bundling is skipped (test/infra/stack.test.ts checks the bundles).
    const template = Template.fromStack(buildStack({ 'aws:cdk:bundling-stacks': [] }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.rateLimit, ThrottlingBurstLimit: API_THROTTLE.burstLimit },
    });
    expect(API_THROTTLE.burstLimit).toBeGreaterThanOrEqual(API_THROTTLE.rateLimit);
  });
});
