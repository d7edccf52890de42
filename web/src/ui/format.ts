/** Formatting shared by the pages: durations, times, countdowns. */

/** "1 h 02 min", "3 min 04 s", "850 ms" from ms. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A run's duration once it ended, else how long it has been running at `now` (ms); undefined before it started. */
export function runElapsedMs(run: { durationMs?: number; startedAt?: string; stoppedAt?: string }, now: number): number | undefined {
  if (run.durationMs !== undefined) return run.durationMs;
  return run.startedAt && !run.stoppedAt ? now - Date.parse(run.startedAt) : undefined;
}

/** A local date and time, to the second. */
export function formatTime(iso: string | number | undefined): string {
  if (iso === undefined) return '—';
  return new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "in 3 min 04 s" / "now". */
export function countdown(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  return ms <= 0 ? 'now' : `in ${formatDuration(ms)}`;
}

/** The start of today, local time, as ISO 8601. */
export function startOfToday(): string {
  const day = new Date();
  day.setHours(0, 0, 0, 0);
  return day.toISOString();
}
