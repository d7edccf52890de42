/**
 * Fuzz: thousands of requests (fast-check) over every operation /openapi.json lists, against
 * the real dev server, with odd path ids (huge, unicode, dot segments, ULID-shaped), odd query
 * values (foreign cursors, out-of-range dates, junk), odd bodies (any JSON, broken JSON,
 * near-valid objects with odd fields, bodies nested far past DynamoDB's 32 levels, numbers out
 * of DynamoDB's or the marshaller's range, `__proto__`/`constructor`/`prototype` keys in any
 * map) and odd or missing tokens. None may answer 5xx, and the
 * server must still answer afterwards. Launches cannot start a container: the app's image is
 * not local, and the run quota is small.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleApp } from '../support/fixtures.js';
import { Client, signedIn, startServer, type RunningServer } from '../support/server.js';

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
}

const RUNS = 3000;

/** Strings that have broken parsers before: huge, unicode, dot segments, NUL, ULID-shaped, JSON-ish. */
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '..',
    '../x',
    '%2e%2e',
    '\u0000',
    '01NOPE',
    '7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    '00000000000000000000000000',
    'x'.repeat(5000),
    '-1',
    '1e309',
    'null',
    '{}',
  ),
  fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/),
);

/** Numbers DynamoDB or the SDK's marshaller refuse, as JSON text (1e400 parses to Infinity). */
const oddNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '1e-200',
  '-1e-131',
  '1152921504606846976',
  '1e20',
  '12345678901234567890123456789012345678901234',
  '0.1e-129',
);
/** Keys that name the prototype machinery. */
const specialKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
/** A JSON text nested `depth` levels deep, objects and arrays mixed, around `leaf`. */
const nestedText = (depth: number, arrays: boolean, leaf: string) =>
  arrays ? '['.repeat(depth) + leaf + ']'.repeat(depth) : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
/** Bodies aimed at the store's limits: deep, out-of-range numbers, special keys, each where a map or a number is taken. */
const storeLimitBody = fc.oneof(
  fc.tuple(fc.integer({ min: 30, max: 3000 }), fc.boolean(), fc.constantFrom('1', '"x"', '{}')).map(([depth, arrays, leaf]) => nestedText(depth, arrays, leaf)),
  fc
    .tuple(fc.integer({ min: 30, max: 2000 }), fc.constantFrom('env', 'files', 'buildArgs', 'overrides', 'description', 'perf'))
    .map(([depth, field]) => JSON.stringify({ ...sampleApp(), [field]: 0 }).replace(/"([a-zA-Z]+)":0/, (_, f) => `"${f}":${nestedText(depth, false, '1')}`)),
  fc
    .tuple(oddNumber, fc.constantFrom('cpu', 'memoryMiB', 'timeoutSeconds', 'version', 'graceSeconds', 'perf', 'rows'))
    .map(([n, field]) => `{${JSON.stringify(field)}: ${n}, "name": "n${field}", "image": "containerizer/busybox:latest"}`),
  oddNumber.map((n) =>
    JSON.stringify({ ...sampleApp(), sidecars: [{ name: 'side', image: 'containerizer/busybox:latest', cpu: 0 }] }).replace('"cpu":0', `"cpu":${n}`),
  ),
  fc
    .tuple(specialKey, fc.constantFrom('env', 'files', 'buildArgs', 'result', ''))
    .map(([key, field]) =>
      field === ''
        ? `{${JSON.stringify(key)}: {"admin": true}, "perf": 1}`
        : `{"name": "k${field}", "image": "containerizer/busybox:latest", ${JSON.stringify(field)}: {"Dockerfile": "FROM containerizer/busybox:latest", ${JSON.stringify(key)}: "x"}}`,
    ),
);

describe('fuzz over /openapi.json', () => {
  let server: RunningServer;
  let alice: Client;
  let operations: Operation[];
  const ids: Record<string, string[]> = {};
  const cursors: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { MAX_ACTIVE_RUNS_PER_USER: '3', MAX_APPS_PER_USER: '20' } });
    alice = await signedIn(server.url);
    const bob = await signedIn(server.url);
    const doc = (await alice.get('/openapi.json')).body;
    operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        pathParams: (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name),
        queryParams: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        hasBody: op.requestBody !== undefined,
      })),
    );
    const { body: app } = await alice.post('/apps', sampleApp({ image: 'containerizer/does-not-exist:1' }));
    const { body: run } = await alice.post(`/apps/${app.appId}/runs`);
    const { body: schedule } = await alice.post(`/apps/${app.appId}/schedules`, { expression: 'rate(1 day)' });
    ids.appId = [app.appId];
    ids.runId = [run.runId];
    ids.scheduleId = [schedule.scheduleId];
    for (let i = 0; i < 3; i++) await bob.post('/apps', sampleApp());
    for (const path of ['/apps?limit=1', '/runs?limit=1', '/schedules?limit=1']) {
      const cursor = (await bob.get(path)).body.nextCursor;
      if (cursor) cursors.push(cursor);
    }
  }, 120_000);
  afterAll(() => server?.stop());

  // One request after another against the real server: ~35 s on an idle 2-core machine, 150 s and more beside busy loops.
  it(`answers ${RUNS} odd requests over every route without a 5xx`, { timeout: 600_000 }, async () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    const pathValue = (name: string) => fc.oneof(fc.constantFrom(...(ids[name] ?? ['x'])), oddString);
    const queryValue = fc.oneof(
      oddString,
      fc.integer().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('1969-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z', ...cursors),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')),
    );
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc
        .record(
          { ...Object.fromEntries(['name', 'image', 'expression', 'email', 'password', 'refreshToken', 'version', 'enabled'].map((k) => [k, fc.jsonValue()])) },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify({ ...sampleApp(), ...v })),
      fc.constantFrom(JSON.stringify({ expression: 'rate(99999999999999 days)' }), JSON.stringify({ env: { A: 'a'.repeat(140_000) } }), '{"a":'.repeat(5000)),
      storeLimitBody,
      storeLimitBody,
    );
    const request = fc.constantFrom(...operations).chain((op) =>
      fc.record({
        op: fc.constant(op),
        path: fc.tuple(...op.pathParams.map(pathValue)),
        query: fc.array(fc.tuple(fc.constantFrom(...(op.queryParams.length ? op.queryParams : ['x'])), queryValue), { maxLength: 4 }),
        body: op.hasBody || op.method !== 'GET' ? fc.option(body) : fc.constant(null),
        auth: fc.constantFrom('valid', 'valid', 'valid', 'none', 'junk'),
      }),
    );

    await fc.assert(
      fc.asyncProperty(request, async ({ op, path, query, body, auth }) => {
        let url = op.path;
        op.pathParams.forEach((name, i) => (url = url.replace(`{${name}}`, encodeURIComponent(path[i]!))));
        const search = new URLSearchParams(query).toString();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth === 'valid') headers.authorization = `Bearer ${alice.token}`;
        if (auth === 'junk') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
        const res = await fetch(`${server.url}${url}${search ? `?${search}` : ''}`, { method: op.method, headers, body: body ?? undefined });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${op.method} ${url}?${search} → ${res.status} ${text}`);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect((await alice.get('/health')).status).toBe(200);
  });
});
