/**
 * The rules of secrets, pure: what a secret's name and value may be, how an app references
 * secrets by env name, and how a secret's value is masked in what the API returns.
 *
 * Limits come from the cloud store (AWS Secrets Manager, chosen because ECS pins a secret's version in
 * a task definition only for Secrets Manager: AWS docs, "Retrieve Secrets Manager secrets through
 * environment variables", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html;
 * Parameter Store has no versioned `valueFrom`, aws/containers-roadmap#636) and hold in dev mode too.
 */
import { badRequest, type FieldError } from '../errors.js';
import { JOB_ENV } from '../job-env.js';
import type { LogEvent } from '../ports.js';

/**
 * A secret's value: at most 65,536 bytes (UTF-8), Secrets Manager's SecretString limit (AWS docs,
 * "AWS Secrets Manager quotas": secret value size 65,536 bytes), and not empty.
 */
export const MAX_SECRET_VALUE_BYTES = 65_536;

/**
 * A secret's name: 1-128 letters, digits, `-`, `_` or `.`, starting with a letter or digit. It becomes
 * the last part of the Secrets Manager name `<prefix>/<owner>/<name>` (up to 512 characters of ASCII
 * letters, digits and `/_+=.@-`: AWS API reference, CreateSecret `Name`), with room for the prefix.
 */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const SECRET_NAME_RULE = '1-128 letters, digits, -, _ or ., starting with a letter or digit';

/** An env name a secret is given as: POSIX's portable names (letters, digits, `_`, not starting with a digit), as the app's env. */
export const SECRET_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Secrets one app may reference (each is one `secrets` entry of its task definition's main container). */
export const MAX_SECRETS_PER_APP = 50;

/** Secrets one owner may keep (each costs $0.40 a month in the cloud). */
export const MAX_SECRETS_PER_OWNER = 100;

/** What a secret's value is replaced with in logs the API returns. */
export const SECRET_MASK = '***';

/**
 * Values shorter than this are not masked: masking "a" or "1" in every log line would mangle the
 * output while hiding nothing (GitHub Actions does not mask values shorter than 4 characters either).
 */
export const MIN_MASKED_CHARS = 4;

/** The env names the platform sets itself (shared/job-env.ts), which an app's secret may not take. */
const RESERVED_ENV: ReadonlySet<string> = new Set(Object.values(JOB_ENV));

/** UTF-8 bytes of a value; over MAX_SECRET_VALUE_BYTES is refused. */
export function secretValueErrors(value: string): FieldError[] {
  if (value.length === 0) return [{ field: 'value', message: 'must not be empty' }];
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) return [{ field: 'value', message: `is ${bytes} bytes; at most ${MAX_SECRET_VALUE_BYTES} (UTF-8)` }];
  return [];
}

/**
 * What is wrong with an app's `secrets` (env name → secret name) beside its `env`: env names that are
 * not portable, the platform's own (CONTAINERIZER_…), or also keys of `env`; secret names that break the
 * name rule; more than MAX_SECRETS_PER_APP. Each error names `secrets.<ENV>`. Whether the secrets exist
 * is the service's check.
 */
export function appSecretErrors(secrets: Readonly<Record<string, string>>, env: Readonly<Record<string, string>> = {}): FieldError[] {
  const errors: FieldError[] = [];
  const entries = Object.entries(secrets);
  if (entries.length > MAX_SECRETS_PER_APP) errors.push({ field: 'secrets', message: `at most ${MAX_SECRETS_PER_APP} secrets per app` });
  for (const [envName, name] of entries) {
    const field = `secrets.${envName}`;
    if (!SECRET_ENV_NAME.test(envName)) errors.push({ field, message: 'env names are letters, digits and _, not starting with a digit' });
    else if (RESERVED_ENV.has(envName) || envName.startsWith('CONTAINERIZER_')) errors.push({ field, message: 'CONTAINERIZER_ names are the platform’s' });
    else if (Object.hasOwn(env, envName)) errors.push({ field, message: `also a key of env: an env name is either a value or a secret` });
    if (!SECRET_NAME.test(name)) errors.push({ field, message: `secret names are ${SECRET_NAME_RULE}` });
  }
  return errors;
}

