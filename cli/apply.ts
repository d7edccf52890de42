/**
 * `apply -f`: each file holds one app in the shape POST /apps takes (YAML or JSON), optionally
 * with `schedules` (each in the shape POST /apps/{appId}/schedules takes). Apps are matched by
 * name: a new one is created, an existing one gets a PATCH of exactly the fields that differ
 * (one new version), and nothing at all when none differs. Schedules are matched to the app's
 * by expression: missing ones are created, differing fields patched; others are left alone.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { unwrap, type Schemas, type Session } from './client.js';
import { allApps } from './context.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';

type AppCreate = Schemas['AppCreate'];
type ScheduleCreate = Schemas['ScheduleCreate'];

/** One app as a file declares it. */
export interface Manifest {
  file: string;
  app: AppCreate;
  schedules: ScheduleCreate[];
}

/** What POST /apps fills in when a field is left out (AppCreate's defaults): an app left at them is unchanged. */
const APP_DEFAULTS = { command: [], env: {}, cpu: 0.25, memoryMiB: 512, timeoutSeconds: 3600, retry: { maxAttempts: 1 } };
/** What POST /apps/{appId}/schedules fills in (ScheduleCreate's defaults). */
const SCHEDULE_DEFAULTS = { enabled: true, overlapPolicy: 'Allow', overrides: {} };

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The manifests of `paths` (files, or folders whose .yaml/.yml/.json files are read in name order). */
export async function readManifests(paths: string[]): Promise<Manifest[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliError(`${path}: no such file or folder`, EXIT.USAGE);
    if (info.isDirectory())
      files.push(
        ...(await readdir(path))
          .filter((f) => EXTENSIONS.has(extname(f)))
          .sort()
          .map((f) => join(path, f)),
      );
    else files.push(path);
  }
  return Promise.all(files.map(readManifest));
}

async function readManifest(file: string): Promise<Manifest> {
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file}: not YAML or JSON: ${(err as Error).message}`, EXIT.USAGE);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new CliError(`${file}: must hold one app (an object with name, image…)`, EXIT.USAGE);
  const { schedules = [], ...app } = doc as AppCreate & { schedules?: ScheduleCreate[] };
  if (typeof app.name !== 'string') throw new CliError(`${file}: the app needs a name`, EXIT.USAGE);
  if (!Array.isArray(schedules)) throw new CliError(`${file}: schedules must be a list`, EXIT.USAGE);
  return { file, app, schedules };
}

/** One change apply makes (or, with --dry-run, would make). */
export interface Change {
  kind: 'app' | 'schedule';
  name: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Each changed field: before → after (absent before a creation). */
  fields: Record<string, { before?: unknown; after: unknown }>;
  version?: number;
  id?: string;
}

/** The fields of `desired` (with `defaults` filled in) that `current` does not hold. */
function diff(desired: Record<string, unknown>, current: Record<string, unknown> | undefined, defaults: Record<string, unknown>): Change['fields'] {
  const fields: Change['fields'] = {};
  const full = { ...defaults, ...desired };
  for (const [key, after] of Object.entries(full)) {
    if (!current || !isDeepStrictEqual(current[key], after)) fields[key] = current ? { before: current[key], after } : { after };
  }
  return fields;
}

/** Applies (or with `dryRun` only computes) every manifest, in order; returns what changed. */
export async function apply(session: Session, manifests: Manifest[], dryRun: boolean): Promise<Change[]> {
  const existing = new Map((await allApps(session)).map((app) => [app.name, app]));
  const changes: Change[] = [];
  for (const { app, schedules } of manifests) {
    const current = existing.get(app.name);
    const fields = diff(app, current, APP_DEFAULTS);
    // A script the file no longer has is removed (AppPatch: null), as the file is the whole app.
    if (current?.script && app.script === undefined) fields.script = { before: current.script, after: null };
    let applied = current;
    if (!current) {
      applied = dryRun ? undefined : unwrap(await session.client.POST('/apps', { body: app }));
      changes.push({ kind: 'app', name: app.name, action: 'created', fields, version: applied?.version, id: applied?.appId });
    } else if (Object.keys(fields).length > 0) {
      const patch = Object.fromEntries(Object.entries(fields).map(([key, { after }]) => [key, after])) as Schemas['AppPatch'];
      if (!dryRun) {
        applied = unwrap(
          await session.client.PATCH('/apps/{appId}', {
            params: { path: { appId: current.appId }, header: { 'if-match': `"v${current.version}"` } },
            body: patch,
          }),
        );
      }
      changes.push({ kind: 'app', name: app.name, action: 'updated', fields, version: applied?.version, id: current.appId });
    } else {
      changes.push({ kind: 'app', name: app.name, action: 'unchanged', fields, version: current.version, id: current.appId });
    }
    changes.push(...(await applySchedules(session, app.name, applied?.appId, schedules, dryRun)));
  }
  return changes;
}

async function applySchedules(session: Session, appName: string, appId: string | undefined, schedules: ScheduleCreate[], dryRun: boolean): Promise<Change[]> {
  if (schedules.length === 0) return [];
  const current = appId ? unwrap(await session.client.GET('/apps/{appId}/schedules', { params: { path: { appId }, query: { limit: 100 } } })).items : [];
  const changes: Change[] = [];
  for (const schedule of schedules) {
    const name = `${appName} ${schedule.expression}`;
    const match = current.find((s) => s.expression === schedule.expression);
    const fields = diff(schedule, match, SCHEDULE_DEFAULTS);
    if (!match) {
      const created =
        dryRun || !appId ? undefined : unwrap(await session.client.POST('/apps/{appId}/schedules', { params: { path: { appId } }, body: schedule }));
      changes.push({ kind: 'schedule', name, action: 'created', fields, id: created?.scheduleId });
    } else if (Object.keys(fields).length > 0) {
      const patch = Object.fromEntries(Object.entries(fields).map(([key, { after }]) => [key, after])) as Schemas['SchedulePatch'];
      if (!dryRun) unwrap(await session.client.PATCH('/schedules/{scheduleId}', { params: { path: { scheduleId: match.scheduleId } }, body: patch }));
      changes.push({ kind: 'schedule', name, action: 'updated', fields, id: match.scheduleId });
    } else {
      changes.push({ kind: 'schedule', name, action: 'unchanged', fields, id: match.scheduleId });
    }
  }
  return changes;
}
