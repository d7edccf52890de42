/**
 * The reconciler, run every minute: timeouts, lost launches, and tasks whose events were lost.
 */
import type { Platform } from '../platform.js';
import { withLambdaContext } from './context.js';

/** The reconciler function's handler: one sweep of the active runs, asking ECS for each task's state (DescribeTasks), then `housekeeping` (image-housekeeping.ts). */
export function reconcilerHandler(platform: Pick<Platform, 'runs'>, housekeeping?: () => Promise<void>) {
  // The scheduled event carries nothing the sweep needs.
  return withLambdaContext(async (_tick: void): Promise<void> => {
    await platform.runs.sweep({ describe: true });
    await housekeeping?.();
  });
}
