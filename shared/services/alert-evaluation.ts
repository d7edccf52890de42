/**
 * What alert rules watch, turned into deliveries (the outbox: alert-store.ts). Three inputs:
 * - a terminal run (dev mode: the run-state publisher, called while the run is still in the
 *   `active` index, so a crash before the write is repeated by the sweep; the cloud: the
 *   EventBridge "Run State Change" event, retried by Lambda): RUN_FAILED, RUN_TIMED_OUT,
 *   LAUNCH_FAILED, FAILURE_STREAK and its recovery (an array job by its parent only, with its children's
 *   counts: its children raise none, rules/alert-rules.ts raisesRunAlerts);
 * - a run the monthly budget refused (the 402): BUDGET, once per owner and month;
 * - the periodic sweep (dev mode: every few seconds; the cloud: the reconciler's minute):
 *   MISSED_SLOT (the schedule ledger's slots) and LONG_RUN (running runs against the p95).
 * Every delivery's id is derived from the occurrence it reports (alert-rules.ts occurrence), and
 * it is written only if absent: a repeated event, or the next failure of a streak already
 * alerted, writes nothing new (no storms), and a restart loses nothing not yet written.
 */
import { isTerminal, TERMINAL_STATUSES, type Run, type Schedule } from '../domain.js';
import type { StatusSummary } from '../array-schemas.js';
import { logger } from '../logger.js';
import type { AlertEvent } from '../alert-schemas.js';
import {
  conditionOf,
  deliveryIdOf,
  failureStreak,
  isLongRun,
  LONG_RUN_SAMPLES,
  occurrence,
  p95,
  raisesRunAlerts,
  runCondition,
  summaryOf,
} from '../rules/alert-rules.js';
import { isArrayParent } from '../rules/array-rules.js';
import type { AlertStore, StoredAlert, StoredDelivery } from '../store/alert-store.js';
import type { AppStore } from '../store/app-store.js';
import type { RunStore } from '../store/run-store.js';
import type { ScheduleStore } from '../store/schedule-store.js';
import { nextFireTimes } from '../schedule-expression.js';
import { monthStart } from '../rules/cost-rules.js';

/** Runs read (newest first) to find where a failure streak began. */
const STREAK_LOOKBACK = 200;
/** Slots of one schedule one sweep judges at most (the next sweep goes on). */
const SLOTS_PER_SWEEP = 100;
/** Fire outcomes in which the slot's run started. */
const STARTED = new Set(['STARTED', 'REPLACED']);

type EventFields = Omit<AlertEvent, 'summary' | 'alertId' | 'at'> & { at?: string };

export class AlertEvaluator {
  constructor(
    private readonly store: AlertStore,
    private readonly runs: RunStore,
    private readonly apps: AppStore,
    private readonly schedules: ScheduleStore,
    /** Called after deliveries were written (dev mode: wakes the outbox worker; the cloud: queues them). */
    private readonly onWritten: (deliveries: StoredDelivery[]) => Promise<void> | void = () => undefined,
  ) {}

  /**
   * Writes the alerts a terminal run raises for each enabled rule of its owner that watches it. Returns the deliveries written now.
   * An array's child raises none (raisesRunAlerts): its parent's end does, once, with the children's counts.
   */
  async observeRun(run: Run, now = new Date()): Promise<StoredDelivery[]> {
    if (!isTerminal(run.status) || !raisesRunAlerts(run)) return [];
    const written: StoredDelivery[] = [];
    for (const rule of await this.rulesOf(run.ownerId)) {
      if (!watches(rule, run)) continue;
      const type = runCondition(run);
      if (type && conditionOf(rule.conditions, type)) written.push(...(await this.add(rule, occurrence.run(type, run.runId), eventOfRun(type, run), now)));
      const streak = conditionOf(rule.conditions, 'FAILURE_STREAK');
      if (streak) written.push(...(await this.streak(rule, streak.count, run, now)));
    }
    await this.notify(written);
    return written;
  }

  /** observeRun for the run `runId` names as it is stored now (the cloud's "Run State Change" event carries the id). Unknown runs: nothing. */
  async observeRunId(runId: string, now = new Date()): Promise<StoredDelivery[]> {
    const run = await this.runs.get(runId);
    return run ? this.observeRun(run, now) : [];
  }

  /**
   * Writes the BUDGET alert of each of the owner's rules with BUDGET, whatever app or schedule it
   * names (the budget is the owner's): once per UTC month, when the budget first refuses a run.
   */
  async budgetRefused(ownerId: string, reason: string, now = new Date()): Promise<StoredDelivery[]> {
    const written: StoredDelivery[] = [];
    const month = monthStart(now).slice(0, 7);
    for (const rule of await this.rulesOf(ownerId)) {
      if (!conditionOf(rule.conditions, 'BUDGET')) continue;
      written.push(...(await this.add(rule, occurrence.budget(ownerId, month), { type: 'BUDGET', reason }, now)));
    }
    await this.notify(written);
    return written;
  }

