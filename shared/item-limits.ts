/**
 * What a run item may hold, so that every item the API accepts fits in DynamoDB's 400 KB
 * item (AWS docs, "Service, account, and table quotas in Amazon DynamoDB": item size counts
 * attribute names and UTF-8 values). A run copies its app version's command and env (the
 * run's env merged over the app's) and its sidecars' (the totals cover all containers together), and appends at most one history entry per status, each
 * with a reason clipped to MAX_REASON_CHARS; with these totals a run item stays under about
 * 210 KB, an app or app-version item under about 200 KB.
 */
import { badRequest } from './errors.js';

/** The command's arguments together, UTF-8 bytes. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** The env's names and values together, UTF-8 bytes (for a run: after its env is merged over the app's). */
export const MAX_ENV_BYTES = 128 * 1024;
/** A history entry's reason (and a run's stoppedReason), characters; longer ones are clipped. */
export const MAX_REASON_CHARS = 1024;

/**
 * @throws ClientError 400 when a run's env (merged over its app's) or command, with its sidecars'
 * (a run of several containers stores them all), is over MAX_ENV_BYTES or MAX_COMMAND_BYTES.
 */
export function checkRunSize(run: {
  env: Readonly<Record<string, string>>;
  command: readonly string[];
  sidecars?: readonly { env?: Readonly<Record<string, string>>; command?: readonly string[] }[];
}): void {
  const sidecars = run.sidecars ?? [];
  const env = sidecars.reduce((sum, s) => sum + envBytes(s.env ?? {}), envBytes(run.env));
  if (env > MAX_ENV_BYTES) {
    throw badRequest(`the run's env (the app's with your overrides, and its sidecars') is ${env} bytes, over ${MAX_ENV_BYTES}`, [
      { field: 'env', message: `with the app's env, at most ${MAX_ENV_BYTES} bytes` },
    ]);
  }
  const command = sidecars.reduce((sum, s) => sum + commandBytes(s.command ?? []), commandBytes(run.command));
  if (command > MAX_COMMAND_BYTES) {
    throw badRequest(`the run's command, with its sidecars', is ${command} bytes, over ${MAX_COMMAND_BYTES}`, [
      { field: 'command', message: `with the sidecars' commands, at most ${MAX_COMMAND_BYTES} bytes` },
    ]);
  }
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
