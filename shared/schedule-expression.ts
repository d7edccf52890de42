/**
 * EventBridge Scheduler's schedule expressions, checked and evaluated here so dev mode fires
 * exactly what EventBridge Scheduler would, and previews show it. Rules from the AWS docs
 * (EventBridge Scheduler User Guide, "Schedule types"; EventBridge, "Schedule expressions"):
 * - `cron(minutes hours day-of-month month day-of-week year)` in the schedule's time zone;
 *   day-of-week 1-7 = SUN-SAT; one of day-of-month / day-of-week must be `?` (not both, and `*`
 *   needs `?` in the other); names (JAN, MON) may carry a step (`MAR/4`); `#` stands alone in
 *   day-of-week (no list such as `3#1,6#3`).
 * - `rate(value unit)`: value a positive integer; unit minute|hour|day, singular iff value is 1;
 *   a duration, so time zones and daylight saving do not move it.
 * - `at(yyyy-mm-ddThh:mm:ss)`: once, at that wall-clock time in the schedule's time zone.
 * - Daylight saving ("Daylight saving time on EventBridge Scheduler"): a cron time that does not
 *   exist on the spring-forward day is skipped; one that occurs twice on the fall-back day fires
 *   once, at its first occurrence.
 * Beyond EventBridge, fire times must fall in a sane range: a rate's period is at most
 * MAX_RATE_DAYS, and cron's and at()'s years are at most 2199 (as EventBridge's), so every fire
 * time is a valid Date far inside its range.
 */
import { Cron } from 'croner';

/** A valid expression, ready to list its fire times. */
export interface ParsedExpression {
  /** rate: a fixed period; cron: wall-clock times in the zone; at: once. */
  kind: 'rate' | 'cron' | 'at';
  /** Fire times strictly after `after`, ascending; `anchor` is when a rate schedule started. */
  next(after: Date, count: number, anchor: Date): Date[];
  /** As `next`, with the slots daylight saving skips (no `time`) and those it makes occur twice (fired once) flagged, for previews. */
  slots(after: Date, count: number, anchor: Date): Slot[];
}

/** One slot of a schedule: when it fires, or the wall-clock time (yyyy-mm-ddThh:mm:ss, in the zone) daylight saving skips. */
export interface Slot {
  time?: Date;
  /** The slot's wall-clock time when it is skipped (it does not exist in the zone that day). */
  wallClock?: string;
  skipped?: true;
  /** The wall-clock time occurs twice that day (the clocks go back): the schedule fires once, at the first. */
  repeatedOnce?: true;
}

