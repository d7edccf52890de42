/**
 * The cloud's image-build events, normalized: CodeBuild "Build State Change" events become
 * BuildStateChanges, ECR "Image Scan" (basic scanning) and Amazon Inspector "Inspector2 Scan"
 * (enhanced scanning) events become scans of a build. Event shapes: AWS docs, CodeBuild "Build
 * notifications input format reference", ECR "Amazon ECR events and EventBridge" and "EventBridge
 * events sent for enhanced scanning in Amazon ECR". The build a CodeBuild event belongs to travels with the build as environment
 * variables (BUILD_ENV), and the build an ECR image belongs to as its tag (ecrImageTag), so no
 * lookup table is needed, as task events carry their run id.
 */
import { scanResult, SEVERITIES, toSeverity, type ScanResult } from '../image-scan.js';
import type { BuildStateChange } from '../ports.js';

/** The environment variables a build is started with (CodeBuild StartBuild environmentVariablesOverride); the buildspec reads them. */
export const BUILD_ENV = {
  imageId: 'CONTAINERIZER_IMAGE_ID',
  buildNumber: 'CONTAINERIZER_BUILD_NUMBER',
  /** The immutable `repository-uri:tag` the buildspec pushes. */
  imageRef: 'CONTAINERIZER_IMAGE_REF',
  /** The build arguments as a JSON object (name → value). */
  buildArgs: 'CONTAINERIZER_BUILD_ARGS',
  /** The Dockerfile's Docker Hub base images, space-separated (base-images.ts), pulled through the cache when the project has one. */
  baseImages: 'CONTAINERIZER_BASE_IMAGES',
  /** Set on the project (not per build) when a Docker Hub pull-through cache exists: `<registry>/<cache prefix>`. */
  dockerHubMirror: 'DOCKER_HUB_MIRROR',
  /** Exported by the buildspec (`exported-variables`): the pushed image's digest. */
  digest: 'IMAGE_DIGEST',
} as const;

/** The ECR tag of one build: `<imageId lowercased>-<n>` (tags are case-sensitive; ULIDs are not). Immutable: the repository refuses to move it. */
export function ecrImageTag(imageId: string, buildNumber: number): string {
  return `${imageId.toLowerCase()}-${buildNumber}`;
}

/** The image and build an ECR tag names, if it is one of ecrImageTag's. */
export function buildOfTag(tag: string): { imageId: string; buildNumber: number } | undefined {
  const match = /^([0-9a-z]{26})-([1-9]\d{0,8})$/.exec(tag);
  return match ? { imageId: match[1]!.toUpperCase(), buildNumber: Number(match[2]) } : undefined;
}

/** The CloudWatch Logs stream of a CodeBuild build: its id's last part (`project:uuid` → `uuid`), in the project's group. */
export function codeBuildLogStream(buildId: string): string {
  return buildId.slice(buildId.lastIndexOf(':') + 1);
}

interface NameValue {
  name?: string;
  value?: string;
}

/** The fields of a "CodeBuild Build State Change" event read here. */
export interface CodeBuildBuildStateChangeEvent {
  'detail-type': 'CodeBuild Build State Change';
  source: 'aws.codebuild';
  time: string;
  detail: {
    /** IN_PROGRESS, SUCCEEDED, FAILED, STOPPED (and FAULT, TIMED_OUT for phases). */
    'build-status': string;
    'project-name'?: string;
    'build-id': string;
    'additional-information'?: {
      environment?: { 'environment-variables'?: NameValue[] };
      'exported-environment-variables'?: NameValue[];
      phases?: { 'phase-type'?: string; 'phase-status'?: string; 'phase-context'?: string[] }[];
    };
  };
}

/** The detail both scan events carry (ECR's and Inspector's), the fields read here. */
interface ScanEventDetail {
  /** ECR: COMPLETE or FAILED; Inspector: INITIAL_SCAN_COMPLETE. */
  'scan-status': string;
  /** ECR: the repository's name; Inspector: its ARN. */
  'repository-name': string;
  'image-digest'?: string;
  'image-tags'?: string[];
  /** Severity → number of findings (Inspector adds TOTAL); absent severities have none. */
  'finding-severity-counts'?: Record<string, number>;
}

/** The fields of an "ECR Image Scan" event (basic scanning) read here. */
export interface EcrImageScanEvent {
  'detail-type': 'ECR Image Scan';
  source: 'aws.ecr';
  time: string;
  detail: ScanEventDetail;
}

