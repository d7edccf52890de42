/**
 * Dev mode's Scheduler: an in-process timer per enabled schedule, at the fire times croner
 * computes for the EventBridge expression (see shared/schedule-expression.ts).
 */
import type { Schedule } from '../shared/domain.js';
import { logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/ports.js';
import { nextFireTimes } from '../shared/services/schedules.js';

/** setTimeout's longest delay (ms); later fires re-arm in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class LocalScheduler implements Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** `onFire` starts the scheduled run; its errors are logged, and the schedule fires on. */
  constructor(private readonly onFire: (scheduleId: string, scheduledTime: Date) => Promise<unknown>) {}

  async put(schedule: Schedule): Promise<void> {
    this.clear(schedule.scheduleId);
    if (schedule.enabled) this.arm(schedule, new Date());
  }

  async remove(scheduleId: string): Promise<void> {
    this.clear(scheduleId);
  }

  /** Stops every timer (server shutdown). */
  close(): void {
    for (const id of [...this.timers.keys()]) this.clear(id);
  }

  private arm(schedule: Schedule, after: Date): void {
    const [next] = nextFireTimes(schedule, after, 1);
    if (!next) return;
    const delay = Math.min(Math.max(0, next.getTime() - Date.now()), MAX_DELAY_MS);
    const timer = setTimeout(() => {
      if (Date.now() < next.getTime()) return this.arm(schedule, after);
      this.onFire(schedule.scheduleId, next).catch((err) =>
        logger.error('schedule fire failed', { scheduleId: schedule.scheduleId, scheduledTime: next.toISOString(), error: err as Error }),
      );
      this.arm(schedule, next);
    }, delay);
    this.timers.set(schedule.scheduleId, timer);
  }

  private clear(scheduleId: string): void {
    clearTimeout(this.timers.get(scheduleId));
    this.timers.delete(scheduleId);
  }
}
