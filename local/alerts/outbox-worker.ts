/**
 * Dev mode's alert worker, in process: sends the outbox's due deliveries (woken at once when an
 * alert is written, and every OUTBOX_POLL_MS for retries), and runs the alert sweep (MISSED_SLOT,
 * LONG_RUN) every SWEEP_MS. The outbox is in the table, so deliveries a stopped server left
 * PENDING are sent by the next one.
 */
import { logger } from '../../shared/logger.js';
import type { Platform } from '../../shared/platform.js';

/** How often (ms) the outbox is read for retries that came due. */
export const OUTBOX_POLL_MS = 1000;
/** How often (ms) MISSED_SLOT and LONG_RUN are evaluated. */
export const ALERT_SWEEP_MS = 2000;

export interface AlertWorker {
  /** Sends what is due now (called when an alert is written). */
  wake(): void;
  /** Stops the timers and waits for the work under way. */
  close(): Promise<void>;
}

/** Starts the worker over the platform's alert services. */
export function startAlertWorker(platform: () => Pick<Platform, 'alertDeliveries' | 'alertEvaluator'>): AlertWorker {
  let draining: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const drain = () => {
    if (closed) return;
    if (draining) {
      again = true;
      return;
    }
    draining = (async () => {
      do {
        again = false;
        try {
          // A full page means more may be due: read on.
          while ((await platform().alertDeliveries.drain(new Date(), 50)) === 50 && !closed);
        } catch (err) {
          logger.error('alert outbox drain failed', err as Error);
        }
      } while (again && !closed);
    })().finally(() => (draining = undefined));
  };
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    sweeping ??= platform()
      .alertEvaluator.sweep()
      .then(() => undefined)
      .catch((err) => logger.error('alert sweep failed', err as Error))
      .finally(() => (sweeping = undefined));
  };
  const poll = setInterval(drain, OUTBOX_POLL_MS);
  const sweeper = setInterval(sweep, ALERT_SWEEP_MS);
  drain();
  return {
    wake: drain,
    async close() {
      closed = true;
      clearInterval(poll);
      clearInterval(sweeper);
      await draining;
      await sweeping;
    },
  };
}
