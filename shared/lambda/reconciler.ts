/**
 * The reconciler, run every minute: timeouts, lost launches, and tasks whose events were lost;
 * and schedule slots no fire came for (the ledger's MISSED, and each schedule's catch-up); the
 * alert rules' MISSED_SLOT and LONG_RUN, and alert deliveries whose queue message was lost; then,
 * until shortly before its timeout, the launch queue (runs waiting for Fargate capacity).
 */
import { MISSED_SLOT_GRACE_MS, MISSED_SLOT_SWEEP_MINUTES, RECONCILER_TIMEOUT_SECONDS } from '../cloud-limits.js';
import { logger } from '../logger.js';
import type { Platform } from '../services/platform-services.js';
import { RESULTS_BESIDE_RUNS_MIGRATION } from '../services/results.js';
import { withLambdaContext, type LambdaContext } from './context.js';

/** The one-time move of every schedule from an EventBridge rule (earlier releases) to an EventBridge Scheduler schedule. */
export const SCHEDULER_MIGRATION = 'schedules-to-eventbridge-scheduler';

/** A PENDING delivery this long (ms) past its attempt's time lost its queue message: the reconciler sends it. */
export const ALERT_OVERDUE_MS = 5 * 60_000;

/** Ms kept free before the reconciler's timeout when the launch queue is drained (launches in flight finish in it). */
const DRAIN_MARGIN_MS = 2_000;

/**
 * The reconciler function's handler: one sweep of the active runs, asking ECS for each task's
 * state (DescribeTasks); then the one-time move of results off the run items (ResultService.stripInlineResults), the schedules (the one-time move to EventBridge Scheduler, the
 * missed slots, every MISSED_SLOT_SWEEP_MINUTES) and `housekeeping` (image-housekeeping.ts), each step's failure logged and left
 * to the next tick; then the launch queue drained (RunService.drainQueue) until DRAIN_MARGIN_MS
 * before the function's timeout, as Lambda's context tells it (called without a context, as in a
 * test of the sweep, no drain).
 */
export function reconcilerHandler(
  platform: Pick<Platform, 'runs' | 'schedules' | 'results'> & Partial<Pick<Platform, 'alertEvaluator' | 'alertDeliveries'>>,
  housekeeping?: () => Promise<void>,
) {
  // The scheduled event carries nothing the sweep needs.
  return withLambdaContext(async (_tick: void, context?: LambdaContext): Promise<void> => {
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const deadline = remainingMs === undefined ? undefined : new Date(Date.now() + Math.min(remainingMs, RECONCILER_TIMEOUT_SECONDS * 1000) - DRAIN_MARGIN_MS);
    await platform.runs.sweep({ describe: true });
    try {
      await platform.schedules.moveTriggers(SCHEDULER_MIGRATION);
    } catch (err) {
      logger.error('moving the schedules to EventBridge Scheduler failed; the next tick tries again', { error: err as Error });
    }
    try {
      await platform.results.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION);
    } catch (err) {
      logger.error('moving the results off the run items failed; the next tick tries again', { error: err as Error });
    }
    try {
      if (new Date().getUTCMinutes() % MISSED_SLOT_SWEEP_MINUTES === 0)
        await platform.schedules.catchUp(
          new Date(),
          MISSED_SLOT_GRACE_MS,
          'no fire came for this slot (EventBridge Scheduler did not deliver it within its retry window)',
        );
    } catch (err) {
      logger.error('the missed-slot sweep failed', { error: err as Error });
    }
    try {
      // MISSED_SLOT and LONG_RUN (the alerts it writes are queued); then deliveries whose queue message was lost (overdue by ALERT_OVERDUE_MS).
      await platform.alertEvaluator?.sweep();
      await platform.alertDeliveries?.drain(new Date(Date.now() - ALERT_OVERDUE_MS));
    } catch (err) {
      logger.error('the alert sweep failed', { error: err as Error });
    }
    await housekeeping?.();
    if (deadline) await platform.runs.drainQueue(deadline);
  });
}
