/**
 * EventBridge "CodeBuild Build State Change" events of the image project and "ECR Image Scan"
 * events of the image repository → the builds' state machine and their scans.
 */
import { toBuildScan, toBuildStateChange, type CodeBuildBuildStateChangeEvent, type EcrImageScanEvent } from '../aws/build-events.js';
import { logger } from '../logger.js';
import type { Platform } from '../platform.js';
import { withLambdaContext } from './context.js';

/** The two kinds of event the build-events function's rules deliver. */
export type BuildEvent = CodeBuildBuildStateChangeEvent | EcrImageScanEvent;

/**
 * The build-events function's handler: applies one build event or scan; builds the platform
 * did not start and images it did not tag are ignored. Errors propagate so that EventBridge and
 * Lambda retry the event: the writes are conditional and forward only, so a replay changes nothing already applied.
 */
export function buildEventsHandler(platform: Pick<Platform, 'images'>) {
  return withLambdaContext(async (event: BuildEvent): Promise<void> => {
    if (event['detail-type'] === 'CodeBuild Build State Change') {
      const change = toBuildStateChange(event);
      if (change) await platform.images.applyBuildStateChange(change);
      return;
    }
    if (event['detail-type'] === 'ECR Image Scan') {
      const found = toBuildScan(event);
      if (found) await platform.images.recordScan(found.imageId, found.buildNumber, found.scan, found.digest);
      return;
    }
    logger.warn('ignored an event of an unexpected type', { detailType: (event as { 'detail-type'?: string })['detail-type'] });
  });
}
