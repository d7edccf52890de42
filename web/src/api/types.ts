/**
 * The API's shapes, as the API itself defines them (shared/schemas.ts, shared/image-schemas.ts):
 * type-only imports, erased from the bundle, so the console cannot drift from the API.
 */
export type { App, AppVersion, Run, TokenSet, User, VersionDiff, MetricPoint, Transition } from '../../../shared/schemas.js';
export type { Schedule, ScheduleFire } from '../../../shared/schedule-schemas.js';
export type { Build, Image, ImageVersion, ScanResult } from '../../../shared/image-schemas.js';
export type { Secret } from '../../../shared/secret-schemas.js';
export type { RunStatus } from '../../../shared/domain.js';

/** One log line of a run or a build (LogPage's events). */
export interface LogEvent {
  timestamp: number;
  container?: string;
  stream: 'stdout' | 'stderr';
  message: string;
}

/** `{ items, nextCursor }`: one page of a listing. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** RFC 9457 problem document, with the API's per-field `errors`. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}
