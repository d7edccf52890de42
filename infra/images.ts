import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxArmBuildImage, LinuxBuildImage, Project } from 'aws-cdk-lib/aws-codebuild';
import { CfnPullThroughCacheRule, Repository, TagMutability, TagStatus } from 'aws-cdk-lib/aws-ecr';
import { BUILD_ARCHITECTURE } from '../shared/aws/architecture.js';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUILD_ENV } from '../shared/aws/build-events.js';
import { CONTEXT_OBJECT, CONTEXT_PREFIX } from '../shared/aws/s3-context-store.js';
import { ENV } from '../shared/env.js';
import type { Events } from './events.js';
import type { Data } from './data.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/** The repository prefix of the Docker Hub pull-through cache: `<registry>/docker-hub/library/alpine:3.20`. */
export const DOCKER_HUB_CACHE_PREFIX = 'docker-hub';

/**
 * The build phase's one command. CodeBuild (buildspec 0.2) runs each command in a new shell that
 * keeps exported variables and the directory but not bash arrays (its service team, aws/aws-cdk#26694),
 * so the arguments are read and used in the same command. They are NUL-separated, so a value may
 * hold spaces or newlines. With a Docker Hub cache, each Docker Hub base image is pulled through
 * it and tagged with its Docker Hub name first, so the Dockerfile builds unchanged.
 */
export const BUILD_COMMAND = [
  'set -euo pipefail',
  `mapfile -d '' -t ARGS < <(jq -j 'to_entries[] | "--build-arg", "\\u0000", .key, "=", .value, "\\u0000"' <<< "\${${BUILD_ENV.buildArgs}:-{\\}}")`,
  `if [ -n "\${${BUILD_ENV.dockerHubMirror}:-}" ]; then`,
  `  for ref in \${${BUILD_ENV.baseImages}:-}; do docker pull "$${BUILD_ENV.dockerHubMirror}/$ref" && docker tag "$${BUILD_ENV.dockerHubMirror}/$ref" "docker.io/$ref"; done`,
  'fi',
  `docker build "\${ARGS[@]}" --label containerizer.imageId="$${BUILD_ENV.imageId}" --label containerizer.buildNumber="$${BUILD_ENV.buildNumber}" -t "$${BUILD_ENV.imageRef}" context`,
].join('\n');

/** Props of {@link Images}. */
export interface ImagesProps {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly events: Events;
  readonly logRetention: RetentionDays;
  /** A Secrets Manager secret (`ecr-pullthroughcache/…`) with Docker Hub credentials: builds pull Docker Hub base images through an ECR pull-through cache. */
  readonly dockerHubCacheSecretArn?: string;
}

/**
 * Images built from source: the build contexts' bucket (encrypted, public access blocked, TLS
 * only, a lifecycle for abandoned uploads), the CodeBuild project that builds a context and
 * pushes it to the ECR repository (scan on push, immutable tags, a lifecycle that drops only
 * untagged layers: tagged builds are expired by the reconciler's garbage collection, which keeps
 * what apps and recent runs use), the build log group, optionally a Docker Hub pull-through cache,
 * and the build-events function that CodeBuild's "Build State Change", ECR's "Image Scan" (basic
 * scanning) and Inspector's "Inspector2 Scan" (enhanced scanning) events reach through three
 * EventBridge rules (undeliverable or failed events land in a dead-letter queue).
 */