/** @throws ClientError 400 listing appSecretErrors. */
export function checkAppSecrets(secrets: Readonly<Record<string, string>> | undefined, env?: Readonly<Record<string, string>>): void {
  const errors = appSecretErrors(secrets ?? {}, env);
  if (errors.length > 0) throw badRequest(`invalid secrets: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

/**
 * `text` with every occurrence of each value replaced by SECRET_MASK, longest values first (so that a
 * value containing another is masked whole). Values shorter than MIN_MASKED_CHARS are left alone.
 */
export function maskSecrets(text: string, values: readonly string[]): string {
  let masked = text;
  for (const value of maskable(values)) if (masked.includes(value)) masked = masked.split(value).join(SECRET_MASK);
  return masked;
}

/**
 * The strings maskSecrets replaces, longest first, without duplicates: each value, and each line of a
 * value of several lines (a log line holds one line of a PEM key at most).
 */
export function maskable(values: readonly string[]): string[] {
  const parts = values.flatMap((value) => [value, ...value.split(/\r?\n/)].map((part) => part.trim()));
  return [...new Set(parts.filter((part) => part.length >= MIN_MASKED_CHARS))].sort((a, b) => b.length - a.length);
}

/**
 * A masker of a run's output (SecretService.maskerOf): called with a text, it masks it as maskSecrets does;
 * `pieces` masks the pieces of one line that was split across several log events as that one line.
 */
export interface Masker {
  (text: string): string;
  /**
   * `pieces` (one line, in order) masked as their concatenation: a value that spans pieces becomes SECRET_MASK in
   * the piece where it begins, and its rest is cut from the pieces after it, so each piece stays one event. At a
   * page's edges, where the rest of the line is in another page: `head` masks a start of the first piece that is
   * the end of a value, `tail` an end of the last piece that is the start of one (each at least MIN_MASKED_CHARS long).
   */
  pieces(pieces: readonly string[], edges?: { head?: boolean; tail?: boolean }): string[];
  /** False when there is nothing to mask (no values): callers may skip the work. */
  readonly masks: boolean;
}

/** The Masker of `values` (the values of the secret versions a run received). */
export function secretMasker(values: readonly string[]): Masker {
  const parts = maskable(values);
  const mask = (text: string) => maskSecrets(text, values);
  return Object.assign(mask, {
    masks: parts.length > 0,
    pieces: (pieces: readonly string[], edges: { head?: boolean; tail?: boolean } = {}) => maskPieces(pieces, parts, edges),
  });
}

/** Masker.pieces over the strings maskable() made. */
function maskPieces(pieces: readonly string[], parts: readonly string[], edges: { head?: boolean; tail?: boolean }): string[] {
  const text = pieces.join('');
  // [start, end) of what is masked, longest values first; a later (shorter) value inside one found is part of it.
  const spans: [number, number][] = [];
  const covered = (start: number, end: number) => spans.some(([s, e]) => start < e && s < end);
  for (const part of parts) {
    for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      if (!covered(at, at + part.length)) spans.push([at, at + part.length]);
    }
  }
  if (edges.head) {
    const length = longestEdge(parts, (n, part) => part.length > n && text.startsWith(part.slice(part.length - n)), text.length);
    if (length > 0 && !covered(0, length)) spans.push([0, length]);
  }
  if (edges.tail) {
    const length = longestEdge(parts, (n, part) => part.length > n && text.endsWith(part.slice(0, n)), text.length);
    if (length > 0 && !covered(text.length - length, text.length)) spans.push([text.length - length, text.length]);
  }
  if (spans.length === 0) return [...pieces];
  spans.sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const end = offset + piece.length;
    let masked = '';
    let at = offset;
    for (const [s, e] of spans) {
      if (e <= at || s >= end) continue;
      masked += text.slice(at, Math.max(at, s));
      // The mask stands where the value begins; the pieces it reaches into lose their part of it.
      if (s >= offset) masked += SECRET_MASK;
      at = Math.min(e, end);
    }
    out.push(masked + text.slice(at, end));
    offset = end;
  }
  return out;
}

/** The longest n (MIN_MASKED_CHARS ≤ n ≤ limit) for which `fits(n, part)` holds for some part, else 0. */
function longestEdge(parts: readonly string[], fits: (n: number, part: string) => boolean, limit: number): number {
  let best = 0;
  for (const part of parts) {
    for (let n = Math.min(part.length - 1, limit); n >= MIN_MASKED_CHARS && n > best; n--) {
      if (fits(n, part)) {
        best = n;
        break;
      }
    }
  }
  return best;
}

/**
 * The UTF-8 bytes from which a log event is taken to be a piece of a longer line that goes on in the next event of
 * the same container and stream: Docker and dev mode's log pipeline split lines at 16 KiB (log-encoder.ts), the
 * awslogs driver at CloudWatch's 256 KiB event limit. Less 3: a cut inside a UTF-8 character reads back shorter.
 */
export const SPLIT_PIECE_MIN_BYTES = 16 * 1024 - 3;

/**
 * A page of log events with the run's secrets masked: each event by itself, and the pieces of a line that was
 * split across events (SPLIT_PIECE_MIN_BYTES) as that one line, each piece staying its own event. `continued`
 * (the page was read from a cursor) also masks, at the start of each container's and stream's first event, what
 * may be the rest of a value cut at the page before; a line still open at the page's end is masked at its tail.
 */
export function maskLogEvents<E extends LogEvent>(events: readonly E[], mask: Masker, continued = false): E[] {
  if (!mask.masks) return [...events];
  const groups: { indexes: number[]; head: boolean; tail: boolean }[] = [];
  const open = new Map<string, (typeof groups)[number]>();
  const seen = new Set<string>();
  events.forEach((event, index) => {
    const key = `${event.container ?? ''}\n${event.stream}`;
    let group = open.get(key);
    if (!group) groups.push((group = { indexes: [], head: continued && !seen.has(key), tail: false }));
    group.indexes.push(index);
    seen.add(key);
    if (Buffer.byteLength(event.message, 'utf8') >= SPLIT_PIECE_MIN_BYTES) open.set(key, group);
    else open.delete(key);
  });
  for (const group of open.values()) group.tail = true;
  const messages = events.map((event) => event.message);
  for (const group of groups) {
    if (group.indexes.length === 1 && !group.head && !group.tail) {
      const index = group.indexes[0]!;
      messages[index] = mask(messages[index]!);
      continue;
    }
    const masked = mask.pieces(
      group.indexes.map((index) => messages[index]!),
      group,
    );
    group.indexes.forEach((index, i) => (messages[index] = masked[i]!));
  }
  return events.map((event, index) => (messages[index] === event.message ? event : { ...event, message: messages[index]! }));
}

/**
 * A job's result (or any JSON value) with the run's secrets masked: every string value, and every key (a key that
 * comes out as one already there gets ` (2)`, ` (3)`, … so no entry is lost); a number whose decimal text holds a
 * value becomes the string SECRET_MASK (and so is no metric). Other values pass as they are.
 */
export function maskJson(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (typeof value === 'number') return mask(String(value)) === String(value) ? value : SECRET_MASK;
  if (Array.isArray(value)) return value.map((item) => maskJson(item, mask));
  if (value === null || typeof value !== 'object') return value;
  const entries: [string, unknown][] = [];
  const keys = new Set<string>();
  for (const [key, item] of Object.entries(value)) {
    const masked = mask(key);
    let name = masked;
    for (let n = 2; keys.has(name); n++) name = `${masked} (${n})`;
    keys.add(name);
    entries.push([name, maskJson(item, mask)]);
  }
  return Object.fromEntries(entries);
}
