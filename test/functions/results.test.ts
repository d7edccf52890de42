/**
 * Job results on the cloud backend: the api handler behind API Gateway (payload 2.0) takes a
 * result with the run token RunTask handed the task, refuses the token elsewhere and after the
 * run ends (its stop arriving as an ECS event), and every item the run owns carries the TTL.
 */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { JOB_ENV } from '../../shared/job-env.js';
import { apiHandler } from '../../shared/lambda/api.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { createDb } from '../../shared/store/db.js';
import { keys, metricSeriesPk, TTL_ATTRIBUTE } from '../../shared/table.js';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { API_URL, ecsTask, httpEvent, startCloud, TABLE_NAME, type Cloud, type HttpResult } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let handler: (event: ReturnType<typeof httpEvent>) => Promise<HttpResult>;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = apiHandler(platform) as unknown as typeof handler;
});
afterAll(() => cloud?.close());

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { status: result.statusCode, json: result.body ? JSON.parse(result.body) : undefined };
}

/** The job's variables of the run's RunTask call, as the task receives them. */
function jobEnvOf(runId: string): Record<string, string> {
  const call = cloud.ecs.commandCalls(RunTaskCommand).find((c) => c.args[0].input.startedBy === runId)!;
  const environment = call.args[0].input.overrides!.containerOverrides![0]!.environment!;
  return Object.fromEntries(environment.map((e) => [e.name!, e.value!]));
}

describe('results behind API Gateway', () => {
  it('takes the run token on the result route only, while the run is active; every item the run owns carries the TTL', async () => {
    const credentials = { email: 'results@example.com', password: 'correct horse battery' };
    expect((await call('POST', '/auth/register', { body: credentials })).status).toBe(201);
    const token: string = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
    const app = await call('POST', '/apps', {
      token,
      body: { name: 'scorer', image: 'public.ecr.aws/docker/library/python:3.12-slim', retentionDays: 7, script: { language: 'python', source: 'print(1)\n' } },
    });
    expect(app.status).toBe(201);
    const run = await call('POST', `/apps/${app.json.appId}/runs`, { token });
    expect(run.status).toBe(202);
    const runId: string = run.json.runId;

    const env = jobEnvOf(runId);
    expect(env[JOB_ENV.runId]).toBe(runId);
    expect(env[JOB_ENV.resultUrl]).toBe(`${API_URL}/runs/${runId}/result`);
    const runToken = env[JOB_ENV.runToken]!;

    expect((await call('POST', `/runs/${runId}/result`, { token: runToken, body: { perf: 0.5 } })).status).toBe(202);
    const second = await call('POST', `/runs/${runId}/result`, { token: runToken, body: { perf: 0.93, rows: 1200, model: 'b' } });
    expect(second).toMatchObject({ status: 202, json: { runId, metrics: ['perf', 'rows'] } });
    expect((await call('GET', `/runs/${runId}`, { token })).json.result).toEqual({ perf: 0.93, rows: 1200, model: 'b' });
    const series = await call('GET', `/apps/${app.json.appId}/metrics`, { token, query: 'name=perf' });
    expect(series.json.items.map((p: { value: number }) => p.value)).toEqual([0.5, 0.93]);

    expect((await call('GET', `/runs/${runId}`, { token: runToken })).status).toBe(401);
    expect((await call('GET', `/apps/${app.json.appId}/metrics`, { token: runToken, query: 'name=perf' })).status).toBe(401);
    expect((await call('POST', `/runs/01J00000000000000000000000/result`, { token: runToken, body: { perf: 1 } })).status).toBe(403);
    expect((await call('POST', `/runs/${runId}/result`, { token, body: { perf: 1 } })).status).toBe(401);

    const task = ecsTask(runId);
    const stop = taskStateChangeHandler(platform);
    await stop(task.running);
    await stop(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }));
    expect((await call('POST', `/runs/${runId}/result`, { token: runToken, body: { perf: 2 } })).status).toBe(403);

    // Every item the run owns: the run, each result, each metric point.
    const db = createDb(TABLE_NAME, { endpoint: cloud.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const runItem = (await db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: keys.run(runId) }))).Item!;
    const stoppedAt = Date.parse(runItem.stoppedAt) / 1000;
    expect(runItem[TTL_ATTRIBUTE]).toBe(Math.floor(stoppedAt) + 7 * 86_400);
    const owned = await db.doc.send(
      new QueryCommand({ TableName: TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.run(runId).pk } }),
    );
    const points = await Promise.all(
      ['perf', 'rows'].map((name) =>
        db.doc.send(
          new QueryCommand({
            TableName: TABLE_NAME,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': metricSeriesPk(app.json.appId, name) },
          }),
        ),
      ),
    );
    const items = [...owned.Items!, ...points.flatMap((p) => p.Items!)];
    expect(items).toHaveLength(1 + 2 + 3);
    for (const item of items) {
      expect(item[TTL_ATTRIBUTE], item.sk).toBeGreaterThanOrEqual(runItem[TTL_ATTRIBUTE]);
      expect(item[TTL_ATTRIBUTE], item.sk).toBeLessThanOrEqual(runItem[TTL_ATTRIBUTE] + run.json.timeoutSeconds);
    }
  });
});
