/** The run queries several pages share. */
import { isArrayParent } from '../../../shared/rules/array-rules.js';
import { all, get, query } from './client.js';
import type { Page, Run, Schedule } from './types.js';

export { isArrayParent };

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'];
export const isTerminal = (status: string) => TERMINAL.includes(status);

/** Runs created since `from` (newest first), up to `max`. */
export const runsSince = (from: string, max = 2000) => all<Run>(`/runs${query({ from })}`, max);

/** The first `count` runs with `status`, following cursors (the status filter may leave pages short) for at most `pages` pages. */
export async function runsWithStatus(status: string, count: number, pages = 5): Promise<Run[]> {
  const found: Run[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages && found.length < count; i++) {
    const page = await get<Page<Run>>(`/runs${query({ status, limit: 100, cursor })}`);
    found.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return found.slice(0, count);
}

/**
 * One page of an array job's children that have been created, by index (each retry follows its index); children
 * beyond the parent's `arrayProperties.nextIndex` are not created yet, so not listed.
 */
export const childrenPage = (parentRunId: string, page: { cursor?: string; limit: number }, signal?: AbortSignal) =>
  get<Page<Run>>(`/runs/${parentRunId}/children${query(page)}`, signal);

/** The next fire times of every enabled schedule, soonest first: `{ schedule, time }`. */
export async function nextFires(perSchedule = 5): Promise<{ schedule: Schedule; time: string }[]> {
  const schedules = (await all<Schedule>('/schedules')).filter((schedule) => schedule.enabled);
  const times = await Promise.all(
    schedules.map(async (schedule) => {
      const { times } = await get<{ times: string[] }>(`/schedules/${schedule.scheduleId}/next?count=${perSchedule}`);
      return times.map((time) => ({ schedule, time }));
    }),
  );
  return times.flat().sort((a, b) => a.time.localeCompare(b.time));
}
