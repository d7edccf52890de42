/**
 * EventBridge schedule expressions (AWS docs, EventBridge "Schedule expressions for rules"):
 * what is accepted, what is refused, and when each expression fires. Pure: no I/O, no clock.
 * Calendar facts used below: 2030-01-01 is a Tuesday; 2030-06-01 a Saturday; 2030-09-15 a Sunday.
 */
import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpression, parseScheduleExpression } from '../../shared/schedule-expression.js';

const AFTER = new Date('2030-01-01T00:00:00Z');

/** The first `count` fire times after `after`, as ISO strings (the anchor only matters for rate). */
function fires(expression: string, count: number, after = AFTER, anchor = after): string[] {
  return parseScheduleExpression(expression)
    .next(after, count, anchor)
    .map((d) => d.toISOString());
}

const at = (...times: string[]) => times.map((t) => `${t}:00.000Z`);

describe('cron(...) fire times', () => {
  it.each([
    ['every day at 10:00 UTC', 'cron(0 10 * * ? *)', AFTER, at('2030-01-01T10:00', '2030-01-02T10:00', '2030-01-03T10:00')],
    ['0/15: every 15 minutes from minute 0', 'cron(0/15 * * * ? *)', AFTER, at('2030-01-01T00:15', '2030-01-01T00:30', '2030-01-01T00:45')],
    ['5/20: from minute 5, every 20', 'cron(5/20 3 * * ? *)', AFTER, at('2030-01-01T03:05', '2030-01-01T03:25', '2030-01-01T03:45')],
    ['0/6 in hours', 'cron(10 0/6 * * ? *)', AFTER, at('2030-01-01T00:10', '2030-01-01T06:10', '2030-01-01T12:10')],
    ['1 = SUN', 'cron(30 9 ? * 1 *)', AFTER, at('2030-01-06T09:30', '2030-01-13T09:30', '2030-01-20T09:30')],
    ['2 = MON', 'cron(30 9 ? * 2 *)', AFTER, at('2030-01-07T09:30', '2030-01-14T09:30', '2030-01-21T09:30')],
    ['7 = SAT', 'cron(30 9 ? * 7 *)', AFTER, at('2030-01-05T09:30', '2030-01-12T09:30', '2030-01-19T09:30')],
    ['named days: MON-FRI', 'cron(0 18 ? * MON-FRI *)', new Date('2030-01-03T19:00:00Z'), at('2030-01-04T18:00', '2030-01-07T18:00', '2030-01-08T18:00')],
    ['named months', 'cron(0 0 1 JAN,JUL ? *)', AFTER, at('2030-07-01T00:00', '2031-01-01T00:00', '2031-07-01T00:00')],
    ['L in day-of-month: the last day', 'cron(0 12 L * ? *)', AFTER, at('2030-01-31T12:00', '2030-02-28T12:00', '2030-03-31T12:00')],
    ['L alone in day-of-week: the last day of the week (SAT)', 'cron(0 12 ? * L *)', AFTER, at('2030-01-05T12:00', '2030-01-12T12:00', '2030-01-19T12:00')],
    ['6L: the last Friday of the month', 'cron(0 12 ? * 6L *)', AFTER, at('2030-01-25T12:00', '2030-02-22T12:00', '2030-03-29T12:00')],
    ['2#1: the first Monday', 'cron(0 9 ? * 2#1 *)', AFTER, at('2030-01-07T09:00', '2030-02-04T09:00', '2030-03-04T09:00')],
    ['3#5: the fifth Tuesday, only in months that have one', 'cron(0 12 ? * 3#5 *)', AFTER, at('2030-01-29T12:00', '2030-04-30T12:00', '2030-07-30T12:00')],
    [
      '15W: the weekday nearest the 15th (Sat → Fri, Sun → Mon)',
      'cron(0 12 15W * ? *)',
      new Date('2030-06-01T00:00:00Z'),
      at('2030-06-14T12:00', '2030-07-15T12:00', '2030-08-15T12:00', '2030-09-16T12:00'),
    ],
    ['1W never leaves the month: Sat 1 June → Mon 3 June', 'cron(0 12 1W * ? *)', new Date('2030-05-20T00:00:00Z'), at('2030-06-03T12:00', '2030-07-01T12:00')],
    ['LW: the last weekday of the month', 'cron(0 12 LW * ? *)', new Date('2030-03-01T00:00:00Z'), at('2030-03-29T12:00', '2030-04-30T12:00')],
    ['year field: one year', 'cron(0 0 1 1 ? 2032)', AFTER, at('2032-01-01T00:00')],
    ['year field: a range ends', 'cron(0 0 1 1 ? 2031-2033)', AFTER, at('2031-01-01T00:00', '2032-01-01T00:00', '2033-01-01T00:00')],
  ])('%s: %s', (_what, expression, after, expected) => {
    expect(fires(expression, expected.length + 1, after).slice(0, expected.length)).toEqual(expected);
  });

  it('lists no more fire times than the year field allows', () => {
    expect(fires('cron(0 0 1 1 ? 2032)', 3)).toEqual(at('2032-01-01T00:00'));
  });

  it('fires strictly after `after`', () => {
    expect(fires('cron(0 10 * * ? *)', 1, new Date('2030-01-01T10:00:00Z'))).toEqual(at('2030-01-02T10:00'));
  });
});

