/**
 * Results and bodies from an attacker, on the real dev server and Docker (issue 14): a job posts
 * a result nested 1,500 levels deep to its own result URL and leaves one in its result file
 * (on main the embedded DynamoDB overflowed its stack, the process exited, and every restart
 * exited again); numbers and keys the store refuses; a job that posts past its budget; bodies
 * whose fields the item-size check did not count; a gzip upload of gigabytes of zeros. Every
 * answer is a 4xx problem document naming the field, the server keeps answering, and it starts
 * again on the same data directory — one that already holds a deeply nested item too.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../shared/store/db.js';
import { keys } from '../../shared/table.js';
import { waitForRelease } from '../support/docker.js';
import { PYTHON_IMAGE, sampleApp } from '../support/fixtures.js';
import { Client, signedIn, startServer, waitFor, waitForTerminal, type RunningServer } from '../support/server.js';

/** The server's budget for results in this file: small, so a job reaches each limit in a few posts. */
const LIMITS = { RESULT_POSTS_PER_RUN: '3', RESULT_POSTS_PER_MINUTE: '5', METRICS_PER_RESULT: '10' };
const DEEP = 1500;

/** Python (the python image has no shell): `post(name, body)` POSTs to the run's result URL and prints {name, status, retryAfter, problem} as one JSON line. */
const POSTER = `
import json, os, time, urllib.request, urllib.error
def post(name, body):
    req = urllib.request.Request(os.environ['CONTAINERIZER_RESULT_URL'], data=body.encode(), method='POST',
        headers={'authorization': 'Bearer ' + os.environ['CONTAINERIZER_RUN_TOKEN'], 'content-type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, headers, text = r.status, r.headers, ''
    except urllib.error.HTTPError as e:
        status, headers, text = e.code, e.headers, e.read().decode()
    print(json.dumps({'name': name, 'status': status, 'retryAfter': headers.get('Retry-After'), 'problem': json.loads(text) if text else None}), flush=True)
`;

interface Posted {
  name: string;
  status: number;
  retryAfter: string | null;
  problem: { status: number; detail: string; errors?: { field: string; message: string }[] } | null;
}

const nestedText = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
const nestedValue = (levels: number): unknown => JSON.parse(nestedText(levels));