/** Thrown for an expression or time zone EventBridge Scheduler would refuse; `message` says why. */
export class InvalidScheduleExpression extends Error {
  override name = 'InvalidScheduleExpression';
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The longest rate period, days (ten years); a longer one would fire past any sane date. */
export const MAX_RATE_DAYS = 3650;

/** The latest year a cron or at() expression may name (EventBridge's cron year range ends there). */
const MAX_YEAR = 2199;

/** Each field: its name, the characters EventBridge allows in it, its smallest and largest value, and its names. */
const FIELDS: Array<[name: string, chars: RegExp, min: number, max: number, names?: string[]]> = [
  ['minutes', /^[0-9,\-*/]+$/, 0, 59],
  ['hours', /^[0-9,\-*/]+$/, 0, 23],
  ['day-of-month', /^([0-9,\-*/?W]+|L|LW)$/, 1, 31],
  ['month', /^[0-9A-Z,\-*/]+$/, 1, 12, MONTHS],
  ['day-of-week', /^[0-9A-Z,\-*?#/L]+$/, 1, 7, WEEKDAYS],
  ['year', /^[0-9,\-*/]+$/, 1970, MAX_YEAR],
];

/**
 * Parses an EventBridge Scheduler expression evaluated in `timeZone` (IANA, e.g.
 * "Europe/Berlin"; default UTC).
 * @throws InvalidScheduleExpression naming the part that is wrong, or the unknown time zone.
 */
export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ParsedExpression {
  checkTimeZone(timeZone);
  const rate = RATE.exec(expression);
  if (rate) return parseRate(Number(rate[1]), rate[2] as keyof typeof UNIT_MS | `${keyof typeof UNIT_MS}s`);
  const cron = CRON.exec(expression);
  if (cron) return parseCron(cron[1]!, timeZone);
  const at = AT.exec(expression);
  if (at) return parseAt(at.slice(1).map(Number) as WallClock, timeZone);
  throw new InvalidScheduleExpression('expected cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)');
}

/** @throws InvalidScheduleExpression when `timeZone` is not an IANA time zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new InvalidScheduleExpression(`unknown time zone "${timeZone}": use an IANA name such as "Europe/Berlin" or "UTC"`);
  }
}

function parseRate(value: number, unit: string): ParsedExpression {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidScheduleExpression('rate value must be a positive integer');
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  if ((value === 1) !== (unit === singular)) {
    throw new InvalidScheduleExpression(`rate(${value} ${unit}): use "${singular}" for 1 and "${singular}s" otherwise`);
  }
  const periodMs = value * UNIT_MS[singular];
  if (periodMs > MAX_RATE_DAYS * UNIT_MS.day) {
    throw new InvalidScheduleExpression(`rate(${value} ${unit}) is longer than ${MAX_RATE_DAYS} days, so it would never fire in a sane date range`);
  }
  const next = (after: Date, count: number, anchor: Date) => {
    const start = Math.floor(anchor.getTime() / 60_000) * 60_000;
    const k = Math.max(1, Math.floor((after.getTime() - start) / periodMs) + 1);
    return Array.from({ length: count }, (_, i) => new Date(start + (k + i) * periodMs));
  };
  return { kind: 'rate', next, slots: (after, count, anchor) => next(after, count, anchor).map((time) => ({ time })) };
}

/** Names to numbers (EventBridge's 1 = SUN), so a name may carry a step like a number. */
function withNumbers(field: string, names: string[] | undefined): string {
  if (!names) return field;
  return field.replace(/[A-Z]{3}/g, (name) => {
    const index = names.indexOf(name);
    if (index < 0) throw new InvalidScheduleExpression(`cron: "${name}" is not one of ${names.join(', ')}`);
    return String(index + 1);
  });
}

function parseCron(body: string, timeZone: string): ParsedExpression {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) throw new InvalidScheduleExpression(`cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const normalized = fields.map((raw, i) => {
    const [name, chars, min, max, names] = FIELDS[i]!;
    if (!chars.test(raw)) throw new InvalidScheduleExpression(`cron ${name} field "${raw}" has characters EventBridge does not allow there`);
    const field = withNumbers(raw, names);
    // Values only: a step (after /) or an nth weekday (after #) has its own range.
    for (const value of field.match(/(?<![/#\d])\d+/g) ?? []) {
      if (Number(value) < min || Number(value) > max) throw new InvalidScheduleExpression(`cron ${name} value ${value} is outside ${min}-${max}`);
    }
    // EventBridge's "start/step" (0/15) means "start-max/step", which croner wants spelled out.
    return field.replace(/(^|,)(\d+)\/(\d+)/g, `$1$2-${max}/$3`);
  });
  const [minutes, hours, dom, month, dow, year] = normalized as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new InvalidScheduleExpression('cron: exactly one of day-of-month and day-of-week must be "?"');
  }
  if (dow.includes('#') && dow.includes(','))
    throw new InvalidScheduleExpression('cron day-of-week: "#" stands alone (EventBridge allows no list of nth weekdays)');
  // EventBridge writes "last Friday" as 6L (croner: 6#L), and L alone is the week's last day, Saturday (7).
  const croneDow = dow === '?' ? '*' : dow === 'L' ? '7' : dow.replace(/^(\w+)L$/, '$1#L');
  const croneDom = dom === '?' ? '*' : dom;
  const pattern = `0 ${minutes} ${hours} ${croneDom} ${month} ${croneDow} ${year}`;
  const cronIn = (zone: string) => {
    try {
      return new Cron(pattern, { paused: true, timezone: zone, mode: '7-part', alternativeWeekdays: true });
    } catch (err) {
      throw new InvalidScheduleExpression(`cron: ${(err as Error).message}`);
    }
  };
  const utc = cronIn('UTC');
  if (timeZone === 'UTC') {
    return { kind: 'cron', next: (after, count) => utc.nextRuns(count, after), slots: (after, count) => utc.nextRuns(count, after).map((time) => ({ time })) };
  }
  // In a zone: walk the wall-clock times the expression names (croner in UTC over wall clocks), and place each in the zone.
  const walk = (after: Date, count: number, withSkipped: boolean): Slot[] => {
    const out: Slot[] = [];
    let wall = wallClockMs(after, timeZone);
    let fires = 0;
    // Bounded: a daylight-saving change skips or repeats at most an hour of slots.
    for (let tries = 0; fires < count && tries < count + 1500; tries++) {
      const next = utc.nextRun(new Date(wall));
      if (!next) break;
      wall = next.getTime();
      const instant = instantOf(wall, timeZone);
      if (instant === undefined) {
        if (withSkipped) out.push({ skipped: true, wallClock: new Date(wall).toISOString().slice(0, 19) });
      } else if (instant > after.getTime()) {
        out.push({ time: new Date(instant), ...(isAmbiguous(wall, timeZone) && { repeatedOnce: true as const }) });
        fires++;
      }
    }
    return out;
  };
  return { kind: 'cron', next: (after, count) => walk(after, count, false).map((slot) => slot.time!), slots: (after, count) => walk(after, count, true) };
}

/** [year, month (1-12), day, hour, minute, second], a wall-clock time with no zone. */
type WallClock = [number, number, number, number, number, number];

function parseAt(wall: WallClock, timeZone: string): ParsedExpression {
  const [year, month, day, hour, minute, second] = wall;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(asUtc);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new InvalidScheduleExpression(`at(): ${wall.join(',')} is not a valid date and time`);
  }
  if (year < 1970 || year > MAX_YEAR) throw new InvalidScheduleExpression(`at(): the year must be between 1970 and ${MAX_YEAR}`);
  const instant = instantOf(asUtc, timeZone);
  if (instant === undefined) {
    throw new InvalidScheduleExpression(`at(): that time does not exist in ${timeZone} (the clocks skip it when daylight saving time starts)`);
  }
  const next = (after: Date, count: number) => (count > 0 && instant > after.getTime() ? [new Date(instant)] : []);
  return { kind: 'at', next, slots: (after, count) => next(after, count).map((time) => ({ time })) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (RangeError for an unknown zone). */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of `date` in `timeZone`, as the ms of that same wall clock read in UTC. */
function wallClockMs(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The zone's offset from UTC at `date`, ms (east positive). */
function offsetMs(date: Date, timeZone: string): number {
  return wallClockMs(new Date(Math.floor(date.getTime() / 1000) * 1000), timeZone) - Math.floor(date.getTime() / 1000) * 1000;
}

/** The first instant whose wall clock in `timeZone` reads `wall` (ms of that wall clock read in UTC), or undefined when the clocks skip it. */
function instantOf(wall: number, timeZone: string): number | undefined {
  // The offsets in force a day before and a day after cover both sides of any transition.
  const candidates = [...new Set([wall - offsetMs(new Date(wall - 86_400_000), timeZone), wall - offsetMs(new Date(wall + 86_400_000), timeZone)])];
  const matching = candidates.filter((t) => wallClockMs(new Date(t), timeZone) === wall);
  return matching.length ? Math.min(...matching) : undefined;
}

/** True when the wall clock `wall` occurs twice in `timeZone` (the hour the clocks go back repeats). */
function isAmbiguous(wall: number, timeZone: string): boolean {
  const first = instantOf(wall, timeZone)!;
  const offsets = [offsetMs(new Date(wall - 86_400_000), timeZone), offsetMs(new Date(wall + 86_400_000), timeZone)];
  return offsets.some((o) => wall - o !== first && wallClockMs(new Date(wall - o), timeZone) === wall);
}

/** What fire times depend on: the expression, its zone (default UTC), and when it last changed (a rate counts from there). */
export interface TimedSchedule {
  expression: string;
  timeZone?: string;
  updatedAt: string;
}

/**
 * Fire times strictly after `after`; a rate schedule counts from its last change, as a re-put
 * EventBridge schedule does. @throws InvalidScheduleExpression for a stored expression that no longer parses.
 */
export function nextFireTimes(schedule: TimedSchedule, after: Date, count: number): Date[] {
  return parseScheduleExpression(schedule.expression, schedule.timeZone).next(after, count, new Date(schedule.updatedAt));
}

/** As nextFireTimes, with the slots daylight saving skips or makes occur twice flagged (Slot). */
export function nextSlots(schedule: TimedSchedule, after: Date, count: number): Slot[] {
  return parseScheduleExpression(schedule.expression, schedule.timeZone).slots(after, count, new Date(schedule.updatedAt));
}

/** `date` as an ISO 8601 local time with the zone's offset, e.g. 2026-03-29T03:30:00+02:00. */
export function localTime(date: Date, timeZone: string): string {
  const offset = offsetMs(date, timeZone) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${new Date(wallClockMs(date, timeZone)).toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}
