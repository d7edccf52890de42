/**
 * Dev mode's settings, from the environment (names and meanings: shared/env.ts):
 * PORT (3000), HOST (127.0.0.1), DATA_DIR (.data), JWT_SECRET (else generated once and kept
 * in DATA_DIR/jwt-secret), and the auth settings the cloud reads too (shared/settings.ts):
 * JWT_ISSUER, JWT_AUDIENCE, ADMIN_USER_IDS, ADMIN_EMAILS, OIDC_JWKS_URL + OIDC_ISSUER + OIDC_AUDIENCE; the quotas and
 * sign-in limits (readLimitSettings: MAX_*_PER_USER, LOGIN_*, REGISTRATION*, REFRESHES_PER_MINUTE) and the bound on a run's time to start (RUN_START_TIMEOUT_SECONDS); and
 * the per-run bounds (local/docker/sandbox-settings.ts): RUN_LOG_MAX_MIB, RUN_DISK_MAX_MIB, RUN_DISK_CHECK_SECONDS;
 * the per-build bounds (same file): BUILD_MEMORY_MIB, BUILD_CPU, BUILD_TIMEOUT_SECONDS, BUILD_DISK_MAX_MIB;
 * the image policy (SCAN_SEVERITY_THRESHOLD, ALLOWED_IMAGE_PREFIXES); BUILD_CONCURRENCY (2); and GC_INTERVAL_SECONDS, GC_CONTAINER_GRACE_SECONDS (600 each).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENV } from '../shared/env.js';
import { envReader, type Env } from '../shared/env-reader.js';
import type { AuthConfig } from '../shared/services/auth.js';
import type { CostSettings } from '../shared/services/costs.js';
import {
  readAlertSettings,
  readAuthSettings,
  readCostSettings,
  readImagePolicy,
  readLimitSettings,
  signingKey,
  type AlertSettings,
  type ImagePolicy,
  type LimitSettings,
} from '../shared/settings.js';
import { CONTAINER_GRACE_MS } from './images/garbage-collector.js';
import { DEFAULT_BUILD_CONCURRENCY } from './images/build-queue.js';
import { buildLimitsFrom, sandboxSettingsFrom, type BuildLimits, type SandboxSettings } from './docker/sandbox-settings.js';

export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  /** This installation's id (kept in DATA_DIR/instance-id): the label that tells its Docker objects from others'. */
  instanceId: string;
  auth: AuthConfig;
  /** Per-run bounds: log volume, writable layer (see sandbox-settings.ts for the variables). */
  sandbox: SandboxSettings;
  /** Per-build bounds: memory, cpu, processes, time, disk (see sandbox-settings.ts for the variables). */
  builds: BuildLimits;
  limits: LimitSettings;
  imagePolicy: ImagePolicy;
  /** The Fargate price dev mode estimates runs at, and the monthly budget (readCostSettings). */
  costs: CostSettings;
  alerts: AlertSettings;
  /** Builds at once, shared fairly between owners (BUILD_CONCURRENCY, local/images/build-queue.ts). */
  buildConcurrency: number;
  /** Garbage collection: s between two collections (GC_INTERVAL_SECONDS, 600; 0: no timer), and s an exited container is left alone (GC_CONTAINER_GRACE_SECONDS, 600). */
  gc: { intervalSeconds: number; containerGraceSeconds: number };
}

/** s between two garbage collections unless GC_INTERVAL_SECONDS says otherwise (10 min). */
export const DEFAULT_GC_INTERVAL_SECONDS = 600;

/** `iss` and `aud` of dev mode's tokens unless JWT_ISSUER / JWT_AUDIENCE say otherwise. */
const DEFAULT_CLAIMS = { issuer: 'containerizer-local', audience: 'containerizer' };

/**
 * Reads the settings and creates DATA_DIR.
 * @throws ConfigurationError naming the variables (e.g. a partial OIDC configuration, a short JWT_SECRET).
 */
export function loadConfig(env: Env = process.env): LocalConfig {
  const read = envReader(env);
  const { claims, ...auth } = readAuthSettings(env, DEFAULT_CLAIMS);
  const dataDir = resolve(read.optional(ENV.DATA_DIR) ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  return {
    port: Number(read.optional(ENV.PORT) ?? 3000),
    host: read.optional(ENV.HOST) ?? '127.0.0.1',
    dataDir,
    sandbox: sandboxSettingsFrom(env),
    builds: buildLimitsFrom(env),
    instanceId: kept(join(dataDir, 'instance-id'), () => randomUUID()),
    auth: {
      ...auth,
      ...claims,
      secret: signingKey(read.optional(ENV.JWT_SECRET) ?? kept(join(dataDir, 'jwt-secret'), () => randomBytes(32).toString('base64url')), [ENV.JWT_SECRET]),
    },
    imagePolicy: readImagePolicy(env),
    limits: readLimitSettings(env),
    costs: readCostSettings(env, 'estimate'),
    alerts: readAlertSettings(env, 'dev'),
    buildConcurrency: read.positiveInt(ENV.BUILD_CONCURRENCY, DEFAULT_BUILD_CONCURRENCY),
    gc: {
      intervalSeconds: read.wholeNumber(ENV.GC_INTERVAL_SECONDS, DEFAULT_GC_INTERVAL_SECONDS),
      containerGraceSeconds: read.wholeNumber(ENV.GC_CONTAINER_GRACE_SECONDS, CONTAINER_GRACE_MS / 1000),
    },
  };
}

/** A value generated on first use and kept (mode 0600), so it survives restarts (the JWT secret: a 256-bit one). */
function kept(path: string, generate: () => string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    const value = generate();
    writeFileSync(path, value, { mode: 0o600, flag: 'wx' });
    return value;
  }
}