describe('hostile results (real server and Docker)', () => {
  let server: RunningServer;
  let alice: Client;

  beforeAll(async () => {
    server = await startServer({ env: LIMITS });
    alice = await signedIn(server.url);
  });
  afterAll(() => server?.stop());

  async function runScript(source: string): Promise<string> {
    const app = await alice.post('/apps', sampleApp({ image: PYTHON_IMAGE, command: [], script: { language: 'python', source }, timeoutSeconds: 300 }));
    expect(app.status).toBe(201);
    const run = await alice.post(`/apps/${app.body.appId}/runs`);
    expect(run.status).toBe(202);
    return run.body.runId;
  }

  async function posted(runId: string): Promise<Posted[]> {
    const { body } = await alice.get(`/runs/${runId}/logs?limit=1000`);
    return body.events
      .map((e: { message: string }) => e.message)
      .filter((m: string) => m.startsWith('{'))
      .map((m: string) => JSON.parse(m));
  }

  it(`a job posting a result ${DEEP} levels deep, numbers and keys the store refuses, and leaving a deep result file: each post a 400 naming the field, the server answers and restarts on its data`, async () => {
    const cases: [name: string, body: string, field: string][] = [
      ['deep', nestedText(DEEP), Array(31).fill('a').join('.')],
      ['infinity', '{"loss": 1e400}', 'loss'],
      ['tiny', '{"loss": 1e-200}', 'loss'],
      ['unsafe integer', '{"rows": 1152921504606846976}', 'rows'],
      ['38 digits', '{"rows": 12345678901234567890123456789012345678901234}', 'rows'],
      ['__proto__', '{"__proto__": {"admin": true}}', '__proto__'],
      ['constructor', '{"stats": {"constructor": {"prototype": 1}}}', 'stats.constructor'],
      ['prototype', '{"prototype": 1}', 'prototype'],
    ];
    const source = [
      POSTER,
      `open(os.environ['CONTAINERIZER_RESULT_FILE'], 'w').write(${JSON.stringify(nestedText(DEEP))})`,
      ...cases.map(([name, body]) => `post(${JSON.stringify(name)}, ${JSON.stringify(body)})`),
      `post('fine', '{"perf": 0.5}')`,
    ].join('\n');
    const runId = await runScript(source);
    const run = await waitForTerminal(alice, runId, 120_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(server.process.exitCode).toBeNull();

    const answers = await posted(runId);
    expect(answers.map((a) => a.name)).toEqual([...cases.map(([name]) => name), 'fine']);
    for (const [name, , field] of cases) {
      const answer = answers.find((a) => a.name === name)!;
      expect([name, answer.status, answer.problem?.errors?.[0]?.field]).toEqual([name, 400, field]);
    }
    expect(answers.at(-1)!.status).toBe(202);

    // The result file is read when the container is released: refused (logged), the last good post stays.
    await waitForRelease(runId);
    await waitFor(async () => (server.output().includes('result file ignored') ? true : undefined), 30_000, 'the result file to be refused');
    expect((await alice.get(`/runs/${runId}`)).body.result).toEqual({ perf: 0.5 });
    expect((await alice.get('/health')).status).toBe(200);

    // A data directory that already holds an item nested 800 levels deep (stored before this fix) starts and serves.
    await server.stop();
    const raw = dynalite({ path: join(server.dataDir, 'dynamodb') });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const db = createDb('containerizer', {
      endpoint: `http://127.0.0.1:${(raw.address() as { port: number }).port}`,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const stored = { ...run, ...keys.run(runId), result: nestedValue(800) };
    await db.doc.send(new PutCommand({ TableName: 'containerizer', Item: stored }));
    db.doc.destroy();
    await new Promise((resolve) => raw.close(resolve));

    server = await startServer({ dataDir: server.dataDir, env: LIMITS });
    alice = new Client(server.url, alice.token);
    expect((await alice.get('/health')).status).toBe(200);
    const again = await alice.get(`/runs/${runId}`);
    expect(again.status).toBe(200);
    expect(again.body.result).toEqual(nestedValue(800));
  }, 300_000);

  it(`a job posting past its budget: ${LIMITS.METRICS_PER_RESULT} metrics a result (400), ${LIMITS.RESULT_POSTS_PER_RUN} results a run (409), ${LIMITS.RESULT_POSTS_PER_MINUTE} posts a minute (429 + Retry-After)`, async () => {
    const metrics = JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, i])));
    const source = [
      POSTER,
      // The rate window is the clock's minute: start early in one, so that all the posts fall in it.
      'if time.time() % 60 > 40: time.sleep(61 - time.time() % 60)',
      `post('metrics', ${JSON.stringify(metrics)})`,
      ...[1, 2, 3, 4, 5, 6].map((i) => `post('post ${i}', '{"i": ${i}}')`),
    ].join('\n');
    const runId = await runScript(source);
    expect((await waitForTerminal(alice, runId, 180_000)).status).toBe('SUCCEEDED');
    const answers = await posted(runId);
    expect(answers.map((a) => [a.name, a.status])).toEqual([
      ['metrics', 400],
      ['post 1', 202],
      ['post 2', 202],
      ['post 3', 202],
      ['post 4', 409],
      ['post 5', 429],
      ['post 6', 429],
    ]);
    expect(answers[0]!.problem!.detail).toContain('at most 10 metrics');
    expect(answers[4]!.problem!.detail).toContain('has posted the 3 results');
    expect(Number(answers[5]!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(answers[5]!.retryAfter)).toBeLessThanOrEqual(60);
    expect((await alice.get(`/runs/${runId}`)).body.result).toEqual({ i: 3 });
  }, 240_000);

  it.each([
    ['an env key named constructor', { env: { constructor: 'x' } }, 'env.constructor'],
    ['an env key named __proto__', JSON.parse('{"env": {"__proto__": "x"}}'), 'env.__proto__'],
    ['a sidecar cpu of 1e-200', { sidecars: [{ name: 'side', image: 'containerizer/busybox:latest', cpu: 1e-200 }] }, 'sidecars.0.cpu'],
    ['a 900 KB health check command', { healthCheck: { command: ['CMD', ...Array(220).fill('x'.repeat(4096))] } }, 'healthCheck.command'],
    [
      "a sidecar's 900 KB health check command",
      { sidecars: [{ name: 'side', image: 'containerizer/busybox:latest', healthCheck: { command: ['CMD', ...Array(220).fill('x'.repeat(4096))] } }] },
      'sidecars.0.healthCheck.command',
    ],
    [
      'env, script and args of 416 KiB together',
      {
        command: [],
        env: Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`E${i}`, 'x'.repeat(32_000)])),
        script: { language: 'sh', source: 'x'.repeat(32_000), args: Array(64).fill('y'.repeat(4096)) },
      },
      'script.args',
    ],
    ['a body nested 1,500 levels deep', { description: nestedValue(DEEP) }, 'description.' + Array(30).fill('a').join('.')],
  ])('an app with %s is a 400 naming the field', async (_, fields, field) => {
    const reply = await alice.post('/apps', JSON.stringify({ ...sampleApp(), ...fields }));
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toBe('application/problem+json');
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    ['a file named constructor', '{"name": "i1", "files": {"Dockerfile": "FROM containerizer/busybox:latest", "constructor": "x"}}', 'files.constructor'],
    ['a file named __proto__', '{"name": "i2", "files": {"Dockerfile": "FROM containerizer/busybox:latest", "__proto__": "x"}}', 'files.__proto__'],
    [
      'a build argument named constructor',
      '{"name": "i3", "files": {"Dockerfile": "FROM containerizer/busybox:latest"}, "buildArgs": {"constructor": "x"}}',
      'buildArgs.constructor',
    ],
    [
      'build arguments of 256 KiB beside 1,000 files of 250-byte paths (an item over 400 KB)',
      JSON.stringify({
        name: 'i4',
        files: {
          Dockerfile: 'FROM containerizer/busybox:latest',
          ...Object.fromEntries(Array.from({ length: 999 }, (_, i) => [`f${String(i).padStart(3, '0')}${'x'.repeat(246)}`, 'x'])),
        },
        buildArgs: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`A${i}`, 'x'.repeat(4096)])),
      }),
      'buildArgs',
    ],
  ])('an image with %s is a 400 naming the field', async (_, body, field) => {
    const reply = await alice.post('/images', body);
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('a gzip upload of 512 MiB of zeros after a valid archive is a 413 once the cap is read, not after inflating it all', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'Dockerfile' }, 'FROM containerizer/busybox:latest\n');
    pack.finalize();
    const gzip = createGzip({ level: 1 });
    const compressed: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => compressed.push(chunk));
    const done = new Promise((resolve) => gzip.on('end', resolve));
    for await (const chunk of pack as AsyncIterable<Buffer>) gzip.write(chunk);
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < 32; i++) if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
    gzip.end();
    await done;
    const body = Buffer.concat(compressed);
    const started = performance.now();
    const reply = await fetch(`${server.url}/images?name=bomb`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/gzip' },
      body: Readable.toWeb(Readable.from([body])) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const ms = performance.now() - started;
    console.info(`gzip of 512 MiB of zeros (${(body.length / 1024 / 1024).toFixed(1)} MiB on the wire): ${reply.status} in ${ms.toFixed(0)} ms`);
    expect(reply.status).toBe(413);
    expect((await reply.json()).detail).toMatch(/inflates to at most \d+ bytes/);
    expect((await alice.get('/health')).status).toBe(200);
  });
});
