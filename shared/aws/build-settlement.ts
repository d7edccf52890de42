/**
 * Builds and scans whose events were lost, settled by asking AWS (the reconciler's minute tick):
 * CodeBuild's and ECR's EventBridge events are best effort, so a build can stay BUILDING after
 * CodeBuild finished it, and a BUILT build can wait forever for its scan (which, with a
 * SCAN_SEVERITY_THRESHOLD, refuses every run of it). A build unsettled for SETTLE_AFTER_MS is
 * read with BatchGetBuilds (its state goes through the same conversion as the event's:
 * toBuildStateChange), a scan with DescribeImageScanFindings (through EcrScanFindings, as the event's).
 */
import { BatchGetBuildsCommand, type Build as CodeBuildBuild, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { DescribeImageScanFindingsCommand, ScanNotFoundException, type ECRClient } from '@aws-sdk/client-ecr';
import type { Build } from '../image-schemas.js';
import { logger } from '../logger.js';
import type { BuildStateChange } from '../ports.js';
import type { ScanResult } from '../image-scan.js';
import { buildOfTag, scanOfCounts, toBuildStateChange, type CodeBuildBuildStateChangeEvent } from './build-events.js';
import { repositoryNameOf } from './codebuild-image-builder.js';
import type { EcrScanFindings } from './ecr-scan-findings.js';
import { unlessThrottled } from './errors.js';

/** How long (ms) an unsettled build waits for its event before it is asked about: events usually come within seconds. */
export const SETTLE_AFTER_MS = 5 * 60_000;

/** After this long (ms) without a scan ECR can give, a BUILT build stops being asked about (it stays unscanned). */
export const SCAN_GIVE_UP_MS = 24 * 60 * 60_000;

/** A build CodeBuild no longer knows, or that never got a CodeBuild id, is FAILED after this long (ms): past CodeBuild's 60-minute build timeout. */
export const LOST_BUILD_MS = 2 * 60 * 60_000;

/** Build ids one BatchGetBuilds request may name (100; AWS CodeBuild API Reference, BatchGetBuilds `ids`). */
export const BATCH_GET_BUILDS_MAX_IDS = 100;

/** What settlement asks of the image service (ImageService). */
export interface UnsettledBuilds {
  unsettledBuilds(): Promise<Build[]>;
  applyBuildStateChange(change: BuildStateChange): Promise<unknown>;
  recordScan(imageId: string, number: number, scan: ScanResult, digest?: string): Promise<unknown>;
  abandonScan(imageId: string, number: number): Promise<void>;
}

/** What one settlement changed. */
export interface SettlementReport {
  builds: number;
  scans: number;
}

export class BuildSettlement {
  constructor(private readonly options: { codebuild: CodeBuildClient; ecr: ECRClient; findings: Pick<EcrScanFindings, 'complete'> }) {}

  /**
   * Settles the builds and scans late by SETTLE_AFTER_MS at `now`. A build's failure is logged
   * and skipped (the next tick tries again); throttling ends the pass (ServiceUnavailableError).
   */
  async settle(images: UnsettledBuilds, now = new Date()): Promise<SettlementReport> {
    const late = (since: string | undefined, ms: number) => since !== undefined && now.getTime() - Date.parse(since) >= ms;
    const unsettled = await images.unsettledBuilds();
    const underway = unsettled.filter((b) => (b.status === 'QUEUED' || b.status === 'BUILDING') && late(b.startedAt ?? b.createdAt, SETTLE_AFTER_MS));
    const unscanned = unsettled.filter((b) => b.status === 'BUILT' && !b.scan && late(b.finishedAt ?? b.createdAt, SETTLE_AFTER_MS));
    const report: SettlementReport = { builds: 0, scans: 0 };
    for (const change of await this.buildChanges(underway, now)) if (await images.applyBuildStateChange(change)) report.builds++;
    for (const build of unscanned) {
      const scan = await this.scanOf(build);
      if (scan) {
        await images.recordScan(build.imageId, build.number, scan, build.digest);
        report.scans++;
      } else if (late(build.finishedAt ?? build.createdAt, SCAN_GIVE_UP_MS)) {
        logger.warn('no scan of a built image came in a day: runs of it stay refused under a scan policy', {
          imageId: build.imageId,
          buildNumber: build.number,
        });
        await images.abandonScan(build.imageId, build.number);
      }
    }
    return report;
  }

  /** The state changes CodeBuild reports for `builds` (BatchGetBuilds, ≤ 100 ids a call); lost builds end FAILED after LOST_BUILD_MS. */
  private async buildChanges(builds: Build[], now: Date): Promise<BuildStateChange[]> {
    const changes: BuildStateChange[] = [];
    const lost = (build: Build, reason: string): BuildStateChange | undefined =>
      now.getTime() - Date.parse(build.createdAt) >= LOST_BUILD_MS
        ? { imageId: build.imageId, buildNumber: build.number, buildRef: build.buildRef ?? '', lastStatus: 'FAILED', at: now, reason }
        : undefined;
    const withRef = builds.filter((b) => b.buildRef);
    for (const build of builds.filter((b) => !b.buildRef)) {
      const change = lost(build, 'the build never started (no CodeBuild build was recorded)');
      if (change) changes.push(change);
    }
    for (let i = 0; i < withRef.length; i += BATCH_GET_BUILDS_MAX_IDS) {
      const batch = withRef.slice(i, i + BATCH_GET_BUILDS_MAX_IDS);
      const out = await unlessThrottled('CodeBuild', this.options.codebuild.send(new BatchGetBuildsCommand({ ids: batch.map((b) => b.buildRef!) })));
      const found = new Map((out.builds ?? []).map((b) => [b.id, b]));
      for (const build of batch) {
        const state = found.get(build.buildRef);
        const change = state ? toBuildStateChange(asEvent(state, now)) : lost(build, 'CodeBuild no longer knows the build');
        // IN_PROGRESS moves a QUEUED build to BUILDING; a finished one settles it.
        if (change) changes.push(change);
      }
    }
    return changes;
  }

  /** The build's scan as ECR has it now, or undefined while there is none (not yet, or ECR cannot scan the image). */
  private async scanOf(build: Build): Promise<ScanResult | undefined> {
    const [repository, tag] = splitImageRef(build.imageRef);
    if (!repository || !tag || !buildOfTag(tag)) return undefined;
    try {
      const out = await unlessThrottled(
        'ECR',
        this.options.ecr.send(
          new DescribeImageScanFindingsCommand({
            repositoryName: repository,
            imageId: build.digest ? { imageDigest: build.digest } : { imageTag: tag },
            maxResults: 1,
          }),
        ),
      );
      const status = out.imageScanStatus?.status;
      // COMPLETE: basic scanning; ACTIVE: enhanced scanning (Inspector) has scanned and keeps watching.
      if (status !== 'COMPLETE' && status !== 'ACTIVE') return undefined;
      const findings = out.imageScanFindings;
      const scannedAt = findings?.imageScanCompletedAt ?? new Date();
      const counts = scanOfCounts(findings?.findingSeverityCounts ?? {}, 'ecr', new Date(scannedAt));
      return await this.options.findings.complete(repository, { imageId: build.imageId, buildNumber: build.number, digest: build.digest, scan: counts });
    } catch (err) {
      if (err instanceof ScanNotFoundException) return undefined;
      throw err;
    }
  }
}

/** `<registry>/<repository>:<tag>` → [repository, tag]. */
function splitImageRef(imageRef: string | undefined): [string | undefined, string | undefined] {
  if (!imageRef) return [undefined, undefined];
  const colon = imageRef.lastIndexOf(':');
  if (colon < imageRef.indexOf('/')) return [undefined, undefined];
  return [repositoryNameOf(imageRef.slice(0, colon)), imageRef.slice(colon + 1)];
}

/** A BatchGetBuilds build in the shape of its "Build State Change" event, so both go through toBuildStateChange. */
function asEvent(build: CodeBuildBuild, now: Date): CodeBuildBuildStateChangeEvent {
  const at = build.endTime ?? build.startTime ?? now;
  return {
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    time: new Date(at).toISOString(),
    detail: {
      'build-status': build.buildStatus ?? 'IN_PROGRESS',
      'project-name': build.projectName,
      'build-id': build.id ?? '',
      'additional-information': {
        environment: { 'environment-variables': (build.environment?.environmentVariables ?? []).map(({ name, value }) => ({ name, value })) },
        'exported-environment-variables': (build.exportedEnvironmentVariables ?? []).map(({ name, value }) => ({ name, value })),
        phases: (build.phases ?? []).map((phase) => ({
          'phase-type': phase.phaseType,
          'phase-status': phase.phaseStatus,
          'phase-context': (phase.contexts ?? []).map((c) => `${c.statusCode ?? ''}: ${c.message ?? ''}`),
        })),
      },
    },
  };
}
