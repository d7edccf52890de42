/**
 * SecretService over dev mode's real store (dynalite) and vault: concurrent new versions (one wins,
 * the others are told), every superseded version still opens for the runs pinned to it, a run's
 * versions pinned once (a relaunch keeps them), a secret gone makes its run's launch fail saying so,
 * and a secret deleted takes its version items and claims with it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSecretVault } from '../../local/secrets/local-vault.js';
import { startDynalite, type EmbeddedDynamo } from '../../local/store/dynalite.js';
import type { Principal } from '../../shared/domain.js';
import { ClientError } from '../../shared/errors.js';
import { SecretService } from '../../shared/services/secrets.js';
import { AppStore } from '../../shared/store/app-store.js';
import { SecretStore } from '../../shared/store/secret-store.js';
import { keys } from '../../shared/table.js';
import { sampleRun } from '../support/fixtures.js';

const TABLE = 'containerizer';
const alice: Principal = { userId: 'user-1', role: 'user' };

describe('SecretService on dynalite', () => {
  let dynamo: EmbeddedDynamo;
  let secrets: SecretService;
  const vault = new LocalSecretVault(Buffer.alloc(32, 3));

  beforeAll(async () => {
    dynamo = await startDynalite(join(mkdtempSync(join(tmpdir(), 'containerizer-secrets-')), 'dynamodb'), TABLE);
    secrets = new SecretService(new SecretStore(dynamo.db), new AppStore(dynamo.db), vault);
  });
  afterAll(() => dynamo?.close());

  it('lets one of concurrent new versions win, tells the others, and keeps every version for the runs pinned to it', async () => {
    await secrets.create(alice, { name: 'db-pass', value: 'value-1' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => secrets.update(alice, 'db-pass', `value-${i + 2}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const lost of results.filter((r) => r.status === 'rejected')) expect((lost as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    const current = await secrets.get(alice, 'db-pass');
    expect(current.version).toBe(1 + won.length);

    // A run pinned to version 1 still receives version 1's value.
    const run = sampleRun({
      runId: '01J0000000000000000000RUNA',
      ownerId: alice.userId,
      secrets: { DB_PASSWORD: 'db-pass' },
      secretVersions: { DB_PASSWORD: { name: 'db-pass', version: 1 } },
    });
    await dynamo.db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...keys.run(run.runId), ...run } }));
    const [launch] = await secrets.forLaunch(run);
    expect(await vault.reveal(launch!)).toBe('value-1');
    expect((await secrets.maskerOf(run))('pw value-1')).toBe('pw ***');
  });

  it('pins a run’s versions once: a relaunch after a new version keeps them', async () => {
    await secrets.create(alice, { name: 'token', value: 'token-1' });
    const run = sampleRun({ runId: '01J0000000000000000000RUNB', ownerId: alice.userId, secrets: { TOKEN: 'token' } });
    await dynamo.db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...keys.run(run.runId), ...run } }));
    const first = await secrets.forLaunch(run);
    expect(first.map(({ env, name, version }) => ({ env, name, version }))).toEqual([{ env: 'TOKEN', name: 'token', version: 1 }]);
    await secrets.update(alice, 'token', 'token-2');
    // The relaunch reads the run as stored; even one that lost its copy of the versions is pinned by the item.
    const again = await secrets.forLaunch(run);
    expect(again[0]!.version).toBe(1);
    expect(await vault.reveal(again[0]!)).toBe('token-1');
  });

  it('fails a launch whose secret is gone, saying which, and deletes version items and claims with the secret', async () => {
    await secrets.create(alice, { name: 'gone', value: 'gone-1' });
    await secrets.update(alice, 'gone', 'gone-2');
    await secrets.checkAppSecrets({ appId: '01J0000000000000000000APPX', ownerId: alice.userId, secrets: { X: 'gone' } });
    // The app was never written: its claim is stale, so the delete goes on and drops it.
    await secrets.delete(alice, 'gone');
    const left = await dynamo.db.doc.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.secret(alice.userId, 'gone').pk } }),
    );
    expect(left.Items).toEqual([]);
    const run = sampleRun({ runId: '01J0000000000000000000RUNC', ownerId: alice.userId, secrets: { X: 'gone' } });
    await expect(secrets.forLaunch(run)).rejects.toThrow('secret gone (X) does not exist');
    await expect(secrets.checkAppSecrets({ appId: '01J0000000000000000000APPY', ownerId: alice.userId, secrets: { X: 'gone' } })).rejects.toBeInstanceOf(
      ClientError,
    );
  });
});
