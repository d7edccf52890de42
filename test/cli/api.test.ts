/**
 * What the CLI needs of the API, against the real dev server: a log follow resumed after dropped
 * connections repeats and loses nothing (with the `eventsource` client), the OpenAPI document
 * passes Redocly's lint, and a refused body does not break the connection's next request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeEvents } from '../../cli/follow.js';
import { droppingProxy } from '../support/dropping-proxy.js';
import { IMAGE, signedIn, startServer, waitForTerminal, type Client, type RunningServer } from '../support/server.js';

let server: RunningServer;
let client: Client;

beforeAll(async () => {
  server = await startServer();
  client = await signedIn(server.url);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('the API a client builds on', () => {
  // It once stalled now and then on a loaded machine: cli/follow.ts's wholeEvents returned from a pull with nothing to pass on
  // (a chunk with no event end in it) and the stream never pulled again; test/cli/follow.test.ts pins that down.
  it('a follow of a 20,000-line job through five dropped connections gets every line exactly once, in order (eventsource client)', async () => {
    const app = await client.post('/apps', { name: `many-${Date.now()}`, image: IMAGE, command: ['sh', '-c', 'seq 1 20000'], timeoutSeconds: 300 });
    const run = await client.post(`/apps/${app.body.appId}/runs`);
    await waitForTerminal(client, run.body.runId);
    const proxy = await droppingProxy(Number(new URL(server.url).port), 5, (n) => 50_000 + n * 123_457);
    const messages: string[] = [];
    let connections = 0;
    const end = await new Promise<unknown>((resolve, reject) => {
      const source = new EventSource(`${proxy.url}/runs/${run.body.runId}/logs`, {
        fetch: async (input, init) => {
          connections++;
          const res = await fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${client.token}` } });
          return wholeEvents(res);
        },
      });
      source.addEventListener('log', (event) => messages.push(JSON.parse(event.data).message));
      source.addEventListener('end', (event) => (source.close(), resolve(JSON.parse(event.data))));
      source.addEventListener('error', (event) => source.readyState === EventSource.CLOSED && reject(new Error(`follow refused: ${JSON.stringify(event)}`)));
    });
    proxy.close();
    expect(end).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(messages.length).toBe(20_000);
    expect(messages).toEqual(Array.from({ length: 20_000 }, (_, i) => String(i + 1)));
    expect(proxy.dropped()).toBe(5);
    // The first connection, one after each drop, and any at a ~1 MiB response boundary.
    expect(connections).toBeGreaterThanOrEqual(6);
  });

  it('serves an OpenAPI document that Redocly lints with no error (offline)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'containerizer-openapi-')), 'openapi.json');
    const res = await fetch(`${server.url}/openapi.json`);
    writeFileSync(file, await res.text());
    const redocly = join(import.meta.dirname, '../../node_modules/.bin/redocly');
    const result = await promisify(execFile)(redocly, ['lint', file, '--format', 'json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout: string; stderr: string }) => err);
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { totals: { errors: number }; problems: unknown[] };
    expect(report.totals.errors, JSON.stringify(report.problems, null, 1)).toBe(0);
    const doc = JSON.parse(await (await fetch(`${server.url}/openapi.json`)).text());
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string; tags?: string[]; security?: unknown[] }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toBeTruthy();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(op.security, `${method} ${path}`).toBeDefined();
      }
    }
    expect(doc.paths['/apps/{appId}'].patch.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'if-match' }));
    expect(doc.paths['/runs/{runId}/logs'].get.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'last-event-id' }));
    expect(doc.paths['/apps/{appId}/runs'].post.responses).toHaveProperty('429.headers.Retry-After');
    expect(doc.paths['/apps'].post.responses).toHaveProperty('201.headers.ETag');
    expect(doc.paths['/apps'].post.responses).toHaveProperty('413');
    expect(doc.paths['/apps'].post.responses).toHaveProperty('415');
    expect(doc.paths['/apps'].get.responses).toHaveProperty('401.headers.WWW-Authenticate');
    expect(doc.paths['/auth/login'].post.security).toEqual([]);
  }, 120_000);

  it('a 413 closes the connection (the unread body is on it) and no 100 Continue invites a body that will be refused', async () => {
    const { port } = new URL(server.url);
    const exchange = async (request: string, until: (text: string) => boolean) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      let closed = false;
      socket.on('data', (d) => (text += d));
      const ended = new Promise<void>((resolve) => socket.on('close', () => ((closed = true), resolve())));
      socket.write(request);
      await new Promise<void>((resolve) => {
        const check = () => (until(text) || closed ? resolve() : setTimeout(check, 20));
        check();
      });
      return { text: () => text, closed: () => closed, ended, socket };
    };
    const big = 2 * 1024 * 1024;
    const tooLarge = await exchange(`POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${big}\r\n\r\n{"name":`, (t) =>
      t.includes('}'),
    );
    expect(tooLarge.text()).toMatch(/^HTTP\/1\.1 413 /);
    expect(tooLarge.text().toLowerCase()).toContain('connection: close');
    // The server closes the connection instead of reading the 2 MiB as a next request.
    await tooLarge.ended;

    const expecting = await exchange(
      `POST /apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${big}\r\n\r\n`,
      (t) => t.includes('}'),
    );
    expect(expecting.text()).toMatch(/^HTTP\/1\.1 413 /);
    expect(expecting.text()).not.toContain('100 Continue');
    await expecting.ended;

    // A body within the limit is invited, and the same connection serves the next request.
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' });
    const small = await exchange(
      `POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`,
      (t) => t.includes('100 Continue'),
    );
    expect(small.text()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    small.socket.write(body);
    small.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => {
      const check = () => (/HTTP\/1\.1 401[\s\S]*HTTP\/1\.1 200/.test(small.text()) ? resolve() : setTimeout(check, 20));
      check();
    });
    small.socket.destroy();
  }, 60_000);
});
