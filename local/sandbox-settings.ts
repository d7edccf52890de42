/**
 * Dev mode's bounds on what one run may use of the host, from the environment:
 * RUN_LOG_MAX_MIB (50): the run's log file, past which output is dropped after one marker line;
 * RUN_DISK_MAX_MIB (10240): the container's writable layer (Fargate's default ephemeral storage
 * is 20 GiB; a dev machine is smaller); RUN_DISK_CHECK_SECONDS (5): how often it is measured.
 */
import { ENV, envReader, type Env } from '../shared/env.js';

const MIB = 1024 * 1024;

/** Per-run bounds; bytes and ms. */
export interface SandboxSettings {
  logMaxBytes: number;
  writableLayerMaxBytes: number;
  writableLayerCheckMs: number;
}

export const DEFAULT_SANDBOX: SandboxSettings = { logMaxBytes: 50 * MIB, writableLayerMaxBytes: 10_240 * MIB, writableLayerCheckMs: 5_000 };

/**
 * Reads the settings above.
 * @throws ConfigurationError naming a variable that is not a positive number.
 */
export function sandboxSettingsFrom(env: Env): SandboxSettings {
  const read = envReader(env);
  return {
    logMaxBytes: Math.round(read.positive(ENV.RUN_LOG_MAX_MIB, DEFAULT_SANDBOX.logMaxBytes / MIB) * MIB),
    writableLayerMaxBytes: Math.round(read.positive(ENV.RUN_DISK_MAX_MIB, DEFAULT_SANDBOX.writableLayerMaxBytes / MIB) * MIB),
    writableLayerCheckMs: Math.round(read.positive(ENV.RUN_DISK_CHECK_SECONDS, DEFAULT_SANDBOX.writableLayerCheckMs / 1000) * 1000),
  };
}
