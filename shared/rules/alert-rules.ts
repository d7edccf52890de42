/**
 * Pure rules of alerts: which run events a rule's conditions match, failure streaks and their
 * recovery, the p95 of recent durations, the retry schedule, the ids that make every alert
 * happen once (no storms), and the Slack body.
 */
import { createHash } from 'node:crypto';
import type { Run } from '../domain.js';
import type { AlertCondition, AlertConditionType, AlertEvent } from '../alert-schemas.js';

/**
 * Seconds to wait before each retry of a failed delivery (attempt 2, 3, …), after Svix's
 * schedule for Standard Webhooks (immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h): a
 * receiver that is down for most of a day still gets the alert. After the last the delivery is FAILED.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000];

/** Days a delivery can be redelivered from the log (the replay window), and kept. */
export const REPLAY_WINDOW_DAYS = 7;
export const DELIVERY_TTL_DAYS = 30;

/** The `at` of the next attempt after `attempts` attempts, or undefined when the schedule is used up. */
export function nextAttemptAt(attempts: number, from: Date, schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS): Date | undefined {
  const wait = schedule[attempts - 1];
  return wait === undefined ? undefined : new Date(from.getTime() + wait * 1000);
}

/** True while a delivery made at `createdAt` may be redelivered (REPLAY_WINDOW_DAYS). */
export function inReplayWindow(createdAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(createdAt) <= REPLAY_WINDOW_DAYS * 86_400_000;
}

/** A run that failed counts towards a streak; SUCCEEDED breaks it; STOPPED (someone stopped it) does neither. */
const FAILING = new Set(['FAILED', 'TIMED_OUT']);

/** The condition a terminal run meets by itself: LAUNCH_FAILED (never started), RUN_FAILED, RUN_TIMED_OUT, or none. */
export function runCondition(
  run: Pick<Run, 'status' | 'startedAt'>,
): Extract<AlertConditionType, 'RUN_FAILED' | 'RUN_TIMED_OUT' | 'LAUNCH_FAILED'> | undefined {
  if (run.status === 'TIMED_OUT') return 'RUN_TIMED_OUT';
  if (run.status === 'FAILED') return run.startedAt ? 'RUN_FAILED' : 'LAUNCH_FAILED';
  return undefined;
}

/** The condition of `type` in a rule's list, when it has one. */
export function conditionOf<T extends AlertConditionType>(conditions: readonly AlertCondition[], type: T): Extract<AlertCondition, { type: T }> | undefined {
  return conditions.find((c) => c.type === type) as Extract<AlertCondition, { type: T }> | undefined;
}

/**
 * The streak of failures ending at the newest of `runs` (newest first; runs not finished are
 * skipped): how many in a row, and the first of them (the streak's identity: every later
 * failure of the same streak names the same first run, so its alert is sent once). `complete`
 * is false when `runs` ran out before a run that was not a failure.
 */
export function failureStreak(runs: readonly Pick<Run, 'runId' | 'status'>[]): { length: number; firstRunId?: string; complete: boolean } {
  let length = 0;
  let firstRunId: string | undefined;
  for (const run of runs) {
    if (run.status === 'STOPPED') continue;
    if (!FAILING.has(run.status)) {
      if (run.status === 'SUCCEEDED') return { length, firstRunId, complete: true };
      continue;
    }
    length++;
    firstRunId = run.runId;
  }
  return { length, firstRunId, complete: false };
}

/** The nearest-rank p95 of `values` (ms), or undefined for fewer than MIN_SAMPLES values. */
export function p95(values: readonly number[]): number | undefined {
  if (values.length < LONG_RUN_MIN_SAMPLES) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1];
}

/** Finished runs needed before LONG_RUN has a p95 to compare with; recent runs it reads. */
export const LONG_RUN_MIN_SAMPLES = 3;
export const LONG_RUN_SAMPLES = 50;

/** True when a run started at `startedAt` has run longer than `factor` × `p95Ms` at `now`. */
export function isLongRun(startedAt: string, p95Ms: number, factor: number, now: Date): boolean {
  return now.getTime() - Date.parse(startedAt) > factor * p95Ms;
}

/**
 * The id of one alert of a rule: the same for every observation of the same occurrence (a
 * repeated event, the next failure of a streak, the month's next refused run), so its delivery
 * is written once. Standard Webhooks' `webhook-id` (`msg_` and 32 hex characters).
 */
export function deliveryIdOf(alertId: string, occurrence: string): string {
  return `msg_${createHash('sha256').update(`${alertId}\n${occurrence}`).digest('hex').slice(0, 32)}`;
}

/** True when `deliveryId` has deliveryIdOf's shape; any other names no delivery (and never reaches the store). */
export function isDeliveryId(deliveryId: string): boolean {
  return /^msg_[0-9a-f]{32}$/.test(deliveryId);
}

/** The occurrence keys (deliveryIdOf) of each kind of alert. */
export const occurrence = {
  run: (type: AlertConditionType, runId: string) => `${type}#${runId}`,
  streak: (scope: string, firstRunId: string) => `FAILURE_STREAK#${scope}#${firstRunId}`,
  recovery: (scope: string, firstRunId: string) => `FAILURE_STREAK_RECOVERED#${scope}#${firstRunId}`,
  /** A run of missed slots: alerted once, from its first slot, until a slot starts a run again. */
  missed: (scheduleId: string, firstSlot: string) => `MISSED_SLOT#${scheduleId}#${firstSlot}`,
  budget: (ownerId: string, month: string) => `BUDGET#${ownerId}#${month}`,
  test: (id: string) => `TEST#${id}`,
};

/** The text of an alert for people (Slack, the summary field). */
export function summaryOf(event: Omit<AlertEvent, 'summary'>): string {
  const app = event.appName ? `${event.appName}` : (event.appId ?? 'an app');
  const run = event.runId ? ` (run ${event.runId})` : '';
  const reason = event.reason ? `: ${event.reason}` : '';
  switch (event.type) {
    case 'RUN_FAILED':
      return `Run of ${app} failed${run}${reason}`;
    case 'RUN_TIMED_OUT':
      return `Run of ${app} timed out${run}${reason}`;
    case 'LAUNCH_FAILED':
      return `Run of ${app} could not be launched${run}${reason}`;
    case 'FAILURE_STREAK':
      return `${app} failed ${event.failures} times in a row${run}`;
    case 'FAILURE_STREAK_RECOVERED':
      return `${app} recovered: a run succeeded after ${event.failures} failures in a row${run}`;
    case 'MISSED_SLOT':
      return `Schedule ${event.scheduleId} of ${app}: no run started for the slot ${event.scheduledTime}${reason}`;
    case 'LONG_RUN':
      return `Run of ${app} is taking long${run}: ${Math.round((event.durationMs ?? 0) / 1000)} s, its p95 is ${Math.round((event.p95DurationMs ?? 0) / 1000)} s`;
    case 'BUDGET':
      return `Monthly budget reached${reason}`;
    case 'TEST':
      return 'Test alert from Containerizer';
  }
}

/** The JSON body of a delivery in the rule's format: the event itself, or a Slack incoming-webhook message (`{text}`). */
export function webhookBody(event: AlertEvent, format: 'standard' | 'slack'): string {
  return JSON.stringify(format === 'slack' ? { text: `:rotating_light: ${event.summary}` } : event);
}
