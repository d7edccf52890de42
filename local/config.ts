/**
 * Dev mode's settings, from the environment:
 * PORT (3000), HOST (127.0.0.1), DATA_DIR (.data), JWT_SECRET (else generated once and kept
 * in DATA_DIR/jwt-secret), JWT_ISSUER, JWT_AUDIENCE, ADMIN_EMAILS (comma-separated),
 * OIDC_JWKS_URL + OIDC_ISSUER + OIDC_AUDIENCE (accept an OpenID provider's tokens too).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOKEN_LIFETIMES, type AuthConfig } from '../shared/services/auth.js';
import { sandboxSettingsFrom, type SandboxSettings } from './sandbox-settings.js';

export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  auth: AuthConfig;
  /** Per-run bounds: log volume, writable layer (see sandbox-settings.ts for the variables). */
  sandbox: SandboxSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const dataDir = resolve(env.DATA_DIR ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const { OIDC_JWKS_URL, OIDC_ISSUER, OIDC_AUDIENCE } = env;
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    sandbox: sandboxSettingsFrom(env),
    auth: {
      secret: new TextEncoder().encode(env.JWT_SECRET || keptSecret(join(dataDir, 'jwt-secret'))),
      issuer: env.JWT_ISSUER ?? 'containerizer-local',
      audience: env.JWT_AUDIENCE ?? 'containerizer',
      ...TOKEN_LIFETIMES,
      adminEmails: (env.ADMIN_EMAILS ?? '')
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
      oidc: OIDC_JWKS_URL && OIDC_ISSUER && OIDC_AUDIENCE ? { jwksUrl: OIDC_JWKS_URL, issuer: OIDC_ISSUER, audience: OIDC_AUDIENCE } : undefined,
    },
  };
}

/** A 256-bit secret generated on first use and kept (mode 0600), so tokens survive restarts. */
function keptSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}
