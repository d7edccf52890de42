/**
 * The web console's cloud side (infra/console.ts): a private bucket behind CloudFront with Origin
 * Access Control, the bundle and its config.json deployed, its URL as an output, and CORS for that
 * origin alone on the api function and the log-follow function URL.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { buildStack } from './build-stack.js';

let stack: ContainerizerStack;
let template: Template;
/** The console's origin as CloudFormation writes it: https:// + the distribution's domain. */
let origin: unknown;

beforeAll(() => {
  // Only the template is under test: no Lambda bundling (the console's files are an asset either way).
  stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
  template = Template.fromStack(stack);
  const [distributionId] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
  origin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
});

describe('the web console in the cloud', () => {
  it('serves a private bucket through CloudFront with Origin Access Control, pages falling back to index.html', () => {
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      WebsiteConfiguration: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: Match.anyValue() })],
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        ],
      }),
    });
    // Only CloudFront reads the bucket, and only for this distribution.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('deploys the bundle with a config.json naming the API and the live follow URL, and prints the URL', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment'));
    expect(deployments).toHaveLength(1);
    const markers = JSON.stringify(deployments[0]!.Properties.SourceMarkers);
    const api = stack.getLogicalId(stack.api.httpApi.node.defaultChild as CfnElement);
    const followUrl = stack.getLogicalId(stack.api.followUrl.node.defaultChild as CfnElement);
    expect(markers).toContain(api);
    expect(markers).toContain(followUrl);
    expect(deployments[0]!.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
    template.hasOutput('ConsoleUrl', { Value: origin });
  });

  it('allows CORS from the console origin alone, on the API and on the streaming follow URL', () => {
    const apiId = stack.getLogicalId(stack.api.function.node.defaultChild as CfnElement);
    expect(template.toJSON().Resources[apiId].Properties.Environment.Variables.CORS_ALLOWED_ORIGINS).toEqual(origin);
    template.hasResourceProperties('AWS::Lambda::Url', {
      InvokeMode: 'RESPONSE_STREAM',
      Cors: { AllowOrigins: [origin], AllowMethods: ['GET'], AllowHeaders: ['authorization', 'accept', 'last-event-id'], MaxAge: 600 },
    });
  });

  it('sends a CSP that lets pages call only their own origin and the API hosts', () => {
    const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csp = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    expect(csp.Override).toBe(true);
    // The region and URL suffix are tokens: the policy is a join around them.
    const text = JSON.stringify(csp.ContentSecurityPolicy);
    expect(text).toMatch(/^\{"Fn::Join":\["",\["default-src 'self'; connect-src 'self' https:\/\/\*\.execute-api\./);
    expect(text).toContain('https://*.lambda-url.');
    expect(text).toContain("frame-ancestors 'none'");
  });
});
