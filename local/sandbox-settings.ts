/**
 * Dev mode's bounds on what one run may use of the host, from the environment:
 * RUN_LOG_MAX_MIB (50): the run's log file, past which output is dropped after one marker line;
 * RUN_DISK_MAX_MIB (10240): the container's writable layer (Fargate's default ephemeral storage
 * is 20 GiB; a dev machine is smaller); RUN_DISK_CHECK_SECONDS (5): how often it is measured.
 */
const MIB = 1024 * 1024;

/** Per-run bounds; bytes and ms. */
export interface SandboxSettings {
  logMaxBytes: number;
  writableLayerMaxBytes: number;
  writableLayerCheckMs: number;
}

export const DEFAULT_SANDBOX: SandboxSettings = { logMaxBytes: 50 * MIB, writableLayerMaxBytes: 10_240 * MIB, writableLayerCheckMs: 5_000 };

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** Reads the settings above; throws an Error naming a variable that is not a positive number. */
export function sandboxSettingsFrom(env: NodeJS.ProcessEnv): SandboxSettings {
  return {
    logMaxBytes: Math.round(positive(env, 'RUN_LOG_MAX_MIB', DEFAULT_SANDBOX.logMaxBytes / MIB) * MIB),
    writableLayerMaxBytes: Math.round(positive(env, 'RUN_DISK_MAX_MIB', DEFAULT_SANDBOX.writableLayerMaxBytes / MIB) * MIB),
    writableLayerCheckMs: Math.round(positive(env, 'RUN_DISK_CHECK_SECONDS', DEFAULT_SANDBOX.writableLayerCheckMs / 1000) * 1000),
  };
}
