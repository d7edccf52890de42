/**
 * A job's result (pure rules): a JSON object of at most 64 KiB that the store can hold
 * (item-limits.ts's storable rules), whose numeric top-level fields are metrics; how many a
 * run may post; and when what it leaves behind expires.
 */
import type { Run } from '../domain.js';
import { badRequest, payloadTooLarge } from '../errors.js';
import { checkStorable } from '../item-limits.js';

/** Largest result body, bytes (64 KiB). */
export const MAX_RESULT_BYTES = 65_536;
/** Most metrics one result may carry by default (METRICS_PER_RESULT): each is one more write. */
export const MAX_METRICS = 100;

/**
 * What one run may post (settings.ts reads them: RESULT_POSTS_PER_RUN, RESULT_POSTS_PER_MINUTE,
 * METRICS_PER_RESULT). With the defaults a run leaves at most 100 results of 64 KiB and 10,000
 * metric points, about 7 MiB, however long it runs.
 */
export interface ResultLimits {
  /** Results in all; one more is a 409. */
  postsPerRun: number;
  /** Results per minute (a fixed window); one more is a 429 with Retry-After. */
  postsPerMinute: number;
  /** Metrics (numeric top-level fields) of one result; more is a 400. */
  metricsPerResult: number;
}
/** Longest metric name, characters. */
export const MAX_METRIC_NAME = 255;

/**
 * Parses a result body: UTF-8 JSON of at most MAX_RESULT_BYTES holding an object the store can
 * hold (nesting, numbers and keys: item-limits.ts's checkStorable).
 * @throws ClientError 413 when larger, 400 when not JSON, not an object, or not storable (naming the field).
 */
export function parseResult(body: string): Record<string, unknown> {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_RESULT_BYTES) throw payloadTooLarge(`a result is at most ${MAX_RESULT_BYTES} bytes; this one is ${bytes}`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw badRequest('the result is not valid JSON', [{ field: '(body)', message: (err as Error).message }], err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('a result is a JSON object', [{ field: '(body)', message: 'expected an object like {"perf": 0.93}' }]);
  }
  checkStorable(value, 'the result');
  return value as Record<string, unknown>;
}

/**
 * The metrics of a result: its top-level fields holding finite numbers (`{"perf": 0.93,
 * "rows": 1200, "model": "b"}` → perf and rows), in the object's order.
 * @throws ClientError 400 when there are more than `max` (default MAX_METRICS) or a name is longer than MAX_METRIC_NAME.
 */
export function metricsOf(result: Record<string, unknown>, max = MAX_METRICS): [name: string, value: number][] {
  const metrics = Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]));
  if (metrics.length > max) {
    throw badRequest(`a result carries at most ${max} metrics (numeric top-level fields); this one has ${metrics.length}`, [
      { field: '(body)', message: `at most ${max} numeric top-level fields` },
    ]);
  }
  const long = metrics.find(([name]) => name.length === 0 || name.length > MAX_METRIC_NAME);
  if (long) throw badRequest(`metric names are 1 to ${MAX_METRIC_NAME} characters`, [{ field: long[0].slice(0, 40) || '(empty)', message: 'bad metric name' }]);
  return metrics;
}

/**
 * Epoch s after which a result posted at `at` may go (DynamoDB TTL), or undefined when the
 * run is kept forever. The run is still active when it posts, so its stop time is not known
 * yet: counting its whole timeout makes the result outlive the run, never the other way.
 */
export function resultExpiresAt(run: Pick<Run, 'retentionDays' | 'timeoutSeconds'>, at: Date): number | undefined {
  if (!run.retentionDays) return undefined;
  return Math.floor(at.getTime() / 1000) + run.timeoutSeconds + run.retentionDays * 86_400;
}

/** True when an item with TTL attribute `expiresAt` (epoch s) has expired at `at`, whether or not the TTL process has deleted it yet. */
export function isExpired(expiresAt: number | undefined, at: Date): boolean {
  return expiresAt !== undefined && expiresAt * 1000 <= at.getTime();
}
