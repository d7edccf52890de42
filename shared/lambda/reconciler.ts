/**
 * The reconciler, run every minute: timeouts, lost launches, and tasks whose events were lost;
 * and schedule slots no fire came for (the ledger's MISSED, and each schedule's catch-up).
 */
import { MISSED_SLOT_GRACE_MS } from '../cloud-limits.js';
import { logger } from '../logger.js';
import type { Platform } from '../platform.js';
import { withLambdaContext } from './context.js';

/** The one-time move of every schedule from an EventBridge rule (earlier releases) to an EventBridge Scheduler schedule. */
export const SCHEDULER_MIGRATION = 'schedules-to-eventbridge-scheduler';

/**
 * The reconciler function's handler: one sweep of the active runs, asking ECS for each task's
 * state (DescribeTasks); then the schedules (the one-time move to EventBridge Scheduler, the
 * missed slots) and `housekeeping` (image-housekeeping.ts). Each later step's failure is logged
 * and left to the next tick.
 */
export function reconcilerHandler(platform: Pick<Platform, 'runs' | 'schedules'>, housekeeping?: () => Promise<void>) {
  // The scheduled event carries nothing the sweep needs.
  return withLambdaContext(async (_tick: void): Promise<void> => {
    await platform.runs.sweep({ describe: true });
    try {
      await platform.schedules.moveTriggers(SCHEDULER_MIGRATION);
    } catch (err) {
      logger.error('moving the schedules to EventBridge Scheduler failed; the next tick tries again', { error: err as Error });
    }
    try {
      await platform.schedules.catchUp(new Date(), MISSED_SLOT_GRACE_MS, 'no fire came for this slot (EventBridge Scheduler did not deliver it within its retry window)');
    } catch (err) {
      logger.error('the missed-slot sweep failed', { error: err as Error });
    }
    await housekeeping?.();
  });
}
