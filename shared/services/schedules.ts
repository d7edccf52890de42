/**
 * Cron schedules of apps. The trigger itself lives in the Scheduler port (an EventBridge
 * rule, or an in-process timer in dev mode); every fire comes back to `fire`.
 *
 * A fire is idempotent on (scheduleId, scheduledTime): its outcome is claimed first with a
 * conditional put of a fire record that names the run it will start; a repeated fire finds
 * the record and, if a crash kept the run from being created, creates it under that id.
 */
import { ulid } from 'ulid';
import type { Principal, Schedule, ScheduleFire } from '../domain.js';
import { ClientError, notFound } from '../errors.js';
import { logger } from '../logger.js';
import type { Scheduler } from '../ports.js';
import { parseScheduleExpression } from '../schedule-expression.js';
import type { ScheduleCreate, SchedulePatch } from '../schemas.js';
import type { Page } from '../store/db.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { indexKeys } from '../table.js';
import { isId } from '../ids.js';
import { canAccess } from './access.js';
import type { AppService } from './apps.js';
import type { RunService } from './runs.js';

/** Grace (s) for a run stopped because a Replace-policy fire supersedes it. */
const REPLACE_GRACE_SECONDS = 10;

export interface ScheduleServiceConfig {
  /** Fire records expire this many days after their scheduled time (DynamoDB TTL); 0 keeps them. */
  fireTtlDays: number;
}

