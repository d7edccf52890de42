/**
 * Dev mode's retention: dynalite has no TTL process, so expired runs (their item, results and
 * metric points: ResultService.deleteExpired) and their log files (`<logDir>/<runId>*`) are
 * deleted by this sweep, at start-up and then every SWEEP_MS.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../shared/logger.js';
import type { ResultService } from '../../shared/services/results.js';

/** How often (ms) expired runs are looked for: retention is counted in days, a minute is plenty. */
const SWEEP_MS = 60_000;

/** Deletes every expired run and its log files now. Returns how many runs went. */
export async function sweepExpiredRuns(results: ResultService, logDir: string, now = new Date()): Promise<number> {
  return results.deleteExpired(now, async (runId) => {
    const files = await readdir(logDir).catch(() => [] as string[]);
    await Promise.all(files.filter((f) => f.startsWith(runId)).map((f) => rm(join(logDir, f), { force: true })));
  });
}

/** Sweeps now (awaited: start-up) and then periodically; `stop()` ends it and waits for a pass under way. */
export async function startRetentionSweep(results: ResultService, logDir: string): Promise<{ stop(): Promise<void> }> {
  const pass = () =>
    sweepExpiredRuns(results, logDir)
      .then((n) => n > 0 && logger.info('retention: expired runs deleted', { count: n }))
      .catch((err) => logger.error('retention sweep failed', err as Error));
  let running: Promise<unknown> | undefined = pass();
  await running;
  running = undefined;
  const timer = setInterval(() => {
    running ??= pass().finally(() => (running = undefined));
  }, SWEEP_MS);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