/**
 * The fields of an "Inspector2 Scan" event of an ECR image read here: Amazon Inspector sends it when
 * the initial scan of a pushed image completes under enhanced scanning (ECR sends no "ECR Image Scan" then).
 */
export interface InspectorScanEvent {
  'detail-type': 'Inspector2 Scan';
  source: 'aws.inspector2';
  time: string;
  detail: ScanEventDetail;
}

/** The repository name of an ECR repository ARN (`arn:aws:ecr:region:account:repository/name`), or the string itself when it is a name. */
export function repositoryNameOfArn(arnOrName: string): string {
  const at = arnOrName.indexOf(':repository/');
  return at < 0 ? arnOrName : arnOrName.slice(at + ':repository/'.length);
}

/**
 * A CodeBuild event as a BuildStateChange, or undefined for a build the platform did not
 * start (no BUILD_ENV variables) or a status that moves nothing. SUCCEEDED is BUILT with the
 * pushed reference (and digest, when the buildspec exported it); FAILED, FAULT, STOPPED and
 * TIMED_OUT are FAILED with the failed phase's context as the reason.
 */
export function toBuildStateChange(event: CodeBuildBuildStateChangeEvent): BuildStateChange | undefined {
  const info = event.detail['additional-information'] ?? {};
  const vars = new Map((info.environment?.['environment-variables'] ?? []).map((v) => [v.name, v.value]));
  const imageId = vars.get(BUILD_ENV.imageId);
  const buildNumber = Number(vars.get(BUILD_ENV.buildNumber));
  if (!imageId || !Number.isSafeInteger(buildNumber) || buildNumber < 1) return undefined;
  const base = { imageId, buildNumber, buildRef: event.detail['build-id'], at: new Date(event.time) };
  const status = event.detail['build-status'];
  if (status === 'IN_PROGRESS') return { ...base, lastStatus: 'BUILDING' };
  if (status === 'SUCCEEDED') {
    const digest = (info['exported-environment-variables'] ?? []).find((v) => v.name === BUILD_ENV.digest)?.value || undefined;
    return { ...base, lastStatus: 'BUILT', imageRef: vars.get(BUILD_ENV.imageRef), digest };
  }
  if (['FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'].includes(status)) return { ...base, lastStatus: 'FAILED', reason: failureReason(status, info.phases ?? []) };
  return undefined;
}

function failureReason(status: string, phases: NonNullable<NonNullable<CodeBuildBuildStateChangeEvent['detail']['additional-information']>['phases']>): string {
  const failed = phases.find((p) => p['phase-status'] && p['phase-status'] !== 'SUCCEEDED');
  const context = (failed?.['phase-context'] ?? []).filter((c) => c.trim() !== '' && c !== ': ').join('; ');
  if (!failed) return `the build ended ${status}`;
  return `${failed['phase-type'] ?? 'a phase'} ${failed['phase-status']}${context ? `: ${context}` : ''}`;
}

/** What an ECR scan says about one build: its scan (counts only: the event carries no findings) and the image digest. */
export interface BuildScan {
  imageId: string;
  buildNumber: number;
  digest?: string;
  scan: ScanResult;
}

/** A completed scan of an image tagged by ecrImageTag, or undefined (a failed scan, another repository's image); either scanning's event. */
export function toBuildScan(event: EcrImageScanEvent | InspectorScanEvent): BuildScan | undefined {
  const complete = event['detail-type'] === 'Inspector2 Scan' ? 'INITIAL_SCAN_COMPLETE' : 'COMPLETE';
  if (event.detail['scan-status'] !== complete) return undefined;
  const build = (event.detail['image-tags'] ?? []).map(buildOfTag).find(Boolean);
  if (!build) return undefined;
  return { ...build, digest: event.detail['image-digest'], scan: scanOfCounts(event.detail['finding-severity-counts'] ?? {}, 'ecr', new Date(event.time)) };
}

/**
 * A scan from counts alone (severity → findings; Inspector's TOTAL is not a severity and is left
 * out), `truncated` when there are findings: they are read separately (EcrScanFindings).
 */
export function scanOfCounts(counts: Record<string, number>, scanner: string, scannedAt: Date): ScanResult {
  const result = scanResult([], scanner, scannedAt);
  for (const [severity, count] of Object.entries(counts)) if (severity.toUpperCase() !== 'TOTAL') result.counts[toSeverity(severity)] += count;
  const total = SEVERITIES.reduce((sum, s) => sum + result.counts[s], 0);
  return { ...result, truncated: total > 0 };
}
