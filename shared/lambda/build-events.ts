/**
 * EventBridge "CodeBuild Build State Change" events of the image project, and "ECR Image Scan"
 * (basic scanning) and "Inspector2 Scan" (enhanced scanning) events of the image repository →
 * the builds' state machine and their scans.
 */
import {
  repositoryNameOfArn,
  toBuildScan,
  toBuildStateChange,
  type BuildScan,
  type CodeBuildBuildStateChangeEvent,
  type EcrImageScanEvent,
  type InspectorScanEvent,
} from '../aws/build-events.js';
import type { EcrScanFindings } from '../aws/ecr-scan-findings.js';
import { ServiceUnavailableError } from '../errors.js';
import type { ScanResult } from '../image-scan.js';
import { logger } from '../logger.js';
import type { Platform } from '../services/platform-services.js';
import { withLambdaContext } from './context.js';

/** The kinds of event the build-events function's rules deliver. */
export type BuildEvent = CodeBuildBuildStateChangeEvent | EcrImageScanEvent | InspectorScanEvent;

/**
 * The build-events function's handler: applies one build event or scan (its findings read
 * through `findings`, when given); builds the platform did not start and images it did not tag are ignored. Errors propagate so that EventBridge and
 * Lambda retry the event: the writes are conditional and forward only, so a replay changes nothing already applied.
 */
export function buildEventsHandler(platform: Pick<Platform, 'builds'>, findings?: Pick<EcrScanFindings, 'complete'>) {
  return withLambdaContext(async (event: BuildEvent): Promise<void> => {
    if (event['detail-type'] === 'CodeBuild Build State Change') {
      const change = toBuildStateChange(event);
      if (change) await platform.builds.applyBuildStateChange(change);
      return;
    }
    if (event['detail-type'] === 'ECR Image Scan' || event['detail-type'] === 'Inspector2 Scan') {
      const found = toBuildScan(event);
      if (found) await platform.builds.recordScan(found.imageId, found.buildNumber, await withFindings(event, found, findings), found.digest);
      return;
    }
    logger.warn('ignored an event of an unexpected type', { detailType: (event as { 'detail-type'?: string })['detail-type'] });
  });
}

/**
 * The scan with its findings. Throttling is thrown (the event is retried); any other failure to
 * read them keeps the counts alone (they are what the run policy judges), marked truncated.
 */
async function withFindings(
  event: EcrImageScanEvent | InspectorScanEvent,
  found: BuildScan,
  findings?: Pick<EcrScanFindings, 'complete'>,
): Promise<ScanResult> {
  if (!findings) return found.scan;
  try {
    return await findings.complete(repositoryNameOfArn(event.detail['repository-name']), found);
  } catch (err) {
    if (err instanceof ServiceUnavailableError) throw err;
    logger.warn('scan findings could not be read; recording the counts only', { imageId: found.imageId, buildNumber: found.buildNumber, error: err as Error });
    return found.scan;
  }
}