  /** MISSED_SLOT and LONG_RUN of every enabled rule that has them. A rule that fails is logged and the others go on. */
  async sweep(now = new Date()): Promise<StoredDelivery[]> {
    const written: StoredDelivery[] = [];
    const rules = (await this.store.listAll(undefined)).filter((rule) => rule.enabled);
    for (const rule of rules) {
      try {
        const missed = conditionOf(rule.conditions, 'MISSED_SLOT');
        if (missed) for (const schedule of await this.schedulesOf(rule)) written.push(...(await this.slots(rule, schedule, missed.graceSeconds, now)));
        const long = conditionOf(rule.conditions, 'LONG_RUN');
        if (long) for (const appId of await this.appsOf(rule)) written.push(...(await this.longRuns(rule, appId, long.factor, now)));
      } catch (err) {
        logger.error('alert sweep failed for a rule', { alertId: rule.alertId, error: err as Error });
      }
    }
    await this.notify(written);
    return written;
  }

  private async rulesOf(ownerId: string): Promise<StoredAlert[]> {
    return (await this.store.listAll(ownerId)).filter((rule) => rule.enabled);
  }

  private async notify(written: StoredDelivery[]): Promise<void> {
    if (written.length) await this.onWritten(written);
  }

  /** FAILURE_STREAK: once when a streak reaches `count`, and once (the recovery) when a success ends a streak that did. */
  private async streak(rule: StoredAlert, count: number, run: Run, now: Date): Promise<StoredDelivery[]> {
    if (run.status !== 'SUCCEEDED' && runCondition(run) === undefined) return [];
    const history = await this.history(run, rule.scheduleId);
    const scope = rule.scheduleId ?? run.appId;
    if (run.status === 'SUCCEEDED') {
      const before = failureStreak(history.filter((r) => r.runId !== run.runId));
      if (before.length < count || !before.firstRunId) return [];
      const event: EventFields = { ...eventOfRun('FAILURE_STREAK_RECOVERED', run), failures: before.length };
      return this.add(rule, occurrence.recovery(scope, before.firstRunId), event, now);
    }
    const streak = failureStreak(history);
    if (streak.length < count || !streak.firstRunId) return [];
    return this.add(rule, occurrence.streak(scope, streak.firstRunId), { ...eventOfRun('FAILURE_STREAK', run), failures: streak.length }, now);
  }

  /** The app's (or the schedule's) runs created up to `run`, newest first, until a success or STREAK_LOOKBACK runs. */
  private async history(run: Run, scheduleId?: string): Promise<Run[]> {
    const runs: Run[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.runs.listRuns({ appId: run.appId }, { range: { low: '0', high: run.runId }, limit: 50, cursor });
      // An array counts once, by its parent: a child's success must not end the look-back either.
      const items = page.items.map((r) => (r.runId === run.runId ? run : r)).filter((r) => raisesRunAlerts(r) && (!scheduleId || r.scheduleId === scheduleId));
      runs.push(...items);
      if (items.some((r) => r.status === 'SUCCEEDED' && r.runId !== run.runId)) break;
      cursor = page.nextCursor;
    } while (cursor && runs.length < STREAK_LOOKBACK);
    return runs;
  }

  /** The enabled schedules a MISSED_SLOT rule watches (its owner's only). */
  private async schedulesOf(rule: StoredAlert): Promise<Schedule[]> {
    let schedules: Schedule[];
    if (rule.scheduleId) {
      const schedule = await this.schedules.get(rule.scheduleId);
      schedules = schedule ? [schedule] : [];
    } else schedules = await this.schedules.listAll(rule.appId ? { appId: rule.appId } : { ownerId: rule.ownerId });
    return schedules.filter((s) => s.enabled && s.ownerId === rule.ownerId);
  }

