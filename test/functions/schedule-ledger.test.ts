/**
 * The schedule ledger and catch-up policies (ScheduleService.catchUp, as dev mode runs it at
 * start-up and the cloud's reconciler every minute), on the cloud composition over dynalite with
 * ECS mocked: slots that passed with no fire are found from the schedule's lastSlot, recorded
 * MISSED, or run as the schedule's catch-up policy says; the ledger is queryable by time range.
 * The clock is the caller's `now`, so no test waits for a minute to pass.
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import type { App, Schedule } from '../../shared/domain.js';
import type { ScheduleCreateInput } from '../../shared/schedule-schemas.js';
import { createApp, OWNER, startCloud, type Cloud } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let app: App;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  app = await createApp(platform);
});
afterAll(() => cloud?.close());

const MINUTE = 60_000;

/** An every-minute schedule, and `now` three and a half minutes after it was created: three slots passed with no fire. */
async function threeSlotsMissed(input: Partial<ScheduleCreateInput>): Promise<{ schedule: Schedule; now: Date; slots: string[] }> {
  const schedule = await platform.schedules.create(OWNER, app.appId, { expression: 'cron(* * * * ? *)', overlapPolicy: 'Allow', ...input });
  const created = Date.parse(schedule.updatedAt);
  const firstSlot = Math.floor(created / MINUTE) * MINUTE + MINUTE;
  const slots = [0, 1, 2].map((i) => new Date(firstSlot + i * MINUTE).toISOString());
  return { schedule, now: new Date(firstSlot + 2.5 * MINUTE), slots };
}

async function ledger(scheduleId: string) {
  return (await platform.schedules.fires(OWNER, scheduleId)).items.map((f) => ({ slot: f.scheduledTime, outcome: f.outcome, caughtUp: f.caughtUp ?? false }));
}

describe('missed slots and catch-up', () => {
  it('none (the default): records each missed slot MISSED, with why, and starts nothing', async () => {
    const { schedule, now, slots } = await threeSlotsMissed({});
    const launches = cloud.ecs.commandCalls(RunTaskCommand).length;
    await platform.schedules.catchUp(now, 0, 'the platform was not running at this time');
    expect(await ledger(schedule.scheduleId)).toEqual(slots.reverse().map((slot) => ({ slot, outcome: 'MISSED', caughtUp: false })));
    expect((await platform.schedules.fires(OWNER, schedule.scheduleId)).items[0]!.reason).toBe('the platform was not running at this time');
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(launches);
    expect((await platform.schedules.get(OWNER, schedule.scheduleId)).lastSlot).toBe(slots[0]);
  });

  it('latest: runs the most recent missed slot once, records the others MISSED', async () => {
    const { schedule, now, slots } = await threeSlotsMissed({ catchUp: { policy: 'latest' } });
    await platform.schedules.catchUp(now, 0, 'down');
    expect(await ledger(schedule.scheduleId)).toEqual([
      { slot: slots[2], outcome: 'STARTED', caughtUp: true },
      { slot: slots[1], outcome: 'MISSED', caughtUp: false },
      { slot: slots[0], outcome: 'MISSED', caughtUp: false },
    ]);
  });

  it('all, bounded by maxCount: runs the newest two of three, oldest first, and a second pass finds nothing new', async () => {
    const { schedule, now, slots } = await threeSlotsMissed({ catchUp: { policy: 'all', maxCount: 2 } });
    expect(await platform.schedules.catchUp(now, 0, 'down')).toBeGreaterThanOrEqual(3);
    const expected = [
      { slot: slots[2], outcome: 'STARTED', caughtUp: true },
      { slot: slots[1], outcome: 'STARTED', caughtUp: true },
      { slot: slots[0], outcome: 'MISSED', caughtUp: false },
    ];
    expect(await ledger(schedule.scheduleId)).toEqual(expected);
    const runs = await platform.runs.list(OWNER, { appId: app.appId, limit: 100 });
    const caughtUp = runs.items.filter((r) => r.scheduleId === schedule.scheduleId).map((r) => r.scheduledTime);
    expect(caughtUp.sort()).toEqual([slots[1], slots[2]]);
    // The same pass again (a restart, the next reconciler tick) finds every slot in the ledger already.
    await platform.schedules.catchUp(now, 0, 'down');
    expect(await ledger(schedule.scheduleId)).toEqual(expected);
  });

  it('all, bounded by maxAgeMinutes: a missed slot older than that is only recorded', async () => {
    const { schedule, now, slots } = await threeSlotsMissed({ catchUp: { policy: 'all', maxAgeMinutes: 2 } });
    await platform.schedules.catchUp(now, 0, 'down');
    expect(await ledger(schedule.scheduleId)).toEqual([
      { slot: slots[2], outcome: 'STARTED', caughtUp: true },
      { slot: slots[1], outcome: 'STARTED', caughtUp: true },
      { slot: slots[0], outcome: 'MISSED', caughtUp: false },
    ]);
  });

  it('leaves slots younger than the grace alone (a fire may still come), and a fire that came is not missed', async () => {
    const { schedule, now, slots } = await threeSlotsMissed({});
    await platform.schedules.fire(schedule.scheduleId, new Date(slots[0]!));
    await platform.schedules.catchUp(now, 1.5 * MINUTE, 'no fire came');
    // slots[0] fired; slots[1] is 1.5 min old (at the grace: missed); slots[2] is 0.5 min old (within the grace).
    expect(await ledger(schedule.scheduleId)).toEqual([
      { slot: slots[1], outcome: 'MISSED', caughtUp: false },
      { slot: slots[0], outcome: 'STARTED', caughtUp: false },
    ]);
  });

  it('a suspended schedule misses nothing: its slots count from when it was enabled again', async () => {
    const { schedule, now } = await threeSlotsMissed({ enabled: false });
    await platform.schedules.catchUp(now, 0, 'down');
    expect(await ledger(schedule.scheduleId)).toEqual([]);
  });
});

