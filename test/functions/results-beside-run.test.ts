/**
 * The last result beside the run, not on it: a post leaves on the run item only a pointer
 * (`resultId`, `resultAt`, `resultMetrics`), so the run (and every index it is projected into)
 * stays small; GET /runs/{runId} reads the result it points to, listings carry none; a run item an
 * older release wrote with its `result` on it is moved to the pointer once, idempotently.
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { JOB_ENV } from '../../shared/job-env.js';
import { apiHandler } from '../../shared/lambda/api.js';
import { RESULTS_BESIDE_RUNS_MIGRATION } from '../../shared/services/results.js';
import { createDb, type Db } from '../../shared/store/db.js';
import { ResultStore } from '../../shared/store/result-store.js';
import { keys } from '../../shared/table.js';
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

  it('moves a result an older release copied onto the run item to the pointer, once, without losing it', async () => {
    const { runId, runToken } = await startRun();
    const posted = await call('POST', `/runs/${runId}/result`, { token: runToken, body: { perf: 0.7, label: 'old' } });
    expect(posted.status).toBe(202);
    // The run item as the previous release left it: the result on it, no pointer.
    await db.doc.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keys.run(runId),
        UpdateExpression: 'SET #result = :result REMOVE resultId, resultMetrics',
        ExpressionAttributeNames: { '#result': 'result' },
        ExpressionAttributeValues: { ':result': { perf: 0.7, label: 'old' } },
      }),
    );
    // A legacy run whose result items are gone already (expired): it loses only the copy.
    const orphan = await startRun();
    await db.doc.send(
      new UpdateCommand({
        TableName: TABLE_NAME,
        Key: keys.run(orphan.runId),
        UpdateExpression: 'SET #result = :result',
        ExpressionAttributeNames: { '#result': 'result' },
        ExpressionAttributeValues: { ':result': { gone: 1 } },
      }),
    );
    expect((await call('GET', `/runs/${runId}`, { token })).json.result).toEqual({ perf: 0.7, label: 'old' });

    expect(await platform.results.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION)).toBe(2);
    const item = await runItem(runId);
    expect(item.result).toBeUndefined();
    expect(item).toMatchObject({ resultAt: posted.json.resultAt, resultMetrics: ['perf'] });
    expect((await call('GET', `/runs/${runId}`, { token })).json.result).toEqual({ perf: 0.7, label: 'old' });
    expect((await runItem(orphan.runId)).result).toBeUndefined();

    // Idempotent: done once (the marker), and a run without `result` is left as it is.
    expect(await platform.results.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION)).toBe(0);
    expect(await new ResultStore(db).stripInlineResult(runId)).toBe(false);
    expect(await runItem(runId)).toEqual(item);
  });
});
