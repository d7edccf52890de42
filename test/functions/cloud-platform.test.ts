import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudPlatform } from '../../shared/cloud-platform.js';
import { functionEnvironment } from './support.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:JwtSecret-AbCdEf';
const SECRET = 'k'.repeat(64);
const secrets = mockClient(SecretsManagerClient);
afterEach(() => secrets.reset());

/** The api's environment with one change; nothing here reaches DynamoDB. */
function env(changes: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...functionEnvironment('http://127.0.0.1:9'), ...changes };
}

/** A built-in access token for user-1, signed with `secret`. */
function accessToken(secret: string): Promise<string> {
  return new SignJWT({ email: 'owner@example.com', role: 'user', token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('containerizer')
    .setAudience('containerizer-api')
    .setSubject('user-1')
    .setJti('01HZX3K4M5N6P7Q8R9S0T1V2W3')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

describe('createCloudPlatform', () => {
  it.each([
    [{ CLUSTER_ARN: undefined }, 'environment variable CLUSTER_ARN is not set'],
    [{ TABLE_NAME: '' }, 'environment variable TABLE_NAME is not set'],
    [{ ASSIGN_PUBLIC_IP: 'yes' }, 'ASSIGN_PUBLIC_IP must be ENABLED or DISABLED, not "yes"'],
    [{ JWT_AUDIENCE: undefined }, 'environment variable JWT_AUDIENCE is not set'],
    [{ SUBNET_IDS: ' , ' }, 'environment variable SUBNET_IDS is not set'],
    [{ OIDC_ISSUER: 'https://id.example.com/' }, 'OIDC_JWKS_URL, OIDC_AUDIENCE not set: an external OpenID provider needs all of'],
    [{ JWT_SECRET: 'short' }, 'the JWT secret (JWT_SECRET_ARN or JWT_SECRET) must be at least 32 bytes'],
  ])('refuses %j, naming the variable', async (changes, message) => {
    await expect(createCloudPlatform(env(changes))).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(message) });
  });

  it('reads the JWT secret from Secrets Manager once, and again only after a failed read', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(new Error('connect ETIMEDOUT')).resolves({ SecretString: SECRET });
    const apiEnv = env({ JWT_SECRET: undefined, JWT_SECRET_ARN: SECRET_ARN });

    await expect(createCloudPlatform(apiEnv)).rejects.toThrow('connect ETIMEDOUT');
    const platform = await createCloudPlatform(apiEnv);
    expect(await createCloudPlatform(apiEnv)).toBe(platform);

    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: SECRET_ARN }, { SecretId: SECRET_ARN }]);
    expect(await platform.auth.verify(await accessToken(SECRET))).toEqual({ userId: 'user-1', email: 'owner@example.com', role: 'user' });
  });

  it("builds from a function's own variables alone; tokens then fail naming the missing secret", async () => {
    const reconcilerEnv = env({
      JWT_SECRET: undefined,
      JWT_ISSUER: undefined,
      JWT_AUDIENCE: undefined,
      RULE_PREFIX: undefined,
      SCHEDULED_RUN_FUNCTION_ARN: undefined,
    });

    const platform = await createCloudPlatform(reconcilerEnv);

    await expect(platform.auth.verify(await accessToken(SECRET))).rejects.toThrow('JWT_SECRET_ARN is not set');
    expect(secrets.calls()).toEqual([]);
  });
});