describe('rate(...) fire times', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(3 days)', 259_200_000],
  ])('%s fires every %i ms, counted from the anchor', (expression, periodMs) => {
    const anchor = new Date('2030-01-01T00:03:00Z');
    const times = parseScheduleExpression(expression).next(anchor, 3, anchor);
    expect(times.map((d) => d.getTime() - anchor.getTime())).toEqual([periodMs, 2 * periodMs, 3 * periodMs]);
  });

  it.each([
    ['before the anchor: the first fire is one period after it', '2030-01-01T00:00', at('2030-01-01T00:13', '2030-01-01T00:23')],
    ['between fires: the next one on the anchor grid', '2030-01-01T00:25', at('2030-01-01T00:33', '2030-01-01T00:43')],
    ['exactly on a fire: the one after it', '2030-01-01T00:13', at('2030-01-01T00:23', '2030-01-01T00:33')],
  ])('rate(10 minutes) anchored at 00:03:30 (whole minutes), after %s', (_what, after, expected) => {
    expect(fires('rate(10 minutes)', 2, new Date(`${after}:00Z`), new Date('2030-01-01T00:03:30Z'))).toEqual(expected);
  });
});

describe('expressions EventBridge refuses', () => {
  it.each([
    ['no ? at all', 'cron(* * * * * *)'],
    ['? in both day fields', 'cron(0 12 ? * ? *)'],
    ['* in day-of-month needs ? in day-of-week', 'cron(0 12 * * 2 *)'],
    ['a value in both day fields', 'cron(0 12 L * 2 *)'],
    ['five fields (no year)', 'cron(0 12 * * ?)'],
    ['minute 60', 'cron(60 * * * ? *)'],
    ['hour 24', 'cron(0 24 * * ? *)'],
    ['day-of-month 0', 'cron(0 0 0 * ? *)'],
    ['day-of-month 32', 'cron(0 0 32 * ? *)'],
    ['month 13', 'cron(0 0 1 13 ? *)'],
    ['day-of-week 0 (1 = SUN)', 'cron(0 0 ? * 0 *)'],
    ['day-of-week 8', 'cron(0 0 ? * 8 *)'],
    ['year before 1970', 'cron(0 0 1 1 ? 1969)'],
    ['year after 2199', 'cron(0 0 1 1 ? 2200)'],
    ['# in day-of-month', 'cron(0 12 1#2 * ? *)'],
    ['W in day-of-week', 'cron(0 12 ? * 2W *)'],
    ['rate 1 with a plural unit', 'rate(1 minutes)'],
    ['rate above 1 with a singular unit', 'rate(2 minute)'],
    ['rate 0', 'rate(0 minutes)'],
    ['a negative rate', 'rate(-1 minutes)'],
    ['seconds', 'rate(30 seconds)'],
    ['neither cron nor rate', 'every day'],
    ['leading space', ' rate(5 minutes)'],
  ])('%s: %s', (_what, expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpression);
  });

  it('says which part is wrong', () => {
    expect(() => parseScheduleExpression('cron(0 12 * * 2 *)')).toThrow(/exactly one of day-of-month and day-of-week must be "\?"/);
    expect(() => parseScheduleExpression('rate(1 hours)')).toThrow(/use "hour" for 1 and "hours" otherwise/);
    expect(() => parseScheduleExpression('cron(0 0 ? * 8 *)')).toThrow(/day-of-week value 8 is outside 1-7/);
  });
});

