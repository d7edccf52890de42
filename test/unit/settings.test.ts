import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../local/config.js';
import { cloudAuthConfig } from '../../shared/cloud-platform.js';
import { readCloudConfig } from '../../shared/cloud-config.js';
import { ConfigurationError, envReader } from '../../shared/env-reader.js';
import { DEFAULT_LIMITS, readAuthSettings, readLimitSettings, signingKey } from '../../shared/settings.js';
import { functionEnvironment } from '../functions/support.js';

const OIDC = { OIDC_JWKS_URL: 'https://id.example.com/jwks', OIDC_ISSUER: 'https://id.example.com/', OIDC_AUDIENCE: 'containerizer' };
const DEFAULTS = { issuer: 'containerizer-local', audience: 'containerizer' };

const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-settings-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The auth configuration each composition makes of `env`: dev mode's loadConfig, the cloud's (the api's variables under `env`). */
const compositions = {
  'dev mode': async (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env }).auth,
  cloud: (env: Record<string, string>) => cloudAuthConfig(readCloudConfig({ ...functionEnvironment('http://127.0.0.1:9'), ...env })),
};

describe('envReader', () => {
  const read = envReader({ SUBNET_IDS: ' subnet-a, ,subnet-b ', ASSIGN_PUBLIC_IP: 'yes', TABLE_NAME: '' });

  it('treats an empty value as unset and names the variable it refuses', () => {
    expect(read.optional('TABLE_NAME')).toBeUndefined();
    expect(() => read.required('TABLE_NAME')).toThrow(new ConfigurationError(['TABLE_NAME'], 'environment variable TABLE_NAME is not set'));
    expect(() => read.required('TABLE_NAME')).toThrow(expect.objectContaining({ name: 'ConfigurationError', variables: ['TABLE_NAME'] }));
  });

  it('splits comma lists, trims them and drops empty entries; a required list needs an entry', () => {
    expect(read.list('SUBNET_IDS')).toEqual(['subnet-a', 'subnet-b']);
    expect(read.list('SECURITY_GROUP_IDS')).toEqual([]);
    expect(() => read.list('SECURITY_GROUP_IDS', { required: true })).toThrow('environment variable SECURITY_GROUP_IDS is not set');
  });

  it('accepts one of the allowed values, the fallback when unset, and nothing else', () => {
    expect(() => read.oneOf('ASSIGN_PUBLIC_IP', ['ENABLED', 'DISABLED'])).toThrow('ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, not "yes"');
    expect(envReader({}).oneOf('ASSIGN_PUBLIC_IP', ['ENABLED', 'DISABLED'], 'ENABLED')).toBe('ENABLED');
    expect(() => envReader({}).oneOf('ASSIGN_PUBLIC_IP', ['ENABLED', 'DISABLED'])).toThrow('environment variable ASSIGN_PUBLIC_IP is not set');
  });
});

describe("readLimitSettings: a run's result budget", () => {
  it('reads RESULT_POSTS_PER_RUN, RESULT_POSTS_PER_MINUTE and METRICS_PER_RESULT, with documented defaults, and names a bad one', () => {
    expect(readLimitSettings({}).results).toEqual({
      postsPerRun: DEFAULT_LIMITS.resultPostsPerRun,
      postsPerMinute: DEFAULT_LIMITS.resultPostsPerMinute,
      metricsPerResult: DEFAULT_LIMITS.metricsPerResult,
    });
    expect(readLimitSettings({ RESULT_POSTS_PER_RUN: '7', RESULT_POSTS_PER_MINUTE: '2', METRICS_PER_RESULT: '5' }).results).toEqual({
      postsPerRun: 7,
      postsPerMinute: 2,
      metricsPerResult: 5,
    });
    expect(() => readLimitSettings({ RESULT_POSTS_PER_MINUTE: '0' })).toThrow('RESULT_POSTS_PER_MINUTE must be a whole number ≥ 1');
  });
});

