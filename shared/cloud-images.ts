/**
 * The cloud's image adapters (CodeBuild, S3 contexts, ECR scans, garbage collection and the
 * settling of lost build events), built together when one is first used (cloud-platform.ts), so
 * a function that never touches an image (most api requests, every task-state change) makes no
 * CodeBuild, ECR or S3 client at its cold start.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { BuildSettlement } from './aws/build-settlement.js';
import { CodeBuildImageBuilder } from './aws/codebuild-image-builder.js';
import { CodeBuildLogs } from './aws/codebuild-logs.js';
import { EcrGarbageCollector } from './aws/ecr-garbage-collector.js';
import { EcrScanFindings } from './aws/ecr-scan-findings.js';
import { EcrImageDigests } from './aws/ecr-image-digests.js';
import { S3ContextStore } from './aws/s3-context-store.js';
import type { AwsClientConfig, ImageBuildConfig } from './cloud-config.js';
import type { ImageBackend } from './services/images.js';

/** The adapters; `backend` where the function builds images (IMAGE_BUCKET_NAME), the repository's where it has IMAGE_REPOSITORY_URI. */
export interface CloudImageAdapters {
  backend?: ImageBackend;
  scanFindings: EcrScanFindings;
  garbageCollector?: EcrGarbageCollector;
  buildSettlement?: BuildSettlement;
  /** A replay's check that ECR still holds the old run's digest. */
  imageDigests: EcrImageDigests;
}

/** The adapters over one set of clients (one ECR client for all). */
export function cloudImageAdapters(options: {
  aws: AwsClientConfig;
  logs: CloudWatchLogsClient;
  imageBuilds: ImageBuildConfig | undefined;
  repositoryUri: string | undefined;
}): CloudImageAdapters {
  const { aws, logs, imageBuilds, repositoryUri } = options;
  const ecr = new ECRClient(aws);
  const scanFindings = new EcrScanFindings({ ecr });
  const codebuild = imageBuilds || repositoryUri ? new CodeBuildClient(aws) : undefined;
  return {
    backend: imageBuilds && {
      builder: new CodeBuildImageBuilder({
        codebuild: codebuild!,
        ecr,
        logs: new CodeBuildLogs({ logs, logGroupName: imageBuilds.buildLogGroupName }),
        projectName: imageBuilds.buildProjectName,
        bucketName: imageBuilds.bucketName,
        repositoryUri: imageBuilds.repositoryUri,
      }),
      contexts: new S3ContextStore({ s3: new S3Client(aws), bucketName: imageBuilds.bucketName }),
    },
    scanFindings,
    garbageCollector: repositoryUri ? new EcrGarbageCollector({ ecr, repositoryUri }) : undefined,
    buildSettlement: repositoryUri ? new BuildSettlement({ codebuild: codebuild!, ecr, findings: scanFindings }) : undefined,
    // An app's image may be in another Region's registry.
    imageDigests: new EcrImageDigests({ ecrIn: (region) => (region === aws.region ? ecr : new ECRClient({ ...aws, region })) }),
  };
}
