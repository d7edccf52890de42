/**
 * Dev mode's table and the index upgrade: dynalite cannot create or delete an index on an existing
 * table, so a data directory an earlier release made keeps its indexes (everything projected) and
 * the listings read those; a new data directory gets this release's. Either way a listing returns
 * whole items.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/store/dynalite.js';
import { queryPage } from '../../shared/store/db.js';
import { indexAttributes, indexKeys, keys, partitionQuery } from '../../shared/table.js';
import { createTableInput, FINAL_INDEX_STEP, readsAt } from '../../shared/table-indexes.js';

const TABLE = 'containerizer';
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'containerizer-dynalite-indexes-'));
const app = (appId: string) => ({
  ...keys.app(appId),
  ...indexAttributes(appId, indexKeys.appsOfOwner('U'), indexKeys.allApps()),
  appId,
  ownerId: 'U',
  name: `app-${appId}`,
  image: 'busybox',
});

/** Makes the table in `dir` with the indexes of `step`, as that release's dev server did, and closes it. */
async function makeTable(dir: string, step: number): Promise<void> {
  const raw = dynalite({ path: dir, createTableMs: 0 });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(raw.address() as { port: number }).port}`,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(new CreateTableCommand(createTableInput(TABLE, step)));
  client.destroy();
  await new Promise((resolve) => raw.close(resolve));
}

describe("dev mode's indexes", () => {
  it.each([
    ['a data directory of the previous release: its indexes, everything projected', 0],
    ['a new data directory: this release’s indexes', FINAL_INDEX_STEP],
  ])('%s', async (_, step) => {
    const dir = dataDir();
    if (step === 0) await makeTable(dir, 0);
    const dynamo = await startDynalite(dir, TABLE);
    try {
      expect(Object.values(dynamo.db.indexes).map((index) => index.name)).toEqual(Object.values(readsAt(step)).map((index) => index.name));
      for (const appId of ['A1', 'A2']) await dynamo.db.doc.send(new PutCommand({ TableName: TABLE, Item: app(appId) }));
      const page = await queryPage<{ appId: string; name: string; image: string }>(dynamo.db, partitionQuery(indexKeys.appsOfOwner('U')));
      expect(page.items.map(({ appId, name, image }) => ({ appId, name, image }))).toEqual([
        { appId: 'A1', name: 'app-A1', image: 'busybox' },
        { appId: 'A2', name: 'app-A2', image: 'busybox' },
      ]);
    } finally {
      await dynamo.close();
    }
  });
});