describe('readAuthSettings', () => {
  it('reads admin e-mails lower-cased, the OpenID provider, the lifetimes and the claims', () => {
    const settings = readAuthSettings(
      { ADMIN_EMAILS: 'Boss@Example.com, ,ops@example.com', ADMIN_USER_IDS: '01J0000000000000000000000A, oidc:sub-1', JWT_ISSUER: 'me', ...OIDC },
      DEFAULTS,
    );
    expect(settings).toEqual({
      adminUserIds: ['01J0000000000000000000000A', 'oidc:sub-1'],
      adminEmails: ['boss@example.com', 'ops@example.com'],
      oidc: { jwksUrl: OIDC.OIDC_JWKS_URL, issuer: OIDC.OIDC_ISSUER, audience: OIDC.OIDC_AUDIENCE },
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 86_400,
      claims: { issuer: 'me', audience: 'containerizer' },
    });
  });

  it('requires the claims when told to, and leaves them out when unused', () => {
    expect(() => readAuthSettings({ JWT_ISSUER: 'me' }, 'required')).toThrow('environment variable JWT_AUDIENCE is not set');
    expect(readAuthSettings({}, 'unused')).not.toHaveProperty('claims');
    expect(readAuthSettings({}, 'unused').oidc).toBeUndefined();
  });

  it.each([
    [{ OIDC_ISSUER: OIDC.OIDC_ISSUER }, ['OIDC_JWKS_URL', 'OIDC_AUDIENCE']],
    [{ OIDC_JWKS_URL: OIDC.OIDC_JWKS_URL, OIDC_ISSUER: OIDC.OIDC_ISSUER }, ['OIDC_AUDIENCE']],
    [{ OIDC_AUDIENCE: OIDC.OIDC_AUDIENCE, OIDC_JWKS_URL: '' }, ['OIDC_JWKS_URL', 'OIDC_ISSUER']],
  ])('refuses a partial OpenID configuration %j, naming %j', (env, missing) => {
    expect(() => readAuthSettings(env, DEFAULTS)).toThrow(
      new ConfigurationError(
        missing as never,
        `${missing.join(', ')} not set: an external OpenID provider needs all of OIDC_JWKS_URL, OIDC_ISSUER, OIDC_AUDIENCE, or none of them`,
      ),
    );
    expect(() => readAuthSettings(env, DEFAULTS)).toThrow(expect.objectContaining({ variables: missing }));
  });
});

describe('signingKey', () => {
  it('takes 32 bytes or more, and names the source of a shorter secret', () => {
    expect(signingKey('k'.repeat(32), ['JWT_SECRET'])).toEqual(new TextEncoder().encode('k'.repeat(32)));
    // 11 characters, 33 bytes in UTF-8: the length that counts is the key's.
    expect(signingKey('€'.repeat(11), ['JWT_SECRET'])).toHaveLength(33);
    expect(() => signingKey('k'.repeat(31), ['JWT_SECRET'])).toThrow('the JWT secret (JWT_SECRET) must be at least 32 bytes');
  });
});

describe.each(Object.entries(compositions))('%s', (_mode, authOf) => {
  it('accepts a complete OpenID configuration and lower-cases the admins', async () => {
    const auth = await authOf({ ...OIDC, ADMIN_EMAILS: 'Boss@Example.com' });
    expect(auth.oidc).toEqual({ jwksUrl: OIDC.OIDC_JWKS_URL, issuer: OIDC.OIDC_ISSUER, audience: OIDC.OIDC_AUDIENCE });
    expect(auth.adminEmails).toEqual(['boss@example.com']);
  });

  it('refuses a partial OpenID configuration, naming the missing variables', async () => {
    await expect(authOf({ OIDC_JWKS_URL: OIDC.OIDC_JWKS_URL })).rejects.toMatchObject({
      name: 'ConfigurationError',
      variables: ['OIDC_ISSUER', 'OIDC_AUDIENCE'],
      message: expect.stringContaining('OIDC_ISSUER, OIDC_AUDIENCE not set'),
    });
  });

  it('refuses a JWT secret shorter than 32 bytes', async () => {
    await expect(authOf({ JWT_SECRET: 'short' })).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining('at least 32 bytes') });
  });
});

describe('dev mode', () => {
  it('defaults the claims and keeps a generated secret in DATA_DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'containerizer-settings-'));
    try {
      const { auth } = loadConfig({ DATA_DIR: dir });
      expect(auth).toMatchObject({ issuer: 'containerizer-local', audience: 'containerizer', oidc: undefined, adminEmails: [] });
      expect(auth.secret).toEqual(new TextEncoder().encode(readFileSync(join(dir, 'jwt-secret'), 'utf8')));
      expect(loadConfig({ DATA_DIR: dir }).auth.secret).toEqual(auth.secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
