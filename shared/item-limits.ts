/**
 * What a run item may hold, so that every item the API accepts fits in DynamoDB's 400 KB
 * item (AWS docs, "Service, account, and table quotas in Amazon DynamoDB": item size counts
 * attribute names and UTF-8 values). A run copies its app version's command and env (the
 * run's env merged over the app's), its health checks and script, and its sidecars' (the totals
 * cover all containers together: specSizeErrors), its last result (64 KiB, result-rules.ts), and
 * appends at most one history entry per status, each with a reason clipped to MAX_REASON_CHARS;
 * with these totals a run item stays under about 300 KB, an app or app-version item under about 240 KB.
 * And what any JSON document may hold to be stored at all (storableProblems): nesting, numbers, keys.
 */
import { badRequest, type FieldError } from './errors.js';

/** Every container's command and health check command, with the script's arguments, together, UTF-8 bytes. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** Every container's env, names and values together, UTF-8 bytes (for a run: after its env is merged over the app's). */
export const MAX_ENV_BYTES = 128 * 1024;
/**
 * An image's build arguments, names and values together, UTF-8 bytes: an image item also holds
 * its file manifest (up to 1,000 paths of 255 bytes with a 64-character hash, ~320 KB), so the
 * arguments get what is left of DynamoDB's 400 KB with room to spare.
 */
export const MAX_BUILD_ARGS_BYTES = 16 * 1024;
/** A history entry's reason (and a run's stoppedReason), characters; longer ones are clipped. */
export const MAX_REASON_CHARS = 1024;

/** The fields of a task spec whose size varies: each container's env, command and health check command, and the script's arguments. */
export interface SizedSpec {
  env?: Readonly<Record<string, string>>;
  command?: readonly string[];
  healthCheck?: { command: readonly string[] };
  script?: { args?: readonly string[] };
  sidecars?: readonly { env?: Readonly<Record<string, string>>; command?: readonly string[]; healthCheck?: { command: readonly string[] } }[];
}

/**
 * Where `spec` is over the item's shares: every container's env together over MAX_ENV_BYTES, and
 * every container's command and health check command, with the script's arguments, together over
 * MAX_COMMAND_BYTES (all of them are copied onto every app version and run item). Each error names
 * the field whose bytes cross the limit (`env`, `healthCheck.command`, `script.args`,
 * `sidecars.<i>.command`, ...). Empty when it fits.
 */
export function specSizeErrors(spec: SizedSpec): FieldError[] {
  const sidecars = spec.sidecars ?? [];
  const envParts: [string, number][] = [
    ['env', envBytes(spec.env ?? {})],
    ...sidecars.map((s, i): [string, number] => [`sidecars.${i}.env`, envBytes(s.env ?? {})]),
  ];
  const commandParts: [string, number][] = [
    ['command', commandBytes(spec.command ?? [])],
    ['healthCheck.command', commandBytes(spec.healthCheck?.command ?? [])],
    ['script.args', commandBytes(spec.script?.args ?? [])],
    ...sidecars.flatMap((s, i): [string, number][] => [
      [`sidecars.${i}.command`, commandBytes(s.command ?? [])],
      [`sidecars.${i}.healthCheck.command`, commandBytes(s.healthCheck?.command ?? [])],
    ]),
  ];
  return [
    ...overBudget(envParts, MAX_ENV_BYTES, (total) => `every container's env together is ${total} bytes, over ${MAX_ENV_BYTES}`),
    ...overBudget(
      commandParts,
      MAX_COMMAND_BYTES,
      (total) => `every container's command and health check command, with the script's args, together are ${total} bytes, over ${MAX_COMMAND_BYTES}`,
    ),
  ];
}

/** One error naming the part whose bytes take the running total past `max`, or none. */
function overBudget(parts: [field: string, bytes: number][], max: number, message: (total: number) => string): FieldError[] {
  const total = parts.reduce((sum, [, bytes]) => sum + bytes, 0);
  if (total <= max) return [];
  let running = 0;
  const crossing = parts.find(([, bytes]) => (running += bytes) > max)!;
  return [{ field: crossing[0], message: message(total) }];
}

/**
 * @throws ClientError 400 when a run's env (merged over its app's) or command, health check
 * commands and script arguments, with its sidecars' (a run of several containers stores them
 * all), are over MAX_ENV_BYTES or MAX_COMMAND_BYTES (specSizeErrors), naming the field.
 */
