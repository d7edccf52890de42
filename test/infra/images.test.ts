/**
 * The images side of the stack: the context bucket, the ECR repository, the CodeBuild project,
 * the build-events rules and what the api may do with them. Bundling is skipped: only the
 * template is under test.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { KEPT_IMAGES } from '../../infra/images.js';
import { flattenCfnValue } from '../../infra/nag-acknowledgments.js';
import { BUILD_ENV } from '../../shared/aws/build-events.js';
import { buildStack } from './build-stack.js';

let stack: ContainerizerStack;
let template: Template;
const cfn = (token: string) => stack.resolve(token);

beforeAll(() => {
  stack = buildStack({ 'aws:cdk:bundling-stacks': [] });
  template = Template.fromStack(stack);
});

describe('images', () => {
  it('keeps contexts in an encrypted, private, TLS-only bucket with a lifecycle for abandoned uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('pushes to a repository that scans on push, refuses to move a tag and expires old and untagged images', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository!.Properties).toMatchObject({ ImageScanningConfiguration: { ScanOnPush: true }, ImageTagMutability: 'IMMUTABLE' });
    const rules = JSON.parse(repository!.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 }) }),
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEPT_IMAGES }) }),
    ]);
  });

  it('builds with Docker in a privileged arm64 CodeBuild environment, pushing the reference and exporting the digest', () => {
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(project!.Properties.Environment).toMatchObject({ Type: 'ARM_CONTAINER', PrivilegedMode: true, ComputeType: 'BUILD_GENERAL1_SMALL' });
    const buildspec = JSON.parse(project!.Properties.Source.BuildSpec as string);
    expect(buildspec.phases.build.commands.join('\n')).toContain(`-t "$${BUILD_ENV.imageRef}" .`);
    expect(buildspec.phases.post_build.commands.join('\n')).toContain(`docker push "$${BUILD_ENV.imageRef}"`);
    expect(buildspec.env['exported-variables']).toEqual([BUILD_ENV.digest]);
    expect(project!.Properties.TimeoutInMinutes).toBe(60);
  });

  it("routes the project's build state changes and the repository's scans to the build-events function", () => {
    const target = { Targets: [Match.objectLike({ Arn: cfn(stack.images.buildEventsFunction.functionArn) })] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        detail: { 'project-name': [cfn(stack.images.project.projectName)] },
      },
      ...target,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecr'], 'detail-type': ['ECR Image Scan'], detail: { 'repository-name': [cfn(stack.images.repository.repositoryName)] } },
      ...target,
    });
  });

  it('lets the api start this project only, touch contexts/ only, and read the build logs', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(stack.api.function.role.node.defaultChild as never)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const allowing = (action: string) => policies.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat().map(flattenCfnValue));
    expect(allowing('codebuild:StartBuild')).toEqual([flattenCfnValue(cfn(stack.images.project.projectArn))]);
    expect(allowing('s3:PutObject')).toEqual([`${flattenCfnValue(cfn(stack.images.bucket.bucketArn))}/contexts/*`]);
    expect(allowing('logs:GetLogEvents')).toContainEqual(flattenCfnValue(cfn(stack.images.buildLogGroup.logGroupArn)));
    expect(allowing('ecr:BatchDeleteImage')).toEqual([flattenCfnValue(cfn(stack.images.repository.repositoryArn))]);
  });
});