describe('EventBridge Scheduler additions', () => {
  const slots = (expression: string, timeZone: string, after: string, count: number) =>
    parseScheduleExpression(expression, timeZone)
      .slots(new Date(after), count, new Date(after))
      .map((s) => (s.time ? `${s.time.toISOString()}${s.repeatedOnce ? ' once' : ''}` : `skipped ${s.wallClock}`));

  it.each([
    ['MAR/4: every fourth month from March', 'cron(0 9 1 MAR/4 ? *)', at('2030-03-01T09:00', '2030-07-01T09:00', '2030-11-01T09:00')],
    ['JAN/2: every other month from January', 'cron(0 0 1 JAN/2 ? *)', at('2030-03-01T00:00', '2030-05-01T00:00', '2030-07-01T00:00')],
  ])('accepts a month name with a step, as the docs allow: %s', (_what, expression, expected) => {
    expect(fires(expression, 3)).toEqual(expected);
  });

  it('refuses a list of nth weekdays (3#1,6#3), as the docs say "#" stands alone', () => {
    expect(() => parseScheduleExpression('cron(0 9 ? * 3#1,6#3 *)')).toThrow(/"#" stands alone/);
  });

  it('refuses an unknown time zone, naming it', () => {
    expect(() => parseScheduleExpression('rate(5 minutes)', 'Mars/Olympus_Mons')).toThrow(/unknown time zone "Mars\/Olympus_Mons"/);
  });

  describe('time zones and daylight saving (EventBridge Scheduler: skipped in the gap, once in the overlap)', () => {
    it('Europe/Berlin, spring forward (29 March 2026, 02:00 → 03:00): 02:30 does not exist that day and is skipped', () => {
      expect(slots('cron(30 2 * * ? *)', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual([
        '2026-03-28T01:30:00.000Z',
        'skipped 2026-03-29T02:30:00',
        '2026-03-30T00:30:00.000Z',
        '2026-03-31T00:30:00.000Z',
      ]);
    });

    it('Europe/Berlin, fall back (25 October 2026, 03:00 → 02:00): 02:30 occurs twice and fires once, at the first', () => {
      expect(slots('cron(30 2 * * ? *)', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3)).toEqual([
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z once',
        '2026-10-26T01:30:00.000Z',
      ]);
      // Hourly: the repeated 02:00 fires once; the hour after it is 03:00 (02:00 UTC).
      expect(slots('cron(0 * * * ? *)', 'Europe/Berlin', '2026-10-24T23:30:00Z', 3)).toEqual([
        '2026-10-25T00:00:00.000Z once',
        '2026-10-25T02:00:00.000Z',
        '2026-10-25T03:00:00.000Z',
      ]);
    });

    it('Australia/Sydney (southern): spring forward on 4 October 2026 skips 02:30; fall back on 5 April 2026 fires 02:30 once', () => {
      expect(slots('cron(30 2 * * ? *)', 'Australia/Sydney', '2026-10-02T12:00:00Z', 2)).toEqual([
        '2026-10-02T16:30:00.000Z',
        'skipped 2026-10-04T02:30:00',
        '2026-10-04T15:30:00.000Z',
      ]);
      expect(slots('cron(30 2 * * ? *)', 'Australia/Sydney', '2026-04-03T12:00:00Z', 3)).toEqual([
        '2026-04-03T15:30:00.000Z',
        '2026-04-04T15:30:00.000Z once',
        '2026-04-05T16:30:00.000Z',
      ]);
    });

    it('keeps a wall-clock time across the change: 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer', () => {
      const times = parseScheduleExpression('cron(0 9 ? * MON *)', 'America/New_York').next(new Date('2026-03-01T00:00:00Z'), 2, new Date(0));
      expect(times.map((d) => d.toISOString())).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
    });

    it('lets a rate ignore daylight saving: a duration is a duration', () => {
      const anchor = new Date('2026-03-29T00:30:00Z');
      const times = parseScheduleExpression('rate(1 hour)', 'Europe/Berlin').next(anchor, 2, anchor);
      expect(times.map((d) => d.toISOString())).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-29T02:30:00.000Z']);
    });
  });

  describe('at(): one time, in the zone', () => {
    it('fires once at that wall-clock time, then never again', () => {
      const once = parseScheduleExpression('at(2026-12-24T18:00:00)', 'America/New_York');
      expect(once.next(new Date('2026-01-01T00:00:00Z'), 3, new Date(0)).map((d) => d.toISOString())).toEqual(['2026-12-24T23:00:00.000Z']);
      expect(once.next(new Date('2026-12-24T23:00:00Z'), 3, new Date(0))).toEqual([]);
    });

    it('refuses a time the clocks skip, and an impossible date', () => {
      expect(() => parseScheduleExpression('at(2026-03-29T02:30:00)', 'Europe/Berlin')).toThrow(/does not exist in Europe\/Berlin/);
      expect(() => parseScheduleExpression('at(2026-02-30T10:00:00)')).toThrow(/not a valid date/);
      expect(() => parseScheduleExpression('at(2200-01-01T00:00:00)')).toThrow(/between 1970 and 2199/);
    });

    it('takes the first of a repeated time', () => {
      const once = parseScheduleExpression('at(2026-10-25T02:30:00)', 'Europe/Berlin');
      expect(once.next(new Date('2026-01-01T00:00:00Z'), 1, new Date(0))[0]!.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    });
  });
});