export class Images extends Construct {
  readonly bucket: Bucket;
  readonly repository: Repository;
  readonly project: Project;
  readonly buildLogGroup: LogGroup;
  readonly buildEventsFunction: ContainerizerFunction;
  readonly buildStateRule: Rule;
  readonly imageScanRule: Rule;
  /** Enhanced scanning's scans: Amazon Inspector, not ECR, sends them (AWS docs, "EventBridge events sent for enhanced scanning in Amazon ECR"). */
  readonly inspectorScanRule: Rule;
  /** The Docker Hub pull-through cache rule, when the context names its credentials. */
  readonly dockerHubCache?: CfnPullThroughCacheRule;
  readonly deadLetterQueue: Queue;
  /** What a function that starts builds needs (the api): IMAGE_BUCKET_NAME, BUILD_PROJECT_NAME, IMAGE_REPOSITORY_URI, BUILD_LOG_GROUP_NAME. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ImagesProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'ContextBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // An image's contexts are removed with the image (DELETE /images/{imageId}); the rule only clears abandoned uploads.
      lifecycleRules: [{ id: 'abandoned-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.repository = new Repository(this, 'Repository', {
      imageScanOnPush: true,
      imageTagMutability: TagMutability.IMMUTABLE,
      // Untagged only: an age or count rule on tagged images would expire a build an app still runs.
      lifecycleRules: [{ rulePriority: 1, description: 'Layers left untagged by a failed push', tagStatus: TagStatus.UNTAGGED, maxImageAge: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Build logs are a build's diagnostics, not history: they go with the stack.
    this.buildLogGroup = new LogGroup(this, 'BuildLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    const build = BUILD_ENV;
    const registry = this.repository.repositoryUri.split('/')[0]!;
    if (props.dockerHubCacheSecretArn) {
      this.dockerHubCache = new CfnPullThroughCacheRule(this, 'DockerHubCache', {
        ecrRepositoryPrefix: DOCKER_HUB_CACHE_PREFIX,
        upstreamRegistry: 'docker-hub',
        upstreamRegistryUrl: 'registry-1.docker.io',
        credentialArn: props.dockerHubCacheSecretArn,
      });
    }
    this.project = new Project(this, 'Builder', {
      description: 'Containerizer: builds an image from a context folder in S3 and pushes it to ECR',
      // No source of its own: StartBuild names the image's context folder (sourceTypeOverride S3, sourceLocationOverride).
      environment: {
        // The deployment's one architecture decision (shared/aws/architecture.ts): the task definitions of built images name the same.
        buildImage: BUILD_ARCHITECTURE === 'ARM64' ? LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0 : LinuxBuildImage.AMAZON_LINUX_2023_5,
        // docker build needs privileged mode.
        computeType: ComputeType.SMALL,
        privileged: true,
      },
      environmentVariables: {
        REPOSITORY_URI: { value: this.repository.repositoryUri },
        ...(this.dockerHubCache && { [build.dockerHubMirror]: { value: `${registry}/${DOCKER_HUB_CACHE_PREFIX}` } }),
      },
      timeout: Duration.minutes(60),
      logging: { cloudWatch: { logGroup: this.buildLogGroup } },
      buildSpec: BuildSpec.fromObject({
        version: '0.2',
        env: { shell: 'bash', 'exported-variables': [build.digest] },
        phases: {
          pre_build: { commands: ['aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"'] },
          build: {
            commands: [
              // The source folder holds the version's context as one tar (shared/aws/s3-context-store.ts): modes and links as uploaded.
              `mkdir context && tar -xf ${CONTEXT_OBJECT} -C context`,
              BUILD_COMMAND,
            ],
          },
          post_build: {
            commands: [
              // post_build runs after a failed build too: push only what was built.
              `if [ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ]; then docker push "$${build.imageRef}" && export ${build.digest}=$(docker inspect --format '{{index .RepoDigests 0}}' "$${build.imageRef}" | cut -d@ -f2); fi`,
            ],
          },
        },
      }),
    });
    this.repository.grantPullPush(this.project);
    if (this.dockerHubCache) {
      // The first pull of an image creates its cache repository and imports it (AWS docs, "IAM permissions required to sync an upstream registry").
      const cached = Stack.of(this).formatArn({ service: 'ecr', resource: 'repository', resourceName: `${DOCKER_HUB_CACHE_PREFIX}/*` });
      this.project.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchImportUpstreamImage',
            'ecr:CreateRepository',
          ],
          resources: [cached],
        }),
      );
    }
    // Explicit actions rather than grantRead's wildcards: CodeBuild lists the context folder and reads its objects.
    this.project.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [this.bucket.arnForObjects(`${CONTEXT_PREFIX}*`)] }),
    );
    this.project.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketAcl'], resources: [this.bucket.bucketArn] }),
    );

    this.deadLetterQueue = new Queue(this, 'BuildEventsDeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    // It only writes builds and scans, and reads scan findings.
    this.buildEventsFunction = new ContainerizerFunction(this, 'BuildEvents', {
      entryPoint: 'build-events',
      description: 'Applies CodeBuild build state changes and ECR image scans to builds',
      data: props.data,
      logRetention: props.logRetention,
      environment: { ...props.runtime.environment, ...props.events.busEnvironment },
    });
    // Scan events carry counts only: the findings are read from the repository.
    this.repository.grant(this.buildEventsFunction, 'ecr:DescribeImageScanFindings');
    this.buildEventsFunction.configureAsyncInvoke({ onFailure: new SqsDestination(this.deadLetterQueue) });
    const target = () =>
      new LambdaFunction(this.buildEventsFunction, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) });
    this.buildStateRule = new Rule(this, 'BuildStateRule', {
      description: 'State changes of the Containerizer image builds',
      eventPattern: { source: ['aws.codebuild'], detailType: ['CodeBuild Build State Change'], detail: { 'project-name': [this.project.projectName] } },
      targets: [target()],
    });
    this.imageScanRule = new Rule(this, 'ImageScanRule', {
      description: 'Scans of the Containerizer image repository',
      eventPattern: { source: ['aws.ecr'], detailType: ['ECR Image Scan'], detail: { 'repository-name': [this.repository.repositoryName] } },
      targets: [target()],
    });
    this.inspectorScanRule = new Rule(this, 'InspectorScanRule', {
      description: 'Enhanced (Amazon Inspector) scans of the Containerizer image repository',
      // Inspector names the repository by its ARN in `repository-name`.
      eventPattern: { source: ['aws.inspector2'], detailType: ['Inspector2 Scan'], detail: { 'repository-name': [this.repository.repositoryArn] } },
      targets: [target()],
    });

    this.environment = {
      [ENV.IMAGE_BUCKET_NAME]: this.bucket.bucketName,
      [ENV.BUILD_PROJECT_NAME]: this.project.projectName,
      [ENV.IMAGE_REPOSITORY_URI]: this.repository.repositoryUri,
      [ENV.BUILD_LOG_GROUP_NAME]: this.buildLogGroup.logGroupName,
    };
  }

  /**
   * Lets `grantee` (the reconciler) settle builds and scans whose events were lost and collect
   * unused builds: read this project's builds, read the repository's images and scan findings, delete images.
   */
  grantHousekeeping(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['codebuild:BatchGetBuilds'], resources: [this.project.projectArn] }));
    this.repository.grant(grantee, 'ecr:DescribeImages', 'ecr:DescribeImageScanFindings', 'ecr:BatchDeleteImage');
  }

  /**
   * Lets `grantee` manage images: write, read and delete context objects (under CONTEXT_PREFIX
   * only), start this project's builds, read the build logs, and list and delete images of the repository.
   */
  grantManageImages(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects(`${CONTEXT_PREFIX}*`)] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${CONTEXT_PREFIX}*`] } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['codebuild:StartBuild'], resources: [this.project.projectArn] }));
    this.buildLogGroup.grant(grantee, 'logs:GetLogEvents');
    this.repository.grant(grantee, 'ecr:BatchDeleteImage', 'ecr:DescribeImages');
  }
}
