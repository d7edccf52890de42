/**
 * How an app's script runs (pure rules): with the image's own interpreter, the source passed
 * as the interpreter's program argument (`sh -c`, `python3 -c`, `node -e`), so the image
 * decides the version and no file, mount or shell wrapper is needed. Both backends launch
 * the same argv: dev mode as the container's Cmd, the cloud in the task definition's
 * container `command` — never in RunTask overrides, which ECS caps at 8,192 characters in
 * total (AWS API reference, RunTask `overrides`). A task definition may be up to 64 KiB
 * (AWS docs, "Amazon ECS service quotas": task definition size), which is why the source
 * is also checked in its JSON-escaped form (MAX_SCRIPT_JSON_CHARS).
 */
import { createHash } from 'node:crypto';
import type { ScriptLanguage, Script } from '../domain.js';
import { badRequest } from '../errors.js';

/** The interpreter each language runs with and its flag for "the program is the next argument". */
export const INTERPRETERS: Record<ScriptLanguage, { executable: string; flag: string }> = {
  sh: { executable: 'sh', flag: '-c' },
  python: { executable: 'python3', flag: '-c' },
  node: { executable: 'node', flag: '-e' },
};

/**
 * The script's characters once JSON-escaped, as they travel inside RegisterTaskDefinition:
 * at most 40 KiB, which leaves 24 KiB of the 64 KiB task definition for everything else.
 * Ordinary text grows a little (newlines, quotes); only a source dense with quotes or
 * control characters can pass 32 KiB of bytes and fail this.
 */
export const MAX_SCRIPT_JSON_CHARS = 40_960;

/**
 * The argv that runs `script`: `[interpreter, flag, source, ...args]`. For sh the word after
 * the source is `$0`, so the script's name goes there and its args are `$1…`.
 */
export function scriptCommand(script: Script): string[] {
  const { executable, flag } = INTERPRETERS[script.language];
  const args = script.args ?? [];
  return script.language === 'sh' ? [executable, flag, script.source, 'script', ...args] : [executable, flag, script.source, ...args];
}

/** What a run launches: its app's script when it has one, else the run's command (empty: the image's own). */
export function launchCommand(command: string[], script: Script | undefined): string[] {
  return script ? scriptCommand(script) : command;
}

/** Hex SHA-256 of the source: the exact source version a run ran. */
export function sourceSha256(script: Script): string {
  return createHash('sha256').update(script.source, 'utf8').digest('hex');
}

/**
 * An app carries a script or a command, not both; its script must fit a task definition.
 * @throws ClientError 400 naming the field.
 */
export function checkScript(app: { script?: Script | null; command: string[] }): void {
  if (!app.script) return;
  if (app.command.length > 0) {
    throw badRequest('an app runs a script or a command, not both', [{ field: 'command', message: 'must be empty when `script` is set' }]);
  }
  if (JSON.stringify(app.script.source).length > MAX_SCRIPT_JSON_CHARS) {
    throw badRequest('the script is too large once JSON-escaped for an ECS task definition', [
      { field: 'script.source', message: `at most ${MAX_SCRIPT_JSON_CHARS} characters once JSON-escaped (quotes and control characters count double or more)` },
    ]);
  }
}

/** Why a launch fails when the image has no interpreter for the script; `path` is where it was looked for. */
export function missingInterpreter(script: Script, path: string[]): string {
  const { executable } = INTERPRETERS[script.language];
  return `the image has no ${executable} interpreter for this ${script.language} script (looked in PATH=${path.join(':')})`;
}
