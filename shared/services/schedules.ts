/**
 * Cron schedules of apps. The trigger itself lives in the Scheduler port (an EventBridge
 * rule, or an in-process timer in dev mode); every fire comes back to `fire`.
 *
 * A fire is idempotent on (scheduleId, scheduledTime): its outcome is claimed first with a
 * conditional put of a fire record that names the run it will start; a repeated fire finds
 * the record and, if a crash kept the run from being created, creates it under that id.
 */
import { ulid } from 'ulid';
import { RUN_STARTING_OUTCOMES, type Principal, type Schedule, type ScheduleFire } from '../domain.js';
import { badRequest, ClientError, notFound } from '../errors.js';
import { logger } from '../logger.js';
import type { Scheduler } from '../ports.js';
import { InvalidScheduleExpression, localTime, nextFireTimes, nextSlots, parseScheduleExpression } from '../schedule-expression.js';
import { CATCH_UP_DEFAULTS, SCHEDULE_DEFAULTS, type ScheduleCreateInput, type SchedulePatch } from '../schedule-schemas.js';
import type { Page } from '../store/db.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { isId } from '../ids.js';
import { canAccess } from './access.js';
import type { AppService } from './apps.js';
import type { RunService } from './runs.js';

/** Grace (s) for a run stopped because a Replace-policy fire supersedes it. */
const REPLACE_GRACE_SECONDS = 10;

/** The most missed slots one catch-up pass records for a schedule (newest first); older ones are only logged. */
export const MISSED_LEDGER_CAP = 1000;

