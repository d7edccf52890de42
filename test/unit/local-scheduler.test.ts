import { describe, expect, it } from 'vitest';
import { LocalScheduler } from '../../local/local-scheduler.js';
import type { Schedule } from '../../shared/domain.js';
import { InvalidScheduleExpression, MAX_RATE_DAYS, parseScheduleExpression } from '../../shared/schedule-expression.js';
import { SCHEDULE_DEFAULTS, ScheduleCreate } from '../../shared/schedule-schemas.js';
import { waitFor } from '../support/fixtures.js';

const schedule = (expression: string): Schedule => ({
  scheduleId: '01J2ABCDEFGHJKMNPQRSTVWXYZ',
  appId: '01J2ABCDEFGHJKMNPQRSTVWXY0',
  ownerId: 'u',
  expression,
  ...SCHEDULE_DEFAULTS,
  enabled: true,
  overlapPolicy: 'Allow',
  overrides: {},
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: new Date().toISOString(),
});

describe('schedule fire times in a sane range', () => {
  it(`refuses a rate longer than ${MAX_RATE_DAYS} days at the edge`, () => {
    expect(() => parseScheduleExpression('rate(99999999999999 days)')).toThrow(InvalidScheduleExpression);
    expect(() => parseScheduleExpression(`rate(${MAX_RATE_DAYS + 1} days)`)).toThrow(/longer than/);
    expect(() => parseScheduleExpression(`rate(${MAX_RATE_DAYS} days)`)).not.toThrow();
    expect(ScheduleCreate.safeParse({ expression: 'rate(9007199254740991 minutes)' }).success).toBe(false);
  });
});

describe('LocalScheduler', () => {
  it('hands a stored schedule it cannot fire to onBroken, with the reason, and arms nothing', async () => {
    const broken: Array<[string, string]> = [];
    const fired: string[] = [];
    const scheduler = new LocalScheduler({
      onFire: async (id) => fired.push(id),
      onBroken: async (id, reason) => broken.push([id, reason]),
    });
    try {
      await scheduler.put(schedule('rate(99999999999999 days)'));
      await scheduler.put({ ...schedule('cron(nonsense)'), scheduleId: '01J2ABCDEFGHJKMNPQRSTVWXY1' });
      await scheduler.put({ ...schedule(undefined as unknown as string), scheduleId: '01J2ABCDEFGHJKMNPQRSTVWXY2' });
      await waitFor(async () => (broken.length === 3 ? true : undefined), 5000, 'three broken schedules');
      expect(broken.map(([id]) => id)).toEqual(['01J2ABCDEFGHJKMNPQRSTVWXYZ', '01J2ABCDEFGHJKMNPQRSTVWXY1', '01J2ABCDEFGHJKMNPQRSTVWXY2']);
      expect(broken[0]![1]).toMatch(/cannot compute the next fire time of "rate\(99999999999999 days\)"/);
      expect(fired).toEqual([]);
    } finally {
      scheduler.close();
    }
  });

  it('logs a failing onBroken and goes on', async () => {
    let calls = 0;
    const scheduler = new LocalScheduler({
      onFire: async () => undefined,
      onBroken: async () => {
        calls++;
        throw new Error('store down');
      },
    });
    await scheduler.put(schedule('rate(99999999999999 days)'));
    await waitFor(async () => (calls === 1 ? true : undefined), 5000, 'onBroken');
    scheduler.close();
  });
});
