/**
 * The embedded DynamoDB of dev mode: dynalite serving the DynamoDB protocol on a loopback
 * port, persisted under a directory, with the platform's table created on first start. It runs
 * in the server's process, behind a guard (dynalite-guard.ts) so that no request can throw out
 * of it and end the process.
 */
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '../shared/table.js';
import { createDb, type Db } from '../shared/store/db.js';
import { guardDynalite } from './dynalite-guard.js';

export interface EmbeddedDynamo {
  db: Db;
  endpoint: string;
  close(): Promise<void>;
}

/** Where a running server's dynalite says its endpoint: `<path>.endpoint` (the operator's command, local/admin.ts, reaches the store through it). */
export const endpointFileOf = (path: string) => `${path}.endpoint`;

/** Starts dynalite on 127.0.0.1 (a free port) over `path` and makes sure `tableName` exists; its endpoint is written to endpointFileOf(path). */
export async function startDynalite(path: string, tableName: string): Promise<EmbeddedDynamo> {
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
  try {
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  } finally {
    raw.destroy();
  }
  const db = createDb(tableName, clientConfig);
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
