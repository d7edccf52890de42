/**
 * Dev mode's Scheduler: an in-process timer per enabled schedule, at the fire times computed for
 * the EventBridge Scheduler expression in the schedule's time zone (shared/schedule-expression.ts),
 * each delayed by a random part of the schedule's flexible time window, as EventBridge Scheduler's
 * FLEXIBLE mode spreads invocations; the fire still names its slot.
 *
 * No schedule can stop the process: a schedule whose fire times cannot be computed (a stored
 * expression that no longer parses, a time out of range) is handed to `onBroken` with the
 * reason, and no timer is armed for it.
 */
import type { Schedule } from '../shared/domain.js';
import { logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/ports.js';
import { nextFireTimes } from '../shared/schedule-expression.js';

/** setTimeout's longest delay (ms); later fires re-arm in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** What the scheduler calls back: `onFire` starts the scheduled run; `onBroken` records why a schedule cannot fire (and disables it). */
export interface LocalSchedulerHooks {
  onFire(scheduleId: string, scheduledTime: Date): Promise<unknown>;
  onBroken(scheduleId: string, reason: string): Promise<unknown>;
}

export class LocalScheduler implements Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Errors of either hook are logged, and the other schedules fire on. */
  constructor(private readonly hooks: LocalSchedulerHooks) {}

  /** Arms the schedule's timer; never throws (a broken schedule goes to onBroken). */
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
    let next: Date | undefined;
    try {
      [next] = nextFireTimes(schedule, after, 1);
      if (next && !Number.isFinite(next.getTime())) throw new Error('its next fire time is out of range');
    } catch (err) {
      return this.broken(schedule.scheduleId, `cannot compute the next fire time of "${schedule.expression}": ${(err as Error).message}`);
    }
    if (!next) return;
    const fireAt = next;
    const dueAt = fireAt.getTime() + Math.floor(Math.random() * schedule.flexibleWindowMinutes * 60_000);
    const delay = Math.min(Math.max(0, dueAt - Date.now()), MAX_DELAY_MS);
    const timer = setTimeout(() => {
      if (Date.now() < dueAt) return this.arm(schedule, after);
      this.hooks
        .onFire(schedule.scheduleId, fireAt)
        .catch((err) => logger.error('schedule fire failed', { scheduleId: schedule.scheduleId, scheduledTime: fireAt.toISOString(), error: err as Error }));
      this.arm(schedule, fireAt);
    }, delay);
    this.timers.set(schedule.scheduleId, timer);
  }

  private broken(scheduleId: string, reason: string): void {
    this.clear(scheduleId);
    logger.error('schedule disabled: it cannot fire', { scheduleId, reason });
    this.hooks.onBroken(scheduleId, reason).catch((err) => logger.error('could not record a broken schedule', { scheduleId, error: err as Error }));
  }

  private clear(scheduleId: string): void {
    clearTimeout(this.timers.get(scheduleId));
    this.timers.delete(scheduleId);
  }
}
