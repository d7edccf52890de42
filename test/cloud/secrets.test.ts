/**
 * The cloud's secret vault against moto through the real AWS SDK: each version a Secrets Manager
 * version read back by its VersionId, the task definition naming exactly that version in its main
 * container's `secrets`, a new version registering a new revision, the secret deleted for good.
 * Without moto this file says so and skips; on CI (CI=true) it fails instead.
 */
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskDefinitions } from '../../shared/aws/ecs-task-definitions.js';
import { ownerPart, SECRET_OWNER_TAG, SecretsManagerVault } from '../../shared/aws/secrets-manager-vault.js';
import type { LaunchableApp, RunLaunch } from '../../shared/ports.js';
import { sampleRun } from '../support/fixtures.js';
import { motoUnavailable, startMoto, type Moto } from '../support/moto.js';

const unavailable = motoUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(`moto is required on CI: ${unavailable}`);
if (unavailable) console.warn(`skipping the Secrets Manager tests: ${unavailable}`);

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const OWNER = '01J0000000000000000000OWN1';

describe.skipIf(unavailable)('secrets in Secrets Manager (moto)', () => {
  let moto: Moto;
  let sm: SecretsManagerClient;
  let ecs: ECSClient;
  let vault: SecretsManagerVault;

  beforeAll(async () => {
    moto = await startMoto();
    sm = new SecretsManagerClient({ region: REGION, credentials, endpoint: moto.endpoint });
    ecs = new ECSClient({ region: REGION, credentials, endpoint: moto.endpoint });
    vault = new SecretsManagerVault(sm, 'containerizer/test-stack');
  });
  afterAll(() => moto?.stop());

  it('keeps each version as a Secrets Manager version under the prefix, tagged with its owner, and reads each back by its id', async () => {
    const key = { ownerId: OWNER, name: 'db-pass' };
    const one = await vault.put(key, 1, 'first-value');
    const two = await vault.put(key, 2, 'second-value');
    const [v1, v2] = [JSON.parse(one), JSON.parse(two)];
    expect(v1.arn).toBe(v2.arn);
    expect(v1.versionId).not.toBe(v2.versionId);
    expect(one).not.toContain('first-value');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: v1.arn }));
    expect(described.Name).toBe(`containerizer/test-stack/${OWNER}/db-pass`);
    expect(described.Tags).toContainEqual({ Key: SECRET_OWNER_TAG, Value: OWNER });
    expect(await vault.reveal({ ...key, version: 1, stored: one })).toBe('first-value');
    expect(await vault.reveal({ ...key, version: 2, stored: two })).toBe('second-value');
  });

  it('names the pinned version in the task definition, and a new version makes a new revision', async () => {
    const key = { ownerId: OWNER, name: 'api-token' };
    const stored = await vault.put(key, 1, 'token-1');
    const app = { appId: '01J0000000000000000000APP7', name: 'report', version: 1, image: 'busybox:latest', command: [], env: {}, cpu: 0.25, memoryMiB: 512 };
    const launch = { run: sampleRun({ secrets: { API_TOKEN: 'api-token' } }), app: app as unknown as LaunchableApp } as RunLaunch;
    const injected = await vault.inject(launch, [{ ...key, env: 'API_TOKEN', version: 1, stored }]);
    const { arn, versionId } = JSON.parse(stored);
    expect(injected.app.secretRefs).toEqual([{ name: 'API_TOKEN', valueFrom: `${arn}:::${versionId}` }]);
    expect(injected.jobEnv).toBeUndefined();

    const definitions = new TaskDefinitions(ecs, { executionRoleArn: 'arn:aws:iam::123456789012:role/exec', logGroupName: '/containerizer/runs' });
    const first = await definitions.arnFor(injected.app);
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: first }));
    const main = described.taskDefinition!.containerDefinitions![0]!;
    expect(main.secrets).toEqual([{ name: 'API_TOKEN', valueFrom: `${arn}:::${versionId}` }]);
    expect(JSON.stringify(described.taskDefinition)).not.toContain('token-1');
    // The same versions: the same revision (memoized, and found by a cold start).
    expect(await definitions.arnFor(injected.app)).toBe(first);
    expect(
      await new TaskDefinitions(ecs, { executionRoleArn: 'arn:aws:iam::123456789012:role/exec', logGroupName: '/containerizer/runs' }).arnFor(injected.app),
    ).toBe(first);

    const next = await vault.put(key, 2, 'token-2');
    const bumped = await vault.inject(launch, [{ ...key, env: 'API_TOKEN', version: 2, stored: next }]);
    const second = await definitions.arnFor(bumped.app);
    expect(second).not.toBe(first);
  });

  it('deletes the secret for good, and a secret of the same name can be made again', async () => {
    const key = { ownerId: OWNER, name: 'gone' };
    const stored = await vault.put(key, 1, 'v');
    await vault.remove(key);
    await vault.remove(key);
    await expect(vault.reveal({ ...key, version: 1, stored })).rejects.toBeInstanceOf(ResourceNotFoundException);
    const again = await vault.put(key, 1, 'w');
    expect(await vault.reveal({ ...key, version: 1, stored: again })).toBe('w');
  });

  it('writes nothing without a prefix, and names owners Secrets Manager cannot spell by a hash', async () => {
    await expect(new SecretsManagerVault(sm, undefined).put({ ownerId: OWNER, name: 'x' }, 1, 'v')).rejects.toThrow('SECRETS_PREFIX');
    expect(ownerPart(OWNER)).toBe(OWNER);
    expect(ownerPart('auth0|12345')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(ownerPart('a/b')).toMatch(/^h-/);
  });
});
