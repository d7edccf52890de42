/**
 * The reconciler, run every minute: timeouts, lost launches, and tasks whose events were lost;
 * then, until shortly before its timeout, the launch queue (runs waiting for Fargate capacity).
 */
import { RECONCILER_TIMEOUT_SECONDS } from '../cloud-limits.js';
import type { Platform } from '../platform.js';
import { withLambdaContext, type LambdaContext } from './context.js';

/** Ms kept free before the reconciler's timeout when the launch queue is drained (launches in flight finish in it). */
const DRAIN_MARGIN_MS = 2_000;

/**
 * The reconciler function's handler: one sweep of the active runs, asking ECS for each task's state
 * (DescribeTasks), then the launch queue drained (RunService.drainQueue) until DRAIN_MARGIN_MS
 * before the function's timeout, as Lambda's context tells it; called without a context (a test of
 * the sweep), the sweep alone.
 */
export function reconcilerHandler(platform: Pick<Platform, 'runs'>) {
  // The scheduled event carries nothing the sweep needs.
  return withLambdaContext(async (_tick: void, context?: LambdaContext): Promise<void> => {
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const deadline = remainingMs === undefined ? undefined : new Date(Date.now() + Math.min(remainingMs, RECONCILER_TIMEOUT_SECONDS * 1000) - DRAIN_MARGIN_MS);
    await platform.runs.sweep({ describe: true });
    if (deadline) await platform.runs.drainQueue(deadline);
  });
}