/** One slot of a preview: when it fires (UTC and local, with the zone's offset), or the wall-clock time daylight saving skips. */
export interface PreviewSlot {
  time?: string;
  localTime?: string;
  /** The wall-clock time occurs twice that day (clocks go back): it fires once, at the first. */
  repeatedOnce?: true;
  /** The wall-clock time does not exist that day (clocks go forward): no fire. */
  skipped?: true;
  wallClock?: string;
}

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
  async create(principal: Principal, appId: string, input: ScheduleCreateInput): Promise<Schedule> {
    const app = await this.apps.get(principal, appId);
    const fields = { enabled: true, overlapPolicy: 'Allow' as const, overrides: {}, ...SCHEDULE_DEFAULTS, ...input };
    this.runs.checkOverrides(app, fields.overrides);
    checkInZone(fields);
    const now = new Date().toISOString();
    const schedule: Schedule = { ...fields, scheduleId: ulid(), appId, ownerId: app.ownerId, createdAt: now, updatedAt: now };
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
    const of = options.appId ? { appId: options.appId } : { ownerId: principal.role === 'admin' ? undefined : principal.userId };
    return this.store.listPage(of, options.limit ?? 50, options.cursor);
  }

  /**
   * Puts every schedule's trigger once more (enabled or not) and remembers it did under `name`:
   * how a deployment moves its triggers to another Scheduler (the cloud's reconciler moves rules
   * to EventBridge Scheduler this way). The new trigger is made before the old one goes, and a
   * slot both fire is one ledger entry, so nothing is lost or run twice. A failure leaves it to
   * the next call. Returns how many schedules it put (0 once done).
   */
  async moveTriggers(name: string): Promise<number> {
    if (await this.store.migrated(name)) return 0;
    const all = await this.store.listAll({});
    for (const schedule of all) await this.scheduler.put(schedule);
    await this.store.markMigrated(name);
    logger.info('schedule triggers moved', { migration: name, schedules: all.length });
    return all.length;
  }

  /** Every enabled schedule, for a dev-mode start-up (a Query on `byKind`). */
  async allEnabled(): Promise<Schedule[]> {
    return (await this.store.listAll({})).filter((s) => s.enabled);
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
    if (patch.expression !== undefined || patch.timeZone !== undefined) checkInZone(next);
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
    for (const schedule of await this.store.listAll({ appId })) await this.delete(principal, schedule.scheduleId);
  }

  /**
   * The next `count` fire times as EventBridge Scheduler would fire them (UTC), and the same
   * slots with their local time and offset, the slots daylight saving skips flagged. @throws ClientError 404.
   */
  async next(principal: Principal, scheduleId: string, count: number): Promise<{ times: string[]; timeZone: string; slots: PreviewSlot[] }> {
    const schedule = await this.get(principal, scheduleId);
    return preview(schedule, new Date(), count);
  }

  /** The ledger: what happened at each slot, newest first, optionally between two times (ISO 8601). @throws ClientError 404, 400 (foreign cursor). */
  async fires(
    principal: Principal,
    scheduleId: string,
    options: { cursor?: string; limit?: number; from?: string; to?: string } = {},
  ): Promise<Page<ScheduleFire>> {
    await this.get(principal, scheduleId);
    const iso = (t?: string) => (t === undefined ? undefined : new Date(t).toISOString());
    return this.store.firesPage(scheduleId, options.limit ?? 50, options.cursor, { from: iso(options.from), to: iso(options.to) });
  }

  /**
   * Finds the slots of enabled schedules that passed with no ledger entry — slots after the
   * schedule's lastSlot (or its last change) and at least `graceMs` old — and applies each
   * schedule's catch-up policy to them (see CATCH_UP_POLICIES). `why` goes into the MISSED
   * records' reason. Used by dev mode at start-up (grace 0) and by the cloud's reconciler.
   * Returns how many slots it found. A schedule that fails is logged and the others go on.
   */
  async catchUp(now: Date, graceMs: number, why: string): Promise<number> {
    let found = 0;
    for (const schedule of await this.allEnabled()) {
      try {
        found += await this.catchUpOne(schedule, now, graceMs, why);
      } catch (err) {
        logger.error('catch-up failed for a schedule', { scheduleId: schedule.scheduleId, error: err as Error });
      }
    }
    return found;
  }

  private async catchUpOne(schedule: Schedule, now: Date, graceMs: number, why: string): Promise<number> {
    const since = new Date(Math.max(Date.parse(schedule.lastSlot ?? '1970-01-01T00:00:00Z'), Date.parse(schedule.updatedAt)));
    const cutoff = now.getTime() - graceMs - schedule.flexibleWindowMinutes * 60_000;
    const missed: Date[] = [];
    // Newest MISSED_LEDGER_CAP slots at most: walk forward in pages, keeping a bounded tail.
    let dropped = 0;
    for (let from = since; ;) {
      const page = nextFireTimes(schedule, from, 200).filter((t) => t.getTime() <= cutoff);
      missed.push(...page);
      if (missed.length > MISSED_LEDGER_CAP) dropped += missed.splice(0, missed.length - MISSED_LEDGER_CAP).length;
      if (page.length < 200) break;
      from = page.at(-1)!;
    }
    if (dropped) logger.warn('missed slots beyond the ledger cap were not recorded', { scheduleId: schedule.scheduleId, dropped });
    if (!missed.length) return 0;
    const { policy } = schedule.catchUp;
    const maxAgeMs = (schedule.catchUp.maxAgeMinutes ?? CATCH_UP_DEFAULTS.maxAgeMinutes) * 60_000;
    const young = missed.filter((t) => now.getTime() - t.getTime() <= maxAgeMs);
    const toRun = policy === 'latest' ? young.slice(-1) : policy === 'all' ? young.slice(-(schedule.catchUp.maxCount ?? CATCH_UP_DEFAULTS.maxCount)) : [];
    const run = new Set(toRun.map((t) => t.getTime()));
    for (const slot of missed) {
      if (run.has(slot.getTime())) await this.fire(schedule.scheduleId, slot, { caughtUp: true });
      else await this.recordMissed(schedule, slot, why);
    }
    return missed.length;
  }

  private async recordMissed(schedule: Schedule, slot: Date, why: string): Promise<void> {
    const fire: ScheduleFire = {
      scheduleId: schedule.scheduleId,
      scheduledTime: slot.toISOString(),
      outcome: 'MISSED',
      reason: why,
      at: new Date().toISOString(),
    };
    await this.store.claimFire(fire, this.expiresAt(slot));
    await this.store.markSlot(schedule.scheduleId, fire.scheduledTime);
  }

  private expiresAt(scheduledTime: Date): number | undefined {
    return this.config.fireTtlDays > 0 ? Math.floor(scheduledTime.getTime() / 1000) + this.config.fireTtlDays * 86_400 : undefined;
  }

  /**
   * One fire of a schedule at `scheduledTime`: applies the overlap policy and starts a run with
   * trigger "schedule". Idempotent on (scheduleId, scheduledTime): a repeated fire (EventBridge's
   * retry after a failure) repeats every step the first one may not have finished, the Replace
   * step's stops included. Returns the fire's record, or undefined when the schedule is gone or suspended.
   */
  async fire(scheduleId: string, scheduledTime: Date, options: { caughtUp?: boolean } = {}): Promise<ScheduleFire | undefined> {
    const schedule = await this.store.get(scheduleId);
    if (!schedule || !schedule.enabled) return undefined;
    const time = scheduledTime.toISOString();
    const earlier = await this.store.getFire(scheduleId, time);
    if (earlier) {
      await this.store.countDelivery(scheduleId, time);
      return this.replaceAndComplete(schedule, earlier);
    }

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
    fire.deliveries = 1;
    if (options.caughtUp) fire.caughtUp = true;
    // Claimed already: a redelivered fire, or one racing with this one, recorded what it did.
    if (!(await this.store.claimFire(fire, this.expiresAt(scheduledTime))))
      return this.replaceAndComplete(schedule, (await this.store.getFire(scheduleId, time))!);
    await this.store.markSlot(scheduleId, time);
    const done = await this.replaceAndComplete(schedule, fire);
    await this.afterCompletion(schedule);
    return done;
  }

  /**
   * A one-time at() schedule whose slot has fired is done: deleted when it says DELETE (its
   * ledger stays), else kept. Its trigger removes itself (EventBridge Scheduler's
   * ActionAfterCompletion; dev mode arms no timer past the slot).
   */
  private async afterCompletion(schedule: Schedule): Promise<void> {
    if (schedule.actionAfterCompletion !== 'DELETE' || parseScheduleExpression(schedule.expression, schedule.timeZone).kind !== 'at') return;
    await this.store.delete(schedule.scheduleId);
  }

  /**
   * A STARTED fire's remaining steps, each idempotent: with overlapPolicy Replace, stop the
   * schedule's other active runs (a stop already asked for is sent again), then create the run.
   */
  private async replaceAndComplete(schedule: Schedule, fire: ScheduleFire): Promise<ScheduleFire> {
    if (RUN_STARTING_OUTCOMES.includes(fire.outcome) && schedule.overlapPolicy === 'Replace') {
      const reason = `replaced by the fire of ${fire.scheduledTime} (overlapPolicy Replace)`;
      const replaced = (await this.runs.activeOfSchedule(schedule.scheduleId)).filter((run) => run.runId !== fire.runId);
      for (const run of replaced) await this.runs.stopFor(run, reason, REPLACE_GRACE_SECONDS);
      if (replaced.length && fire.outcome === 'STARTED') {
        fire = { ...fire, outcome: 'REPLACED', replacedRunIds: replaced.map((run) => run.runId) };
        await this.store.updateFire(schedule.scheduleId, fire.scheduledTime, { outcome: fire.outcome, replacedRunIds: fire.replacedRunIds });
      }
    }
    return this.complete(schedule, fire);
  }

  /** Makes sure a run-starting fire's run exists (creating it under the claimed id); a launch that failed makes the slot LAUNCH_FAILED. */
  private async complete(schedule: Schedule, fire: ScheduleFire): Promise<ScheduleFire> {
    if (!RUN_STARTING_OUTCOMES.includes(fire.outcome)) return fire;
    try {
      const run = await this.runs.create({ userId: schedule.ownerId, role: 'user' }, schedule.appId, schedule.overrides, {
        trigger: 'schedule',
        runId: fire.runId,
        scheduleId: schedule.scheduleId,
        scheduledTime: fire.scheduledTime,
      });
      if (run.status === 'FAILED' && !run.startedAt && fire.outcome !== 'LAUNCH_FAILED') {
        fire = { ...fire, outcome: 'LAUNCH_FAILED', reason: run.stoppedReason };
        await this.store.updateFire(schedule.scheduleId, fire.scheduledTime, { outcome: fire.outcome, ...(fire.reason && { reason: fire.reason }) });
      }
    } catch (err) {
      // The app was deleted under the schedule (404), or the owner reached the run quota since the fire was claimed (429):
      // the fire is recorded, there is nothing to run.
      if (!(err instanceof ClientError && (err.status === 404 || err.status === 429))) throw err;
      logger.warn('scheduled run not started', { scheduleId: schedule.scheduleId, scheduledTime: fire.scheduledTime, reason: err.message });
    }
    return fire;
  }
}

