/**
 * The last result beside the run, not on it: a post leaves on the run item only a pointer
 * (`resultId`, `resultAt`, `resultMetrics`), so the run (and every index it is projected into)
 * stays small; GET /runs/{runId} reads the result it points to, listings carry none; a run item an
 * older release wrote with its `result` on it is moved to the pointer once, idempotently, while the
 * all-runs index is still the previous release's (every attribute projected).
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { JOB_ENV } from '../../shared/job-env.js';
import { apiHandler } from '../../shared/lambda/api.js';
import type { Run } from '../../shared/domain.js';
import { RESULTS_BESIDE_RUNS_MIGRATION, ResultService } from '../../shared/services/results.js';
import { createDb, fromItem, type Db } from '../../shared/store/db.js';
import { MigrationStore } from '../../shared/store/migration-store.js';
import { ResultStore } from '../../shared/store/result-store.js';
import { indexAttributes, indexKeys, keys, runShard } from '../../shared/table.js';
import { createTableInput, readsAt } from '../../shared/table-indexes.js';
import { httpEvent, startCloud, TABLE_NAME, type Cloud, type HttpResult } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let db: Db;
let handler: (event: ReturnType<typeof httpEvent>) => Promise<HttpResult>;
let token: string;
let appId: string;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = apiHandler(platform) as unknown as typeof handler;
  db = createDb(TABLE_NAME, { endpoint: cloud.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const credentials = { email: 'beside@example.com', password: 'correct horse battery' };
  expect((await call('POST', '/auth/register', { body: credentials })).status).toBe(201);
  token = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
  const app = await call('POST', '/apps', { token, body: { name: 'scorer', image: 'public.ecr.aws/docker/library/python:3.12-slim', command: ['true'] } });
  expect(app.status).toBe(201);
  appId = app.json.appId;
});
afterAll(() => cloud?.close());

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined };
}

/** Starts a run and returns its id and run token (as RunTask handed it to the task). */
async function startRun(): Promise<{ runId: string; runToken: string }> {
  const run = await call('POST', `/apps/${appId}/runs`, { token });
  expect(run.status).toBe(202);
  const runId: string = run.json.runId;
  const launch = cloud.ecs.commandCalls(RunTaskCommand).find((c) => c.args[0].input.startedBy === runId)!;
  const env = launch.args[0].input.overrides!.containerOverrides![0]!.environment!;
  return { runId, runToken: env.find((e) => e.name === JOB_ENV.runToken)!.value! };
}

const runItem = async (runId: string) => (await db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.run(runId), ConsistentRead: true }))).Item!;

describe('the last result beside the run', () => {
  it('keeps a pointer and the metric names on the run; GET /runs/{runId} shows the result, listings do not', async () => {
    const { runId, runToken } = await startRun();
    const big = { perf: 0.5, notes: 'x'.repeat(30_000) };
    expect((await call('POST', `/runs/${runId}/result`, { token: runToken, body: big })).status).toBe(202);
    const posted = await call('POST', `/runs/${runId}/result`, { token: runToken, body: { perf: 0.93, rows: 1200, model: 'b' } });
    expect(posted.status).toBe(202);

    const item = await runItem(runId);
    expect(item.result).toBeUndefined();
    expect(item).toMatchObject({ resultAt: posted.json.resultAt, resultMetrics: ['perf', 'rows'] });
    expect(item.resultId).toMatch(/^[0-9A-Z]{26}$/);
    // The pointer is a few bytes: the run item stays far below the 30 kB the first result carried.
    expect(JSON.stringify(item).length).toBeLessThan(5_000);

    const got = await call('GET', `/runs/${runId}`, { token });
    expect(got.json.result).toEqual({ perf: 0.93, rows: 1200, model: 'b' });
    expect(got.json.resultAt).toBe(posted.json.resultAt);
    expect(got.json).not.toHaveProperty('resultId');
    expect(got.json).not.toHaveProperty('resultMetrics');

    const listed = (await call('GET', '/runs', { token, query: `appId=${appId}` })).json.items.find((r: { runId: string }) => r.runId === runId);
    expect(listed.resultAt).toBe(posted.json.resultAt);
    expect(listed).not.toHaveProperty('result');
    expect(listed).not.toHaveProperty('resultId');
  });

  it("moves a result an older release copied onto the run item to the pointer, once, on the previous release's indexes", async () => {
    // The table as the previous release left it: its indexes project everything, its run items carry `result`.
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    };
    const old = createDb('old', config, readsAt(0));
    try {
      await old.doc.send(new CreateTableCommand(createTableInput('old', 0)));
      const service = new ResultService(new ResultStore(old), {} as never, {} as never, {} as never, new MigrationStore(old));
      const legacyRun = (runId: string, result: Record<string, unknown>, resultAt: string) => ({
        ...keys.run(runId),
        ...indexAttributes(runId, indexKeys.runsOfApp('A'), indexKeys.runsOfOwner('U'), indexKeys.allRuns(runShard(runId))),
        runId,
        appId: 'A',
        ownerId: 'U',
        status: 'SUCCEEDED',
        result,
        resultAt,
      });
      const posted = {
        runId: '01KAAAAAAAAAAAAAAAAAAAAAA1',
        appId: 'A',
        resultId: '01KAAAAAAAAAAAAAAAAAAAAAR1',
        at: '2026-11-01T00:00:00.000Z',
        result: { perf: 0.7, label: 'old' },
        metrics: ['perf'],
      };
      await old.doc.send(new PutCommand({ TableName: 'old', Item: legacyRun(posted.runId, posted.result, posted.at) }));
      await old.doc.send(new PutCommand({ TableName: 'old', Item: { ...keys.result(posted.runId, posted.resultId), ...posted } }));
      // A legacy run whose result items are gone already (expired): only the copy goes.
      const orphan = '01KAAAAAAAAAAAAAAAAAAAAAA2';
      await old.doc.send(new PutCommand({ TableName: 'old', Item: legacyRun(orphan, { gone: 1 }, posted.at) }));

      expect(await service.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION)).toBe(2);
      const item = (await old.doc.send(new GetCommand({ TableName: 'old', Key: keys.run(posted.runId), ConsistentRead: true }))).Item!;
      expect(item.result).toBeUndefined();
      expect(item).toMatchObject({ resultId: posted.resultId, resultAt: posted.at, resultMetrics: ['perf'] });
      expect((await service.withResult(fromItem<Run>(item))).result).toEqual(posted.result);
      const orphaned = (await old.doc.send(new GetCommand({ TableName: 'old', Key: keys.run(orphan), ConsistentRead: true }))).Item!;
      expect(orphaned.result).toBeUndefined();
      expect(orphaned.resultId).toBeUndefined();

      // Idempotent: done once (the marker), and a run without `result` is left as it is.
      expect(await service.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION)).toBe(0);
      expect(await new ResultStore(old).stripInlineResult(posted.runId)).toBe(false);
      expect((await old.doc.send(new GetCommand({ TableName: 'old', Key: keys.run(posted.runId), ConsistentRead: true }))).Item).toEqual(item);
    } finally {
      old.doc.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("is not looked for on this release's all-runs index, which projects no `result`: the move is marked done", async () => {
    const service = new ResultService(new ResultStore(db), {} as never, {} as never, {} as never, new MigrationStore(db));
    expect(db.indexes.byKind.projection).not.toBe('ALL');
    expect(await service.stripInlineResults('results-beside-runs-on-a-new-table')).toBe(0);
    expect(await new MigrationStore(db).migrated('results-beside-runs-on-a-new-table')).toBe(true);
  });
});
