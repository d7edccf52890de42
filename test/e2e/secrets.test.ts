/**
 * Secrets over real HTTP on the real Docker engine (dev mode): a job receives its secret (it prints
 * the length), the run records the version it received, the API's responses, the run's logs (also a
 * line split across events, also followed live) and its result never show the value, versions bump, a delete is refused while an app uses it, and neither the data
 * directory's files nor the table's items hold the plaintext.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite } from '../../local/store/dynalite.js';
import { TABLE_NAME } from '../../local/server.js';
import { waitForRelease } from '../support/docker.js';
import { sampleApp } from '../support/fixtures.js';
import { signedIn, startServer, waitForTerminal, type Client, type RunningServer } from '../support/server.js';
import { sseEvents } from '../support/sse.js';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secrets', () => {
  let server: RunningServer;
  let alice: Client;
  let bob: Client;
  // Random, so that nothing else in the data directory can hold it by chance.
  const first = `pw-${randomBytes(12).toString('hex')}`;
  const second = `pw-${randomBytes(16).toString('hex')}`;
  // The one value a job prints: its run's log file holds it (the job's own output), the API masks it.
  const leaked = `tok-${randomBytes(10).toString('hex')}`;
  // The value a job prints across a split line, follows live and writes into its result: masked in each, and the table holds it nowhere.
  const reported = `rep-${randomBytes(12).toString('hex')}`;
  const responses: string[] = [];

  const call = async (client: Client, method: string, path: string, body?: unknown) => {
    const reply = await client.call(method, path, body);
    responses.push(JSON.stringify(reply.body) ?? '');
    return reply;
  };

  async function runToEnd(appId: string) {
    const started = await call(alice, 'POST', `/apps/${appId}/runs`);
    expect(started.status).toBe(202);
    const done = await waitForTerminal(alice, started.body.runId);
    responses.push(JSON.stringify(done));
    await waitForRelease(done.runId);
    const logs = await call(alice, 'GET', `/runs/${done.runId}/logs?limit=100`);
    return { done, lines: logs.body.events.map((e: { message: string }) => e.message) as string[] };
  }

  beforeAll(async () => {
    server = await startServer();
    [alice, bob] = await Promise.all([signedIn(server.url), signedIn(server.url)]);
  });
  afterAll(() => server?.stop());

  it('keeps a value write-only and versioned, hands it to the job, records the version, masks it in the logs', async () => {
    const created = await call(alice, 'POST', '/secrets', { name: 'db-pass', value: first });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'db-pass', version: 1 });
    expect(created.headers.get('location')).toBe('/secrets/db-pass');
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'name', 'ownerId', 'updatedAt', 'updatedBy', 'version']);
    expect((await call(alice, 'POST', '/secrets', { name: 'db-pass', value: 'x' })).status).toBe(409);
    expect((await call(alice, 'POST', '/secrets', { name: 'api-token', value: leaked })).status).toBe(201);

    const app = await call(alice, 'POST', '/apps', {
      ...sampleApp({ command: ['sh', '-c', 'echo "len=${#DB_PASSWORD}"; echo "leak: $API_TOKEN!"'] }),
      secrets: { DB_PASSWORD: 'db-pass', API_TOKEN: 'api-token' },
    });
    expect(app.status).toBe(201);
    expect(app.body.secrets).toEqual({ DB_PASSWORD: 'db-pass', API_TOKEN: 'api-token' });

    const one = await runToEnd(app.body.appId);
    expect(one.done).toMatchObject({
      status: 'SUCCEEDED',
      secretVersions: { DB_PASSWORD: { name: 'db-pass', version: 1 }, API_TOKEN: { name: 'api-token', version: 1 } },
    });
    expect(one.lines).toEqual([`len=${first.length}`, 'leak: ***!']);

    const updated = await call(alice, 'PUT', '/secrets/db-pass', { value: second });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    expect(updated.headers.get('etag')).toBe('"v2"');
    const two = await runToEnd(app.body.appId);
    expect(two.done.status).toBe('SUCCEEDED');
    expect(two.done.secretVersions).toEqual({ DB_PASSWORD: { name: 'db-pass', version: 2 }, API_TOKEN: { name: 'api-token', version: 1 } });
    expect(two.lines).toEqual([`len=${second.length}`, 'leak: ***!']);
    // The first run's logs are still masked, with the versions it received.
    expect((await call(alice, 'GET', `/runs/${one.done.runId}/logs`)).body.events.map((e: { message: string }) => e.message)).toContain('leak: ***!');

    const listed = await call(alice, 'GET', '/secrets');
    expect(listed.body.items).toEqual([expect.objectContaining({ name: 'api-token', version: 1 }), expect.objectContaining({ name: 'db-pass', version: 2 })]);
    expect((await call(alice, 'GET', '/secrets/db-pass')).body.version).toBe(2);
    expect((await call(bob, 'GET', '/secrets/db-pass')).status).toBe(404);
    expect((await call(bob, 'GET', '/secrets')).body.items).toEqual([]);

    // Refused while the app uses it, naming the app; allowed once the app no longer does.
    const refused = await call(alice, 'DELETE', '/secrets/db-pass');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(app.body.name);
    expect((await call(alice, 'PATCH', `/apps/${app.body.appId}`, { secrets: {} })).status).toBe(200);
    expect((await call(alice, 'DELETE', '/secrets/db-pass')).status).toBe(204);
    expect((await call(alice, 'GET', '/secrets/db-pass')).status).toBe(404);
    // The name is free again; the new secret starts at version 1 (and stays, for the scan below).
    expect((await call(alice, 'POST', '/secrets', { name: 'db-pass', value: second })).body.version).toBe(1);

    for (const body of responses) for (const value of [first, second, leaked]) expect(body).not.toContain(value);
  });

  it('masks the value in the result (values, keys, metrics), in a line split at 16 KiB, and in the live follow', async () => {
    expect((await call(alice, 'POST', '/secrets', { name: 'reported', value: reported })).status).toBe(201);
    // 16,380 bytes and then the value: the line is split at 16 KiB (log-encoder.ts) four characters into it.
    const script = [
      'echo "plain: $TOKEN"',
      'head -c 16380 /dev/zero | tr "\\0" a; echo "$TOKEN tail"',
      'body="{\\"token\\": \\"$TOKEN\\", \\"$TOKEN\\": 7, \\"note\\": \\"x $TOKEN y\\", \\"n\\": 3}"',
      'wget -q -O /dev/null --header "authorization: Bearer $CONTAINERIZER_RUN_TOKEN" --header "content-type: application/json" --post-data "$body" "$CONTAINERIZER_RESULT_URL" && echo posted',
    ].join('\n');
    const app = await call(alice, 'POST', '/apps', { ...sampleApp({ command: ['sh', '-c', script] }), secrets: { TOKEN: 'reported' } });
    expect(app.status).toBe(201);
    const started = await call(alice, 'POST', `/apps/${app.body.appId}/runs`);
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;

    // Followed live from its start (page after page as the output comes) until the stream ends with the run.
    const res = await fetch(`${server.url}/runs/${runId}/logs`, { headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream' } });
    const followed: string[] = [];
    for await (const event of sseEvents(res)) {
      responses.push(event.data);
      if (event.event === 'log') followed.push(JSON.parse(event.data).message as string);
    }
    const done = await waitForTerminal(alice, runId);
    responses.push(JSON.stringify(done));
    expect(done.status).toBe('SUCCEEDED');
    await waitForRelease(runId);

    const split = `${'a'.repeat(16_380)}*** tail`;
    expect(followed.join('\n')).toContain('plain: ***');
    expect(followed.join('')).toContain(split);
    const page = await call(alice, 'GET', `/runs/${runId}/logs?limit=100`);
    const lines = page.body.events.map((e: { message: string }) => e.message) as string[];
    // The split line stays two events (the first of 16 KiB), the value masked across them.
    expect(lines.filter((line) => line !== 'posted')).toEqual(['plain: ***', `${'a'.repeat(16_380)}***`, ' tail']);

    const run = await call(alice, 'GET', `/runs/${runId}`);
    expect(run.body.result).toEqual({ token: '***', '***': 7, note: 'x *** y', n: 3 });
    // The value named a metric: stored masked, so no series carries its name.
    expect((await call(alice, 'GET', `/apps/${app.body.appId}/metrics?name=${reported}`)).body.items).toEqual([]);
    expect((await call(alice, 'GET', `/apps/${app.body.appId}/metrics?name=n`)).body.items).toEqual([expect.objectContaining({ runId, value: 3 })]);

    for (const body of responses) expect(body).not.toContain(reported);
    // Nor do the pieces of a split line, read together.
    expect(lines.join('')).not.toContain(reported);
    expect(followed.join('')).not.toContain(reported);
  });

  it('refuses apps whose secrets do not exist, are another owner’s, clash with env or take the platform’s names', async () => {
    expect((await call(bob, 'POST', '/secrets', { name: 'bobs', value: 'bob-secret-value' })).status).toBe(201);
    const bad = async (secrets: Record<string, string>, env: Record<string, string> = {}) => {
      const reply = await call(alice, 'POST', '/apps', { ...sampleApp({ env }), secrets });
      expect(reply.status).toBe(400);
      return reply.body.errors as { field: string; message: string }[];
    };
    expect(await bad({ TOKEN: 'nope' })).toEqual([{ field: 'secrets.TOKEN', message: 'you have no secret named "nope"' }]);
    expect(await bad({ TOKEN: 'bobs' })).toEqual([{ field: 'secrets.TOKEN', message: 'you have no secret named "bobs"' }]);
    expect((await bad({ TOKEN: 'bobs' }, { TOKEN: 'x' }))[0]!.field).toBe('secrets.TOKEN');
    expect((await bad({ CONTAINERIZER_RUN_ID: 'bobs' }))[0]!.field).toBe('secrets.CONTAINERIZER_RUN_ID');
    expect((await bad({ '1BAD': 'bobs' }))[0]!.field).toBe('secrets.1BAD');
    expect((await call(alice, 'POST', '/secrets', { name: '../x', value: 'v' })).status).toBe(400);
    expect((await call(alice, 'POST', '/secrets', { name: 'big', value: 'x'.repeat(65_537) })).status).toBe(400);
    expect((await call(alice, 'POST', '/secrets', { name: 'empty', value: '' })).status).toBe(400);
  });

  it('keeps no plaintext in the data directory or the table items (and the key file apart, 0600)', async () => {
    await server.stop();
    const keyFile = join(server.dataDir, 'secrets.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    for (const file of filesUnder(server.dataDir)) {
      const bytes = readFileSync(file);
      for (const value of [first, second, 'bob-secret-value']) expect(bytes.includes(value), `${value} in ${file}`).toBe(false);
    }
    const store = await startDynalite(join(server.dataDir, 'dynamodb'), TABLE_NAME);
    try {
      const { Items = [] } = await store.db.doc.send(new ScanCommand({ TableName: TABLE_NAME }));
      const secretItems = Items.filter((item) => String(item.pk).startsWith('SECRET#'));
      expect(secretItems.length).toBeGreaterThan(0);
      const text = JSON.stringify(Items);
      // `reported` too: the job wrote it into its result, which was masked before it was stored.
      for (const value of [first, second, 'bob-secret-value', reported]) expect(text).not.toContain(value);
    } finally {
      await store.close();
    }
  });
});
