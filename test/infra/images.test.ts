/**
 * The images side of the stack: the context bucket, the ECR repository, the CodeBuild project,
 * the build-events rules and what the api may do with them. Bundling is skipped: only the
 * template is under test.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { ContainerizerStack } from '../../infra/containerizer-stack.js';
import { DOCKER_HUB_CACHE_PREFIX } from '../../infra/images.js';
import { flattenCfnValue } from '../../infra/nag-acknowledgments.js';
import { BUILD_ENV } from '../../shared/aws/build-events.js';
import { CONTEXT_OBJECT } from '../../shared/aws/s3-context-store.js';
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

  it('pushes to a repository that scans on push, refuses to move a tag and expires untagged layers only (never a build an app may run)', () => {
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository'));
    expect(repository!.Properties).toMatchObject({ ImageScanningConfiguration: { ScanOnPush: true }, ImageTagMutability: 'IMMUTABLE' });
    const rules = JSON.parse(repository!.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 1 }) }),
    ]);
  });

  it('has no Docker Hub cache unless the context names its credentials; then the rule, and the builder may fill it', () => {
    template.resourceCountIs('AWS::ECR::PullThroughCacheRule', 0);
    const secret = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf';
    const cached = buildStack({ 'aws:cdk:bundling-stacks': [], dockerHubCacheSecretArn: secret });
    const cachedTemplate = Template.fromStack(cached);
    cachedTemplate.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: DOCKER_HUB_CACHE_PREFIX,
      UpstreamRegistry: 'docker-hub',
      UpstreamRegistryUrl: 'registry-1.docker.io',
      CredentialArn: secret,
    });
    const statements = Object.values(cachedTemplate.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const imports = statements.filter((s: { Action: string | string[] }) => [s.Action].flat().includes('ecr:BatchImportUpstreamImage'));
    expect(imports).toHaveLength(1);
    expect(flattenCfnValue(imports[0].Resource)).toMatch(/:repository\/docker-hub\/\*$/);
    expect(() =>
      buildStack({ 'aws:cdk:bundling-stacks': [], dockerHubCacheSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:dockerhub' }),
    ).toThrow(/dockerHubCacheSecretArn.*ecr-pullthroughcache\//);
  });

  it('builds with Docker in a privileged arm64 CodeBuild environment, pushing the reference and exporting the digest', () => {
    const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
    expect(project!.Properties.Environment).toMatchObject({ Type: 'ARM_CONTAINER', PrivilegedMode: true, ComputeType: 'BUILD_GENERAL1_SMALL' });
    const buildspec = JSON.parse(project!.Properties.Source.BuildSpec as string);
    expect(buildspec.phases.build.commands[0]).toBe(`mkdir context && tar -xf ${CONTEXT_OBJECT} -C context`);
    expect(buildspec.phases.build.commands.join('\n')).toContain(`-t "$${BUILD_ENV.imageRef}" context`);
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
    // Enhanced scanning: Amazon Inspector sends the scans, naming the repository by its ARN.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Scan'],
        detail: { 'repository-name': [cfn(stack.images.repository.repositoryArn)] },
      },
      ...target,
    });
  });

  /** Resources per action of the policies attached to `role`, flattened; `conditions` per action too. */
  function grantsOf(role: IRole) {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(role.node.defaultChild as never)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }[])
      .filter((s) => s.Effect === 'Allow');
    const matching = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    return {
      resources: (action: string) => matching(action).flatMap((s) => [s.Resource].flat().map(flattenCfnValue)),
      conditions: (action: string) => matching(action).map((s) => s.Condition),
      actions: new Set(statements.flatMap((s) => [s.Action].flat())),
    };
  }

  it('lets the api do what the image adapters call, on the project, contexts/ and the repository only', () => {
    const api = grantsOf(stack.api.function.role!);
    const bucketArn = flattenCfnValue(cfn(stack.images.bucket.bucketArn));
    const repositoryArn = flattenCfnValue(cfn(stack.images.repository.repositoryArn));
    expect(api.resources('codebuild:StartBuild')).toEqual([flattenCfnValue(cfn(stack.images.project.projectArn))]);
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject']) expect(api.resources(action)).toEqual([`${bucketArn}/contexts/*`]);
    expect(api.resources('s3:ListBucket')).toEqual([bucketArn]);
    expect(api.conditions('s3:ListBucket')).toEqual([{ StringLike: { 's3:prefix': ['contexts/*'] } }]);
    expect(api.resources('logs:GetLogEvents')).toContainEqual(flattenCfnValue(cfn(stack.images.buildLogGroup.logGroupArn)));
    expect(api.resources('ecr:BatchDeleteImage')).toEqual([repositoryArn]);
    // DescribeImages also on the account's other private repositories: a replay checks its image's digest wherever the app's image is.
    expect(api.resources('ecr:DescribeImages').sort()).toEqual([repositoryArn, flattenCfnValue(cfn(stack.runtime.imageRepositoryArns))].sort());
    // Nothing the adapters do not call.
    for (const action of ['codebuild:BatchGetBuilds', 'ecr:DescribeImageScanFindings', 'ecr:PutImage', 's3:*']) expect(api.actions.has(action)).toBe(false);
  });

  it('lets the reconciler settle late builds and scans and collect unused builds: of this project and repository only', () => {
    const reconciler = grantsOf(stack.events.reconcilerFunction.role!);
    expect(reconciler.resources('codebuild:BatchGetBuilds')).toEqual([flattenCfnValue(cfn(stack.images.project.projectArn))]);
    for (const action of ['ecr:DescribeImages', 'ecr:DescribeImageScanFindings', 'ecr:BatchDeleteImage']) {
      expect(reconciler.resources(action), action).toEqual([flattenCfnValue(cfn(stack.images.repository.repositoryArn))]);
    }
    expect([...reconciler.actions].filter((a) => /^s3:|^codebuild:StartBuild/.test(a))).toEqual([]);
  });

  it('lets the build-events function read scan findings of the repository, and touch no context or build', () => {
    const events = grantsOf(stack.images.buildEventsFunction.role!);
    expect(events.resources('ecr:DescribeImageScanFindings')).toEqual([flattenCfnValue(cfn(stack.images.repository.repositoryArn))]);
    expect([...events.actions].filter((a) => /^(s3|codebuild):/.test(a) || a === 'ecr:BatchDeleteImage')).toEqual([]);
  });
});
