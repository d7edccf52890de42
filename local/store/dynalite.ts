/**
 * The embedded DynamoDB of dev mode: dynalite serving the DynamoDB protocol on a loopback
 * port, persisted under a directory, with the platform's table created on first start. It runs
 * in the server's process, behind a guard (dynalite-guard.ts) so that no request can throw out
 * of it and end the process.
 */
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput, readsOfTable } from '../../shared/table-indexes.js';
import { createDb, type Db } from '../../shared/store/db.js';
import { guardDynalite } from './dynalite-guard.js';

export interface EmbeddedDynamo {
  db: Db;
  endpoint: string;
  close(): Promise<void>;
}

/** Where a running server's dynalite says its endpoint: `<path>.endpoint` (the operator's command, local/admin.ts, reaches the store through it). */
export const endpointFileOf = (path: string) => `${path}.endpoint`;

/** The iterator base class of an abstract-level store (its prototype's prototype is the one every iterator kind shares). */
interface AbstractLevelModule {
  AbstractIterator: { prototype: object };
}

/**
 * Makes dynalite close the LevelDB iterator behind each of its Query and Scan streams. dynalite
 * (4.0.0) ends such an iterator with `iterator.return()`, which abstract-level's iterators lack,
 * and abstract-level closes an iterator only on `close()`, not when it reaches the end of its
 * range (abstract-level README, "iterator.close()": "must be called"). Every query therefore left
 * its iterator open, and an open LevelDB iterator pins the snapshot it reads (memtables, table
 * blocks) in native memory: the dev server's resident memory grew with each query, outside the
 * capped JavaScript heap, and was never given back. Giving the iterators the `return()` dynalite
 * calls — a close, as an async iterator's `return()` is — lets each stream's destroy (at its end,
 * or when a Limit stops it early) close its iterator. Applied to the abstract-level copy that
 * dynalite's stores load; idempotent.
 */
export function closeDynaliteIterators(): void {
  for (const shared of dynaliteIteratorPrototypes()) {
    if (typeof shared.return === 'function') continue;
    Object.defineProperty(shared, 'return', {
      value: function (this: { close(): Promise<void> }) {
        return this.close();
      },
      configurable: true,
      writable: true,
    });
  }
}

/** The prototype every iterator of dynalite's stores shares: of the abstract-level copies its on-disk (level → classic-level) and in-memory (memory-level) stores load. */
export function dynaliteIteratorPrototypes(): Set<Record<string, unknown>> {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const prototypes = new Set<Record<string, unknown>>();
  for (const store of [['level', 'classic-level'], ['memory-level']]) {
    let load = fromDynalite;
    for (const name of store) load = createRequire(load.resolve(name));
    prototypes.add(Object.getPrototypeOf((load('abstract-level') as AbstractLevelModule).AbstractIterator.prototype) as Record<string, unknown>);
  }
  return prototypes;
}

/**
 * Starts dynalite on 127.0.0.1 (a free port) over `path` and makes sure `tableName` exists; its endpoint is written to endpointFileOf(path).
 * Listings read the indexes the table has (this release's on a new table, table-indexes.ts readsOfTable).
 */
export async function startDynalite(path: string, tableName: string): Promise<EmbeddedDynamo> {
  closeDynaliteIterators();
  const server: Server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [handler] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', guardDynalite(handler!));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // dynalite checks no signatures; the SDK still wants credentials and a region to sign with.
  const clientConfig = { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const raw = new DynamoDBClient(clientConfig);
  let reads;
  try {
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  try {
    // A table an earlier release made keeps its indexes (dynalite cannot create or delete one): read the ones it has.
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: tableName }));
    reads = readsOfTable((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName!));
  } finally {
    raw.destroy();
  }
  const db = createDb(tableName, clientConfig, reads);
  // The database files lock the directory while the server runs: another process can only reach the store through this endpoint.
  await writeFile(endpointFileOf(path), endpoint, { mode: 0o600 });
  return {
    db,
    endpoint,
    close: async () => {
      db.doc.destroy();
      await rm(endpointFileOf(path), { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