describe('the ledger', () => {
  it('counts a redelivered fire as deduplicated on its slot, and lists slots between two times', async () => {
    const { schedule, slots } = await threeSlotsMissed({});
    for (const slot of [...slots, slots[1]!]) await platform.schedules.fire(schedule.scheduleId, new Date(slot));
    const all = (await platform.schedules.fires(OWNER, schedule.scheduleId)).items;
    expect(all.map((f) => [f.scheduledTime, f.deliveries])).toEqual([
      [slots[2], 1],
      [slots[1], 2],
      [slots[0], 1],
    ]);
    const middle = await platform.schedules.fires(OWNER, schedule.scheduleId, { from: slots[1], to: slots[1] });
    expect(middle.items.map((f) => f.scheduledTime)).toEqual([slots[1]]);
    const fromSecond = await platform.schedules.fires(OWNER, schedule.scheduleId, { from: slots[1] });
    expect(fromSecond.items.map((f) => f.scheduledTime)).toEqual([slots[2], slots[1]]);
  });

  it('records REPLACED with the runs a Replace fire stopped', async () => {
    const { schedule, slots } = await threeSlotsMissed({ overlapPolicy: 'Replace' });
    const first = await platform.schedules.fire(schedule.scheduleId, new Date(slots[0]!));
    const second = await platform.schedules.fire(schedule.scheduleId, new Date(slots[1]!));
    expect(first).toMatchObject({ outcome: 'STARTED' });
    expect(second).toMatchObject({ outcome: 'REPLACED', replacedRunIds: [first!.runId] });
    expect((await platform.schedules.fires(OWNER, schedule.scheduleId)).items[0]).toMatchObject({ outcome: 'REPLACED', replacedRunIds: [first!.runId] });
  });

  it('deletes a one-time at() schedule with actionAfterCompletion DELETE once it has fired, keeping its ledger', async () => {
    const at = new Date(Date.now() + 3_600_000);
    const expression = `at(${at.toISOString().slice(0, 19)})`;
    const schedule = await platform.schedules.create(OWNER, app.appId, { expression, actionAfterCompletion: 'DELETE' });
    expect((await platform.schedules.next(OWNER, schedule.scheduleId, 3)).times).toEqual([`${at.toISOString().slice(0, 19)}.000Z`]);
    await platform.schedules.fire(schedule.scheduleId, new Date(`${at.toISOString().slice(0, 19)}Z`));
    await expect(platform.schedules.get(OWNER, schedule.scheduleId)).rejects.toMatchObject({ status: 404 });
  });

  it('previews each slot in its zone with the offset, and flags the one daylight saving skips', async () => {
    const schedule = await platform.schedules.create(OWNER, app.appId, { expression: 'cron(30 2 * * ? 2099)', timeZone: 'Europe/Berlin' });
    const { slots, timeZone } = await platform.schedules.next(OWNER, schedule.scheduleId, 100);
    expect(timeZone).toBe('Europe/Berlin');
    expect(slots[0]).toEqual({ time: '2099-01-01T01:30:00.000Z', localTime: '2099-01-01T02:30:00+01:00' });
    // 29 March 2099 is the last Sunday of March: the clocks skip 02:00-03:00.
    expect(slots).toContainEqual({ skipped: true, wallClock: '2099-03-29T02:30:00' });
    expect(slots).toContainEqual({ time: '2099-03-30T00:30:00.000Z', localTime: '2099-03-30T02:30:00+02:00' });
  });

  it('refuses an at() time the zone skips, naming the field', async () => {
    await expect(platform.schedules.create(OWNER, app.appId, { expression: 'at(2099-03-29T02:30:00)', timeZone: 'Europe/Berlin' })).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'expression' }],
    });
  });
});
