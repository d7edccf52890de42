/**
 * CodeBuild "Build State Change", ECR "Image Scan" and Amazon Inspector "Inspector2 Scan" events
 * shaped as AWS documents them (CodeBuild User Guide, "Build notifications input format reference";
 * ECR User Guide, "Amazon ECR events and EventBridge" and "EventBridge events sent for enhanced
 * scanning in Amazon ECR"), for the image builds the platform starts.
 */
import { BUILD_ENV, ecrImageTag, type CodeBuildBuildStateChangeEvent, type EcrImageScanEvent, type InspectorScanEvent } from '../../shared/aws/build-events.js';

const ACCOUNT = '123456789012';
export const PROJECT = 'containerizer-images';
export const REPOSITORY = 'containerizer-images';
export const REPOSITORY_URI = `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/${REPOSITORY}`;

/** The CodeBuild build id of a build: `arn:…:build/<project>:<uuid>`. */
export function codeBuildId(uuid: string): string {
  return `arn:aws:codebuild:us-west-2:${ACCOUNT}:build/${PROJECT}:${uuid}`;
}

/** A build state change of build `buildNumber` of `imageId` (started with BUILD_ENV), at `time`. */
export function codeBuildEvent(
  imageId: string,
  buildNumber: number,
  status: string,
  options: {
    time?: string;
    uuid?: string;
    digest?: string;
    phases?: { 'phase-type': string; 'phase-status': string; 'phase-context': string[] }[];
    vars?: boolean;
  } = {},
): CodeBuildBuildStateChangeEvent {
  const buildId = codeBuildId(options.uuid ?? '8745a7a9-c340-456a-9166-edf953571bex');
  const vars = [
    { name: BUILD_ENV.imageId, type: 'PLAINTEXT', value: imageId },
    { name: BUILD_ENV.buildNumber, type: 'PLAINTEXT', value: String(buildNumber) },
    { name: BUILD_ENV.imageRef, type: 'PLAINTEXT', value: `${REPOSITORY_URI}:${ecrImageTag(imageId, buildNumber)}` },
    { name: 'REPOSITORY_URI', type: 'PLAINTEXT', value: REPOSITORY_URI },
  ];
  return {
    version: '0',
    id: 'c030038d-8c4d-6141-9545-00ff7b7153ex',
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    account: ACCOUNT,
    time: options.time ?? '2030-01-01T00:00:10Z',
    region: 'us-west-2',
    resources: [buildId],
    detail: {
      'build-status': status,
      'project-name': PROJECT,
      'build-id': buildId,
      'additional-information': {
        environment: {
          image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
          'privileged-mode': true,
          'compute-type': 'BUILD_GENERAL1_SMALL',
          type: 'ARM_CONTAINER',
          'environment-variables': options.vars === false ? [] : vars,
        },
        'timeout-in-minutes': 60,
        'build-complete': status !== 'IN_PROGRESS',
        initiator: 'containerizer-api',
        'build-start-time': 'Jan 1, 2030 12:00:00 AM',
        source: { location: `containerizer-contexts/contexts/${imageId}/1/`, type: 'S3' },
        logs: { 'group-name': '/containerizer/builds', 'stream-name': '8745a7a9-c340-456a-9166-edf953571bex' },
        phases: options.phases ?? [],
        ...(options.digest && { 'exported-environment-variables': [{ name: BUILD_ENV.digest, value: options.digest }] }),
      },
      'current-phase': status === 'IN_PROGRESS' ? 'BUILD' : 'COMPLETED',
      'current-phase-context': '[]',
      version: '1',
    },
  } as CodeBuildBuildStateChangeEvent;
}

/** A COMPLETE (or FAILED) scan of the image tagged for build `buildNumber` of `imageId`. */
export function ecrScanEvent(
  imageId: string,
  buildNumber: number,
  counts: Record<string, number>,
  options: { time?: string; status?: string; digest?: string; tags?: string[] } = {},
): EcrImageScanEvent {
  return {
    version: '0',
    id: '85fc3613-e913-7fc4-a80c-a3753e4aa9ae',
    'detail-type': 'ECR Image Scan',
    source: 'aws.ecr',
    account: ACCOUNT,
    time: options.time ?? '2030-01-01T00:00:20Z',
    region: 'us-west-2',
    resources: [`arn:aws:ecr:us-west-2:${ACCOUNT}:repository/${REPOSITORY}`],
    detail: {
      'scan-status': options.status ?? 'COMPLETE',
      'repository-name': REPOSITORY,
      'finding-severity-counts': counts,
      'image-digest': options.digest ?? 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234',
      'image-tags': options.tags ?? [ecrImageTag(imageId, buildNumber)],
    },
  } as EcrImageScanEvent;
}

/**
 * Enhanced scanning's initial scan of the image tagged for build `buildNumber` of `imageId`: sent
 * by Amazon Inspector, the repository named by its ARN, the counts with a TOTAL.
 */
export function inspectorScanEvent(
  imageId: string,
  buildNumber: number,
  counts: Record<string, number>,
  options: { time?: string; digest?: string } = {},
): InspectorScanEvent {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return {
    version: '0',
    id: '739c0d3c-4f02-85c7-5a88-94a9e9f5a1b2',
    'detail-type': 'Inspector2 Scan',
    source: 'aws.inspector2',
    account: ACCOUNT,
    time: options.time ?? '2030-01-01T00:00:20Z',
    region: 'us-west-2',
    resources: [`arn:aws:ecr:us-west-2:${ACCOUNT}:repository/${REPOSITORY}`],
    detail: {
      'scan-status': 'INITIAL_SCAN_COMPLETE',
      'repository-name': `arn:aws:ecr:us-west-2:${ACCOUNT}:repository/${REPOSITORY}`,
      'finding-severity-counts': { ...counts, TOTAL: total },
      'image-digest': options.digest ?? 'sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e59e3a8e4914',
      'image-tags': [ecrImageTag(imageId, buildNumber)],
    },
  } as InspectorScanEvent;
}
