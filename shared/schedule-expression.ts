/**
 * EventBridge schedule expressions, checked and evaluated here so dev mode fires exactly
 * what an EventBridge rule would. Rules from the AWS docs, "Schedule expressions for rules":
 * - `cron(minutes hours day-of-month month day-of-week year)`, UTC; day-of-week 1-7 = SUN-SAT;
 *   one of day-of-month / day-of-week must be `?` (not both, and `*` needs `?` in the other).
 * - `rate(value unit)`: value a positive integer; unit minute|hour|day, singular iff value is 1.
 * Beyond EventBridge, fire times must fall in a sane range: a rate's period is at most
 * MAX_RATE_DAYS, and cron's year is at most 2199 (as EventBridge's), so every fire time is a
 * valid Date far inside its range.
 */
import { Cron } from 'croner';

/** A valid expression, ready to list its fire times. */
export interface ParsedExpression {
  /** Fire times strictly after `after`, ascending; `anchor` is when a rate schedule started. */
  next(after: Date, count: number, anchor: Date): Date[];
}

/** Thrown for an expression EventBridge would refuse; `message` says why. */
export class InvalidScheduleExpression extends Error {}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The longest rate period, days (ten years); a longer one would fire past any sane date. */
export const MAX_RATE_DAYS = 3650;

/** Each field: its name, the characters EventBridge allows in it, and its smallest and largest value. */
const FIELDS: Array<[name: string, chars: RegExp, min: number, max: number]> = [
  ['minutes', /^[0-9,\-*/]+$/, 0, 59],
  ['hours', /^[0-9,\-*/]+$/, 0, 23],
  ['day-of-month', /^([0-9,\-*/?W]+|L|LW)$/, 1, 31],
  ['month', /^[0-9A-Z,\-*/]+$/, 1, 12],
  ['day-of-week', /^[0-9A-Z,\-*?#/L]+$/, 1, 7],
  ['year', /^[0-9,\-*/]+$/, 1970, 2199],
];

/**
 * Parses an EventBridge schedule expression.
 * @throws InvalidScheduleExpression naming the part that is wrong.
 */
export function parseScheduleExpression(expression: string): ParsedExpression {
  const rate = RATE.exec(expression);
  if (rate) return parseRate(Number(rate[1]), rate[2] as keyof typeof UNIT_MS | `${keyof typeof UNIT_MS}s`);
  const cron = CRON.exec(expression);
  if (cron) return parseCron(cron[1]!);
  throw new InvalidScheduleExpression('expected cron(minutes hours day-of-month month day-of-week year) or rate(value unit)');
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
  return {
    next(after, count, anchor) {
      const start = Math.floor(anchor.getTime() / 60_000) * 60_000;
      const k = Math.max(1, Math.floor((after.getTime() - start) / periodMs) + 1);
      return Array.from({ length: count }, (_, i) => new Date(start + (k + i) * periodMs));
    },
  };
}

function parseCron(body: string): ParsedExpression {
  const fields = body.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6) throw new InvalidScheduleExpression(`cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const normalized = fields.map((field, i) => {
    const [name, chars, min, max] = FIELDS[i]!;
    if (!chars.test(field)) throw new InvalidScheduleExpression(`cron ${name} field "${field}" has characters EventBridge does not allow there`);
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
  // EventBridge writes "last Friday" as 6L (croner: 6#L), and L alone is the week's last day, Saturday (7).
  const croneDow = dow === '?' ? '*' : dow === 'L' ? '7' : dow.replace(/^(\w+)L$/, '$1#L');
  const croneDom = dom === '?' ? '*' : dom;
  let cron: Cron;
  try {
    cron = new Cron(`0 ${minutes} ${hours} ${croneDom} ${month} ${croneDow} ${year}`, {
      paused: true,
      timezone: 'UTC',
      mode: '7-part',
      alternativeWeekdays: true,
    });
  } catch (err) {
    throw new InvalidScheduleExpression(`cron: ${(err as Error).message}`);
  }
  return {
    next(after, count) {
      return cron.nextRuns(count, after);
    },
  };
}
