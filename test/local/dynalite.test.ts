/**
 * Dev mode's embedded DynamoDB (local/store/dynalite.ts) behind its guard (local/store/dynalite-guard.ts),
 * in this process, as the server runs it: an attribute nested past DynamoDB's 32 levels is
 * refused as DynamoDB refuses it (dynalite itself overflowed its stack on ~900 levels and ended
 * the process), whatever dynalite throws is answered, not thrown, and a data directory that
 * already holds a deeply nested item (written before the guard) is read without harm.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, request, type RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeNesting, guardDynalite, NESTING_MESSAGE } from '../../local/store/dynalite-guard.js';
import { startDynalite, type EmbeddedDynamo } from '../../local/store/dynalite.js';
import { ClientError } from '../../shared/errors.js';
import { createDb } from '../../shared/store/db.js';
import { createTableInput } from '../../shared/table-indexes.js';

const TABLE = 'containerizer';
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'containerizer-dynalite-'));

/** A value of `maps` single-key maps nested in one another around a number: as an attribute, `maps` levels of Map. */
const nested = (maps: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < maps; i++) value = { a: value };
  return value;
};

async function refusal(promise: Promise<unknown>): Promise<ClientError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClientError);
  return err as ClientError;
}

describe('attributeNesting', () => {
  it("counts Map and List values, a top-level attribute's own counting 1", () => {
    expect(attributeNesting({ Item: { pk: { S: 'p' } } })).toBe(0);
    expect(attributeNesting({ Item: { v: { M: { a: { L: [{ M: { b: { N: '1' } } }] } } } } })).toBe(3);
    // A map key named M or L inside a map is a key, not a wrapper.
    expect(attributeNesting({ Item: { v: { M: { M: { S: 'x' }, L: { S: 'y' } } } } })).toBe(1);
    const deep = JSON.parse('{"Item":{"v":' + '{"M":{"a":'.repeat(100_000) + '{"N":"1"}' + '}}'.repeat(100_000) + '}}');
    expect(attributeNesting(deep)).toBe(100_000);
  });
});

describe('embedded dynalite', () => {
  let dynamo: EmbeddedDynamo;
  const key = { pk: 'p', sk: 's' };
  beforeAll(async () => {
    dynamo = await startDynalite(dataDir(), TABLE);
  });
  afterAll(() => dynamo?.close());

  it('takes 31 levels of Map and refuses 32 and 1,500 with DynamoDB’s ValidationException (a 400), and keeps answering', async () => {
    const { doc } = dynamo.db;
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...key, v: nested(31) } }));
    for (const maps of [32, 1500]) {
      const put = await refusal(doc.send(new PutCommand({ TableName: TABLE, Item: { ...key, v: nested(maps) } })));
      expect(put.status).toBe(400);
      expect(put.message).toContain(NESTING_MESSAGE);
      const update = await refusal(
        doc.send(new UpdateCommand({ TableName: TABLE, Key: key, UpdateExpression: 'SET w = :w', ExpressionAttributeValues: { ':w': nested(maps) } })),
      );
      expect(update.status).toBe(400);
    }
    expect((await doc.send(new GetCommand({ TableName: TABLE, Key: key }))).Item?.v).toEqual(nested(31));
  });

  it('refuses numbers the marshaller or DynamoDB refuse with a 400, never a 500', async () => {
    for (const n of [Infinity, 2 ** 60, 1e-200]) {
      const err = await refusal(dynamo.db.doc.send(new PutCommand({ TableName: TABLE, Item: { ...key, n } })));
      expect(err.status).toBe(400);
    }
  });
});

describe('the guard', () => {
  /** One request to a server running `listener` behind the guard: status and body, or the socket error. */
  async function call(listener: RequestListener, body: string, abort = false): Promise<{ status?: number; body?: string; error?: string }> {
    const server = createServer(guardDynalite(listener));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      return await new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0' } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode, body: text }));
        });
        req.on('error', (err) => resolve({ error: err.message }));
        if (abort) {
          req.write(body);
          setImmediate(() => req.destroy());
        } else req.end(body);
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('answers InternalServerError when the handler throws, instead of ending the process', async () => {
    const throwing: RequestListener = (req) => {
      req.on('end', () => {
        throw new RangeError('Maximum call stack size exceeded');
      });
    };
    const reply = await call(throwing, '{}');
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body!).__type).toMatch(/InternalServerError$/);
  });

  it('replays the body to dynalite unchanged', async () => {
    const echo: RequestListener = (req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d));
      req.on('end', () => res.end(`${req.method} ${text}`));
    };
    expect(await call(echo, '{"TableName":"t"}')).toEqual({ status: 200, body: 'POST {"TableName":"t"}' });
  });

  it('survives a client that goes away mid-request', async () => {
    let calls = 0;
    const counting: RequestListener = (_req, res) => {
      calls++;
      res.end();
    };
    await call(counting, '{"TableName":', true);
    expect(calls).toBe(0);
  });
});

describe('a data directory written before the guard', () => {
  it('holds an item nested 800 levels deep; started again behind the guard, the item is read and written around', async () => {
    const dir = dataDir();
    // Unguarded, as main stored it: dynalite validates ~850 levels before overflowing its stack.
    const raw = dynalite({ path: dir, createTableMs: 0 });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const config = { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const client = new DynamoDBClient(config);
    await client.send(new CreateTableCommand(createTableInput(TABLE)));
    client.destroy();
    const old = createDb(TABLE, config);
    await old.doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'RUN#x', sk: 'RUN', result: nested(800) } }));
    old.doc.destroy();
    await new Promise((resolve) => raw.close(resolve));

    const dynamo = await startDynalite(dir, TABLE);
    try {
      const { doc } = dynamo.db;
      const item = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'RUN#x', sk: 'RUN' } }));
      expect(item.Item?.result).toEqual(nested(800));
      const page = await doc.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'RUN#x' } }));
      expect(page.Items).toHaveLength(1);
      await doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: 'RUN#x', sk: 'RUN' },
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'FAILED' },
        }),
      );
    } finally {
      await dynamo.close();
    }
  });
});
