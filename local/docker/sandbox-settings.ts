/**
 * Dev mode's bounds on what one run, and one build, may use of the host, from the environment.
 * Runs: RUN_LOG_MAX_MIB (50): the run's log file, past which output is dropped after one marker
 * line; RUN_DISK_MAX_MIB (10240): the container's writable layer and the volumes its image declares
 * (Fargate's default ephemeral storage is 20 GiB; a dev machine is smaller); RUN_DISK_CHECK_SECONDS (5):
 * how often it is measured (builds' disk too).
 * Builds (each build of any user gets the same; how many builds one owner may have under way is the
 * build queue's concern): BUILD_MEMORY_MIB (2048, no swap) and BUILD_CPU (1 vCPU) for its RUN steps,
 * BUILD_TIMEOUT_SECONDS (900: CodeBuild's default is 60 min, far more than a dev machine should give
 * one build), BUILD_DISK_MAX_MIB (4096): the layers it writes.
 */
import { ENV } from '../../shared/env.js';
import { envReader, type Env } from '../../shared/env-reader.js';

const MIB = 1024 * 1024;

/** Per-run bounds; bytes and ms. */
export interface SandboxSettings {
  logMaxBytes: number;
  writableLayerMaxBytes: number;
  writableLayerCheckMs: number;
}

/** Per-build bounds: bytes, vCPUs, processes, ms. */
export interface BuildLimits {
  memoryBytes: number;
  cpu: number;
  /** Processes per RUN step, as a run's container (not configurable, as for runs). */
  pidsLimit: number;
  timeoutMs: number;
  diskMaxBytes: number;
  diskCheckMs: number;
}

/** Processes per container (a run's, a build step's); Fargate isolates each task in its own VM, a shared local engine needs a fork-bomb guard. */
export const PIDS_LIMIT = 1024;

export const DEFAULT_SANDBOX: SandboxSettings = { logMaxBytes: 50 * MIB, writableLayerMaxBytes: 10_240 * MIB, writableLayerCheckMs: 5_000 };

export const DEFAULT_BUILD_LIMITS: BuildLimits = {
  memoryBytes: 2048 * MIB,
  cpu: 1,
  pidsLimit: PIDS_LIMIT,
  timeoutMs: 900_000,
  diskMaxBytes: 4096 * MIB,
  diskCheckMs: DEFAULT_SANDBOX.writableLayerCheckMs,
};

/**
 * Reads the run settings above.
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

/**
 * Reads the build settings above (the disk check interval is RUN_DISK_CHECK_SECONDS).
 * @throws ConfigurationError naming a variable that is not a positive number.
 */
export function buildLimitsFrom(env: Env): BuildLimits {
  const read = envReader(env);
  const d = DEFAULT_BUILD_LIMITS;
  return {
    memoryBytes: Math.round(read.positive(ENV.BUILD_MEMORY_MIB, d.memoryBytes / MIB) * MIB),
    cpu: read.positive(ENV.BUILD_CPU, d.cpu),
    pidsLimit: d.pidsLimit,
    timeoutMs: Math.round(read.positive(ENV.BUILD_TIMEOUT_SECONDS, d.timeoutMs / 1000) * 1000),
    diskMaxBytes: Math.round(read.positive(ENV.BUILD_DISK_MAX_MIB, d.diskMaxBytes / MIB) * MIB),
    diskCheckMs: Math.round(read.positive(ENV.RUN_DISK_CHECK_SECONDS, d.diskCheckMs / 1000) * 1000),
  };
}