  /** The apps a LONG_RUN rule watches (its owner's only). */
  private async appsOf(rule: StoredAlert): Promise<string[]> {
    if (rule.appId) return [rule.appId];
    if (rule.scheduleId) {
      const schedule = await this.schedules.get(rule.scheduleId);
      return schedule ? [schedule.appId] : [];
    }
    const apps: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.apps.listPage(rule.ownerId, 100, cursor);
      apps.push(...page.items.map((app) => app.appId));
      cursor = page.nextCursor;
    } while (cursor);
    return apps;
  }

  /**
   * Judges the schedule's slots since the rule's cursor (or since the rule or the schedule last
   * changed) that are `graceSeconds` old: a slot whose ledger shows no started run (no fire, or
   * MISSED, SKIPPED, LAUNCH_FAILED) opens a run of missed slots, alerted once; a slot that
   * started a run closes it. Deliveries first, then the cursor: a crash in between repeats the
   * same slots, which write the same deliveries.
   */
  private async slots(rule: StoredAlert, schedule: Schedule, graceSeconds: number, now: Date): Promise<StoredDelivery[]> {
    const before = await this.store.getSlots(rule.alertId, schedule.scheduleId);
    // A rule judges the slots after it last changed (a condition added later does not look back), then goes on from its cursor.
    const from = new Date(Math.max(Date.parse(before?.checkedUntil ?? rule.updatedAt), Date.parse(schedule.updatedAt)));
    // A fire may come up to the schedule's flexible window after its slot (EventBridge Scheduler): the grace starts after it.
    const cutoff = now.getTime() - graceSeconds * 1000 - schedule.flexibleWindowMinutes * 60_000;
    const due = nextFireTimes(schedule, from, SLOTS_PER_SWEEP).filter((t) => t.getTime() <= cutoff);
    if (!due.length) return [];
    let openSince = before?.openSince;
    const written: StoredDelivery[] = [];
    for (const slot of due) {
      const time = slot.toISOString();
      const fire = await this.schedules.getFire(schedule.scheduleId, time);
      if (fire && STARTED.has(fire.outcome)) {
        openSince = undefined;
        continue;
      }
      if (openSince) continue;
      openSince = time;
      const reason = fire ? `${fire.outcome}${fire.reason ? `: ${fire.reason}` : ''}` : `no run started within ${graceSeconds} s`;
      const event: EventFields = { type: 'MISSED_SLOT', appId: schedule.appId, scheduleId: schedule.scheduleId, scheduledTime: time, reason };
      written.push(...(await this.add(rule, occurrence.missed(schedule.scheduleId, time), event, now)));
    }
    await this.store.putSlots(rule.alertId, schedule.scheduleId, { checkedUntil: due.at(-1)!.toISOString(), openSince }, before);
    return written;
  }

  /**
   * LONG_RUN: each RUNNING run of the app past `factor` × the p95 duration of its recent successful runs, once per run.
   * Arrays are left out, parents and children: a child alerting by itself would be one alert per index, and a parent
   * (which records no duration) has no runs of its kind to compare with.
   */
  private async longRuns(rule: StoredAlert, appId: string, factor: number, now: Date): Promise<StoredDelivery[]> {
    const { items } = await this.runs.listRuns({ appId }, { range: { low: '0', high: '~' }, limit: LONG_RUN_SAMPLES });
    const recent = items.filter((r) => raisesRunAlerts(r) && !isArrayParent(r) && (!rule.scheduleId || r.scheduleId === rule.scheduleId));
    const p = p95(recent.filter((r) => r.status === 'SUCCEEDED' && r.durationMs !== undefined).map((r) => r.durationMs!));
    if (p === undefined) return [];
    const written: StoredDelivery[] = [];
    for (const run of recent) {
      if (run.status !== 'RUNNING' || !run.startedAt || !isLongRun(run.startedAt, p, factor, now)) continue;
      const event: EventFields = { ...eventOfRun('LONG_RUN', run), durationMs: now.getTime() - Date.parse(run.startedAt), p95DurationMs: Math.round(p) };
      written.push(...(await this.add(rule, occurrence.run('LONG_RUN', run.runId), event, now)));
    }
    return written;
  }

  /** Writes one alert of `rule` unless written already: PENDING in the outbox, or MUTED while the rule is muted. */
  private async add(rule: StoredAlert, key: string, fields: EventFields, now: Date): Promise<StoredDelivery[]> {
    const at = now.toISOString();
    const muted = rule.mutedUntil !== undefined && Date.parse(rule.mutedUntil) > now.getTime();
    const event: AlertEvent = { ...fields, at: fields.at ?? at, alertId: rule.alertId, summary: summaryOf({ ...fields, alertId: rule.alertId, at }) };
    const delivery: StoredDelivery = {
      deliveryId: deliveryIdOf(rule.alertId, key),
      alertId: rule.alertId,
      ownerId: rule.ownerId,
      event,
      status: muted ? 'MUTED' : 'PENDING',
      attempts: [],
      ...(!muted && { nextAttemptAt: at }),
      createdAt: at,
      updatedAt: at,
    };
    return (await this.store.addDelivery(delivery)) ? [delivery] : [];
  }
}

/** A rule watches a run (or a refused one) of its schedule, of its app, or, naming neither, of any of its owner's apps. */
function watches(rule: StoredAlert, run: Pick<Run, 'ownerId' | 'appId'> & { scheduleId?: string }): boolean {
  if (rule.ownerId !== run.ownerId) return false;
  if (rule.scheduleId) return run.scheduleId === rule.scheduleId;
  return !rule.appId || rule.appId === run.appId;
}

function eventOfRun(type: AlertEvent['type'], run: Run): EventFields {
  return {
    type,
    appId: run.appId,
    appName: run.appName,
    ...(run.scheduleId && { scheduleId: run.scheduleId }),
    runId: run.runId,
    status: run.status,
    ...(run.stoppedReason && { reason: run.stoppedReason }),
    ...(run.durationMs !== undefined && { durationMs: run.durationMs }),
    ...(run.stoppedAt && { at: run.stoppedAt }),
    ...(isArrayParent(run) && { arrayProperties: { size: run.arrayProperties!.size, statusSummary: run.arrayProperties!.statusSummary ?? emptySummary() } }),
  };
}

/** No child ended yet (a parent that failed before any did). */
function emptySummary(): StatusSummary {
  return Object.fromEntries(TERMINAL_STATUSES.map((status) => [status, 0])) as StatusSummary;
}