export function checkRunSize(run: SizedSpec): void {
  const errors = specSizeErrors(run);
  if (errors.length > 0) throw badRequest(`the run would not fit its item: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

/** UTF-8 bytes of a command's arguments together. */
export function commandBytes(command: readonly string[]): number {
  return command.reduce((sum, arg) => sum + Buffer.byteLength(arg), 0);
}

/** UTF-8 bytes of an env's names and values together. */
export function envBytes(env: Readonly<Record<string, string>>): number {
  return Object.entries(env).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/** `reason` clipped to MAX_REASON_CHARS (an ellipsis marks the cut). */
export function clipReason(reason: string | undefined): string | undefined {
  return reason === undefined || reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/**
 * DynamoDB's nesting limit: 32 levels, the top-level attribute counting as level 1 (AWS docs,
 * "Constraints in Amazon DynamoDB": "DynamoDB supports nested attributes up to 32 levels deep";
 * deeper values are refused with "Nesting Levels have exceeded supported limits").
 */
export const DYNAMODB_NESTING_LEVELS = 32;
/**
 * Objects and arrays a JSON document may nest, its own top one counted: a document stored as one
 * attribute of an item (a result, an env, a file map) then stays within DynamoDB's 32 levels.
 */
export const MAX_JSON_DEPTH = DYNAMODB_NESTING_LEVELS - 1;
/** The smallest magnitude of a DynamoDB number other than 0 (AWS docs, "Supported data types": 1E-130 to 9.9999999999999999999999999999999999999E+125). */
export const MIN_NUMBER_MAGNITUDE = 1e-130;
/**
 * The largest magnitude stored: the SDK's marshaller refuses numbers past Number.MAX_SAFE_INTEGER
 * (it asks for BigInt) and would read such a number back as a BigInt, which JSON cannot carry;
 * below it a double has at most 17 significant digits, well within DynamoDB's 38.
 */
export const MAX_NUMBER_MAGNITUDE = Number.MAX_SAFE_INTEGER;
/** Keys that name an object's prototype machinery in JavaScript: refused anywhere in a document, so no parser, schema or copy can turn them into a prototype. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** How many problems one check reports at most (the first found, in document order). */
const MAX_REPORTED = 10;

/** True for a number DynamoDB and the SDK's marshaller both take (see MIN_NUMBER_MAGNITUDE, MAX_NUMBER_MAGNITUDE). */
export function isStorableNumber(n: number): boolean {
  const magnitude = Math.abs(n);
  return Number.isFinite(n) && magnitude <= MAX_NUMBER_MAGNITUDE && (magnitude === 0 || magnitude >= MIN_NUMBER_MAGNITUDE);
}

/**
 * What in a parsed JSON document the store cannot hold: nesting past MAX_JSON_DEPTH objects and
 * arrays, numbers out of DynamoDB's or the marshaller's range (1e400 parses to Infinity, 1e-200
 * is below 1E-130, 2^60 is past Number.MAX_SAFE_INTEGER), and RESERVED_KEYS. Each entry names the
 * field by its dotted path under `root` (array items by index). Iterative, so any depth is safe to
 * check; at most MAX_REPORTED entries, and nothing under a level that is too deep is visited.
 */
export function storableProblems(document: unknown, root?: string): FieldError[] {
  const problems: FieldError[] = [];
  const join = (path: string | undefined, key: string) => (path ? `${path}.${key}` : key);
  const stack: { value: unknown; path: string | undefined; depth: number }[] = [{ value: document, path: root, depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'number') {
      if (!isStorableNumber(value)) {
        problems.push({
          field: path ?? '(body)',
          message: `${value} is out of range: numbers are 0 or between ${MIN_NUMBER_MAGNITUDE} and ${MAX_NUMBER_MAGNITUDE} in magnitude (send others as strings)`,
        });
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > MAX_JSON_DEPTH) {
      problems.push({
        field: path ?? '(body)',
        message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (DynamoDB stores ${DYNAMODB_NESTING_LEVELS} levels)`,
      });
      continue;
    }
    const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
    // Pushed in reverse, so problems come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      if (!Array.isArray(value) && RESERVED_KEYS.has(key)) {
        problems.push({ field: join(path, key), message: `"${key}" is a reserved name: choose another key` });
        continue;
      }
      stack.push({ value: child, path: join(path, key), depth: depth + 1 });
    }
  }
  return problems.slice(0, MAX_REPORTED);
}

/**
 * @throws ClientError 400 listing what storableProblems finds in `document` (`what` names it in the detail, e.g. "the result").
 */
export function checkStorable(document: unknown, what: string, root?: string): void {
  const problems = storableProblems(document, root);
  if (problems.length > 0) {
    throw badRequest(`${what} cannot be stored: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
}
