/**
 * The cloud's ImageBuilder: StartBuild of the image project with the version's context folder
 * as an S3 source (s3-context-store.ts) and the build's identity as environment variables
 * (BUILD_ENV), so CodeBuild's "Build State Change" events say which build they are about and
 * the build-events function moves it (shared/lambda/build-events.ts). Logs: CodeBuildLogs.
 * Images: one immutable ECR tag per build (ecrImageTag), deleted with the image.
 */
import { StartBuildCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { BatchDeleteImageCommand, DescribeImagesCommand, type ECRClient, type ImageIdentifier } from '@aws-sdk/client-ecr';
import type { BuildRef, ImageBuilder, ImageBuildRequest, LogPage } from '../ports.js';
import { DOCKERFILE } from '../build-context.js';
import { dockerHubBaseImages } from './base-images.js';
import { BUILD_ENV, buildOfTag, ecrImageTag } from './build-events.js';
import type { CodeBuildLogs } from './codebuild-logs.js';
import { AwsOperationError, unlessThrottled } from './errors.js';
import { contextFolder } from './s3-context-store.js';

/** Image ids one BatchDeleteImage request may name (100; AWS docs, ECR API Reference, BatchDeleteImage). */
export const BATCH_DELETE_IMAGE_MAX_IDS = 100;

/** Images one DescribeImages page returns at most (1000; ECR API Reference, DescribeImages maxResults). */
const DESCRIBE_IMAGES_PAGE = 1000;

export interface CodeBuildImageBuilderOptions {
  codebuild: CodeBuildClient;
  ecr: ECRClient;
  logs: CodeBuildLogs;
  /** The CodeBuild project (BUILD_PROJECT_NAME). */
  projectName: string;
  /** The contexts' bucket (IMAGE_BUCKET_NAME). */
  bucketName: string;
  /** `<registry>/<repository name>` (IMAGE_REPOSITORY_URI); builds push `<uri>:<ecrImageTag>`. */
  repositoryUri: string;
}

export class CodeBuildImageBuilder implements ImageBuilder {
  constructor(private readonly options: CodeBuildImageBuilderOptions) {}

  /**
   * Starts the build and returns CodeBuild's build id. The idempotency token is the build's
   * identity, so a retried request within CodeBuild's 5 minutes starts no second build.
   * @throws ServiceUnavailableError when CodeBuild throttles; AwsOperationError when it answers without a build.
   */
  async build(request: ImageBuildRequest): Promise<BuildRef> {
    const { projectName, bucketName, repositoryUri } = this.options;
    const variables = {
      [BUILD_ENV.imageId]: request.imageId,
      [BUILD_ENV.buildNumber]: String(request.buildNumber),
      [BUILD_ENV.imageRef]: `${repositoryUri}:${ecrImageTag(request.imageId, request.buildNumber)}`,
      [BUILD_ENV.buildArgs]: JSON.stringify(request.buildArgs ?? {}),
      // Pulled through the project's Docker Hub cache when it has one (infra/images.ts BUILD_COMMAND).
      [BUILD_ENV.baseImages]: dockerHubBaseImages(dockerfileOf(request)).join(' '),
    };
    const out = await unlessThrottled(
      'CodeBuild',
      this.options.codebuild.send(
        new StartBuildCommand({
          projectName,
          sourceTypeOverride: 'S3',
          sourceLocationOverride: `${bucketName}/${contextFolder(request.imageId, request.contextVersion)}`,
          environmentVariablesOverride: Object.entries(variables).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' })),
          idempotencyToken: `${request.imageId}-${request.buildNumber}`,
        }),
      ),
    );
    if (!out.build?.id) throw new AwsOperationError('StartBuild', `CodeBuild started no build for image ${request.imageId} build ${request.buildNumber}`);
    return out.build.id;
  }

  /** The build's CloudWatch Logs stream (CodeBuildLogs). @throws ClientError 400 for a foreign cursor; ServiceUnavailableError when throttled. */
  readLog(build: { buildRef?: BuildRef }, options: { cursor?: string; limit: number }): Promise<LogPage> {
    return this.options.logs.read(build.buildRef || undefined, options);
  }

  /**
   * Deletes the image's builds from the repository: DescribeImages page by page, the tags of this
   * image (buildOfTag) in BatchDeleteImage calls of at most BATCH_DELETE_IMAGE_MAX_IDS. An image
   * already gone is fine; the build logs expire with their group's retention. Idempotent.
   * @throws AwsOperationError for any other failure ECR reports; ServiceUnavailableError when ECR throttles.
   */
  async discard(imageId: string): Promise<void> {
    const repositoryName = repositoryNameOf(this.options.repositoryUri);
    const ids: ImageIdentifier[] = [];
    let nextToken: string | undefined;
    do {
      const page = await unlessThrottled(
        'ECR',
        this.options.ecr.send(new DescribeImagesCommand({ repositoryName, filter: { tagStatus: 'TAGGED' }, maxResults: DESCRIBE_IMAGES_PAGE, nextToken })),
      );
      for (const image of page.imageDetails ?? []) {
        for (const tag of image.imageTags ?? []) if (buildOfTag(tag)?.imageId === imageId) ids.push({ imageTag: tag });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    for (let i = 0; i < ids.length; i += BATCH_DELETE_IMAGE_MAX_IDS) {
      const out = await unlessThrottled(
        'ECR',
        this.options.ecr.send(new BatchDeleteImageCommand({ repositoryName, imageIds: ids.slice(i, i + BATCH_DELETE_IMAGE_MAX_IDS) })),
      );
      const failures = (out.failures ?? []).filter((f) => f.failureCode !== 'ImageNotFound');
      if (failures.length > 0) {
        throw new AwsOperationError(
          'BatchDeleteImage',
          failures.map((f) => `${f.imageId?.imageTag}: ${f.failureCode} ${f.failureReason ?? ''}`.trim()).join('; '),
        );
      }
    }
  }
}

/** The text of the request's Dockerfile ('' when absent: the build then fails on its own). */
function dockerfileOf(request: ImageBuildRequest): string {
  const entry = request.context.find((e) => e.path === DOCKERFILE);
  return entry?.type === 'file' ? entry.content.toString('utf8') : '';
}

/** The repository name of `<registry>/<name>` (names may hold `/`). */
export function repositoryNameOf(repositoryUri: string): string {
  return repositoryUri.slice(repositoryUri.indexOf('/') + 1);
}
