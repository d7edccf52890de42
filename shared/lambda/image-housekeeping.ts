/**
 * The reconciler's image work, after its sweep of the runs: every tick, builds and scans whose
 * events were lost are settled (shared/aws/build-settlement.ts); once an hour, the builds in ECR
 * no app or recent run uses are deleted (GarbageService with shared/aws/ecr-garbage-collector.ts).
 * A failure is logged and left to the next tick: the runs' sweep has already happened.
 */
import type { CloudPlatform } from '../cloud-platform.js';
import { logger } from '../logger.js';

/** Minutes between two garbage collections (60): the collector reads every app and the last day's runs. */
export const GC_EVERY_MINUTES = 60;

/** The housekeeping of one tick at `now` (default: the tick's time); nothing where the function has no image repository. */
export function imageHousekeeping(platform: Pick<CloudPlatform, 'builds' | 'garbage' | 'buildSettlement'>) {
  return async (now = new Date()): Promise<void> => {
    const { buildSettlement } = platform;
    if (!buildSettlement) return;
    try {
      const settled = await buildSettlement.settle(platform.builds, now);
      if (settled.builds + settled.scans > 0) logger.info('settled builds and scans whose events were lost', { ...settled });
    } catch (err) {
      logger.error('settling builds failed', { error: err as Error });
    }
    if (Math.floor(now.getTime() / 60_000) % GC_EVERY_MINUTES !== 0) return;
    try {
      const report = await platform.garbage.collect();
      logger.info('garbage collected', { removed: report.removed.length, bytesFreed: report.bytesFreed });
    } catch (err) {
      logger.error('garbage collection failed', { error: err as Error });
    }
  };
}