/** @throws ClientError 400 naming the field when the expression cannot be evaluated in the schedule's zone (an at() in a gap, an unknown zone). */
function checkInZone(schedule: Pick<Schedule, 'expression' | 'timeZone'>): void {
  try {
    parseScheduleExpression(schedule.expression, schedule.timeZone);
  } catch (err) {
    if (!(err instanceof InvalidScheduleExpression)) throw err;
    throw badRequest(err.message, [{ field: /time zone/.test(err.message) ? 'timeZone' : 'expression', message: err.message }]);
  }
}

/** The preview of a schedule's next `count` slots after `after` (ScheduleService.next). */
export function preview(
  schedule: Pick<Schedule, 'expression' | 'timeZone' | 'updatedAt'>,
  after: Date,
  count: number,
): { times: string[]; timeZone: string; slots: PreviewSlot[] } {
  const slots = nextSlots(schedule, after, count).map((slot): PreviewSlot =>
    slot.time
      ? { time: slot.time.toISOString(), localTime: localTime(slot.time, schedule.timeZone), ...(slot.repeatedOnce && { repeatedOnce: true }) }
      : { skipped: true, wallClock: slot.wallClock },
  );
  return { times: slots.flatMap((s) => (s.time ? [s.time] : [])), timeZone: schedule.timeZone, slots };
}