export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly apps: AppService,
    private readonly runs: RunService,
    private readonly scheduler: Scheduler,
    private readonly config: ScheduleServiceConfig = { fireTtlDays: 0 },
  ) {}

  /** @throws ClientError 404 when the app is not the caller's; 400 when its overrides cannot be launched (RunService.checkOverrides). */
  async create(principal: Principal, appId: string, input: ScheduleCreate): Promise<Schedule> {
    const app = await this.apps.get(principal, appId);
    this.runs.checkOverrides(app, input.overrides);
    const now = new Date().toISOString();
    const schedule: Schedule = { ...input, scheduleId: ulid(), appId, ownerId: app.ownerId, createdAt: now, updatedAt: now };
    await this.store.put(schedule);
    try {
      await this.scheduler.put(schedule);
    } catch (err) {
      // No trigger, no schedule: do not leave a record that never fires.
      await this.store.delete(schedule.scheduleId);
      throw err;
    }
    return schedule;
  }

  /** Schedules of one app, or all the caller's (admins: all). @throws ClientError 404 (app), 400 (foreign cursor). */
  async list(principal: Principal, options: { appId?: string; cursor?: string; limit?: number }): Promise<Page<Schedule>> {
    if (options.appId) await this.apps.get(principal, options.appId);
    const partition = options.appId
      ? indexKeys.schedulesOfApp(options.appId)
      : principal.role === 'admin'
        ? indexKeys.allSchedules()
        : indexKeys.schedulesOfOwner(principal.userId);
    return this.store.listPage(partition, options.limit ?? 50, options.cursor);
  }

  /** Every enabled schedule, for a dev-mode start-up (a Query on `byKind`). */
  async allEnabled(): Promise<Schedule[]> {
    return (await this.store.listAll(indexKeys.allSchedules())).filter((s) => s.enabled);
  }

  /**
   * Disables a schedule the platform cannot fire (a stored expression that no longer parses,
   * or whose next fire is out of range), keeping why in `disabledReason`; its trigger goes.
   * Does nothing when the schedule is gone.
   */
  async markBroken(scheduleId: string, reason: string): Promise<void> {
    const current = await this.store.get(scheduleId);
    if (!current) return;
    await this.store.put({ ...current, enabled: false, disabledReason: reason, updatedAt: new Date().toISOString() });
    await this.scheduler.remove(scheduleId);
  }

  /** @throws ClientError 404 (also when `scheduleId` is no id). */
  async get(principal: Principal, scheduleId: string): Promise<Schedule> {
    const schedule = isId(scheduleId) ? await this.store.get(scheduleId) : undefined;
    if (!schedule || !canAccess(principal, schedule.ownerId)) throw notFound('schedule', scheduleId);
    return schedule;
  }

  /** Changes a schedule (enabled: false suspends it; enabled: true clears a disabledReason) and re-puts its trigger. @throws ClientError 404, 400 (as create). */
  async update(principal: Principal, scheduleId: string, patch: SchedulePatch): Promise<Schedule> {
    const current = await this.get(principal, scheduleId);
    if (patch.overrides) this.runs.checkOverrides(await this.apps.get(principal, current.appId), patch.overrides);
    const next: Schedule = { ...current, ...patch, updatedAt: new Date().toISOString() };
    if (next.enabled) delete next.disabledReason;
    await this.store.put(next);
    await this.scheduler.put(next);
    return next;
  }

  /** Removes the trigger, then the record. @throws ClientError 404. */
  async delete(principal: Principal, scheduleId: string): Promise<void> {
    const schedule = await this.get(principal, scheduleId);
    await this.scheduler.remove(schedule.scheduleId);
    await this.store.delete(scheduleId);
  }

  /** Deletes every schedule of an app, triggers first (AppService's beforeDelete hook). @throws ClientError 404. */
  async deleteForApp(principal: Principal, appId: string): Promise<void> {
    for (const schedule of await this.store.listAll(indexKeys.schedulesOfApp(appId))) await this.delete(principal, schedule.scheduleId);
  }

  /** The next `count` fire times (UTC), as EventBridge would fire them. @throws ClientError 404. */
  async next(principal: Principal, scheduleId: string, count: number): Promise<string[]> {
    const schedule = await this.get(principal, scheduleId);
    return nextFireTimes(schedule, new Date(), count).map((d) => d.toISOString());
  }

  /** What past fires did, newest first. @throws ClientError 404. */
  async fires(principal: Principal, scheduleId: string, cursor?: string, limit = 50): Promise<Page<ScheduleFire>> {
    await this.get(principal, scheduleId);
    return this.store.firesPage(scheduleId, limit, cursor);
  }

  /**
   * One fire of a schedule at `scheduledTime`: applies the overlap policy and starts a run with
   * trigger "schedule". Idempotent on (scheduleId, scheduledTime): a repeated fire (EventBridge's
   * retry after a failure) repeats every step the first one may not have finished, the Replace
   * step's stops included. Returns the fire's record, or undefined when the schedule is gone or suspended.
   */
  async fire(scheduleId: string, scheduledTime: Date): Promise<ScheduleFire | undefined> {
    const schedule = await this.store.get(scheduleId);
    if (!schedule || !schedule.enabled) return undefined;
    const time = scheduledTime.toISOString();
    const earlier = await this.store.getFire(scheduleId, time);
    if (earlier) return this.replaceAndComplete(schedule, earlier);

    const active = schedule.overlapPolicy === 'Allow' ? [] : await this.runs.activeOfSchedule(scheduleId);
    let fire: ScheduleFire;
    if (await this.runs.atQuota(schedule.ownerId)) {
      fire = {
        scheduleId,
        scheduledTime: time,
        outcome: 'SKIPPED',
        reason: 'the owner has the most active runs allowed (MAX_ACTIVE_RUNS_PER_USER)',
        at: new Date().toISOString(),
      };
    } else if (active.length > 0 && schedule.overlapPolicy === 'Forbid') {
      fire = {
        scheduleId,
        scheduledTime: time,
        outcome: 'SKIPPED',
        reason: `overlapPolicy Forbid: run ${active[0]!.runId} is still ${active[0]!.status}`,
        at: new Date().toISOString(),
      };
    } else {
      fire = { scheduleId, scheduledTime: time, outcome: 'STARTED', runId: ulid(), at: new Date().toISOString() };
    }
    const expiresAt = this.config.fireTtlDays > 0 ? Math.floor(scheduledTime.getTime() / 1000) + this.config.fireTtlDays * 86_400 : undefined;
    // Claimed already: a redelivered fire, or one racing with this one, recorded what it did.
    if (!(await this.store.claimFire(fire, expiresAt))) return this.replaceAndComplete(schedule, (await this.store.getFire(scheduleId, time))!);
    return this.replaceAndComplete(schedule, fire);
  }

  /**
   * A STARTED fire's remaining steps, each idempotent: with overlapPolicy Replace, stop the
   * schedule's other active runs (a stop already asked for is sent again), then create the run.
   */
  private async replaceAndComplete(schedule: Schedule, fire: ScheduleFire): Promise<ScheduleFire> {
    if (fire.outcome === 'STARTED' && schedule.overlapPolicy === 'Replace') {
      const reason = `replaced by the fire of ${fire.scheduledTime} (overlapPolicy Replace)`;
      for (const run of await this.runs.activeOfSchedule(schedule.scheduleId)) {
        if (run.runId !== fire.runId) await this.runs.stopFor(run, reason, REPLACE_GRACE_SECONDS);
      }
    }
    return this.complete(schedule, fire);
  }

  /** Makes sure a STARTED fire's run exists (creating it under the claimed id). */
  private async complete(schedule: Schedule, fire: ScheduleFire): Promise<ScheduleFire> {
    if (fire.outcome !== 'STARTED') return fire;
    try {
      await this.runs.create({ userId: schedule.ownerId, role: 'user' }, schedule.appId, schedule.overrides, {
        trigger: 'schedule',
        runId: fire.runId,
        scheduleId: schedule.scheduleId,
        scheduledTime: fire.scheduledTime,
      });
    } catch (err) {
      // The app was deleted under the schedule (404), or the owner reached the run quota since the fire was claimed (429):
      // the fire is recorded, there is nothing to run.
      if (!(err instanceof ClientError && (err.status === 404 || err.status === 429))) throw err;
      logger.warn('scheduled run not started', { scheduleId: schedule.scheduleId, scheduledTime: fire.scheduledTime, reason: err.message });
    }
    return fire;
  }
}

/** Fire times after `after`; a rate schedule counts from its last change, as a re-put EventBridge rule does. */
export function nextFireTimes(schedule: Schedule, after: Date, count: number): Date[] {
  return parseScheduleExpression(schedule.expression).next(after, count, new Date(schedule.updatedAt));
}
