import { CloudWatchLogsClient, GetLogEventsCommand, InvalidParameterException } from '@aws-sdk/client-cloudwatch-logs';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { FARGATE_STOP_TIMEOUT_SECONDS } from '../../shared/cloud-limits.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHandler } from '../../shared/lambda/api.js';
import { httpEvent, startCloud, type Cloud, type HttpResult } from './support.js';

const logs = mockClient(CloudWatchLogsClient);
const TOKEN = 'f/38237403982730982734098273409827340982734098273409827/s';
let cloud: Cloud;
let handler: (event: ReturnType<typeof httpEvent>) => Promise<HttpResult>;

beforeAll(async () => {
  cloud = await startCloud();
  // Typed as API Gateway sends it: hono's event type also demands fields (body: null, authorizer) API Gateway leaves out.
  handler = apiHandler(await cloud.platform()) as unknown as typeof handler;
  // GetLogEvents accepts only the forward tokens it issued for the stream (AWS API reference, GetLogEvents nextToken).
  logs.on(GetLogEventsCommand).callsFake((input: { nextToken?: string }) => {
    if (input.nextToken && input.nextToken !== TOKEN) {
      throw new InvalidParameterException({ message: 'The specified nextToken is invalid.', $metadata: { httpStatusCode: 400 } });
    }
    return { events: [{ timestamp: 1714564841000, message: 'hello' }], nextForwardToken: TOKEN };
  });
});
afterAll(async () => {
  logs.restore();
  await cloud?.close();
});

async function call(method: string, path: string, options?: Parameters<typeof httpEvent>[2]) {
  const result = await handler(httpEvent(method, path, options));
  return { ...result, json: JSON.parse(result.body) };
}

describe('the api handler on the cloud platform', () => {
  it('answers a cursor CloudWatch Logs did not issue with a 400 naming the field, as dev mode does', async () => {
    const credentials = { email: 'logs@example.com', password: 'correct horse battery' };
    expect((await call('POST', '/auth/register', { body: credentials })).statusCode).toBe(201);
    const token: string = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
    const app = await call('POST', '/apps', { token, body: { name: 'logger', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['echo', 'hi'] } });
    const run = await call('POST', `/apps/${app.json.appId}/runs`, { token, body: {} });
    expect(run.statusCode).toBe(202);

    const first = await call('GET', `/runs/${run.json.runId}/logs`, { token });
    expect(first.statusCode).toBe(200);
    expect(first.json.nextCursor).toBe(TOKEN);

    const bad = await call('GET', `/runs/${run.json.runId}/logs`, { token, query: 'cursor=f%2F1%2Fs' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toBe('application/problem+json');
    expect(bad.json).toMatchObject({ status: 400, errors: [{ field: 'cursor', message: 'not a cursor returned by this API' }] });
  });
});

describe("the api handler under RunTask's overrides limit", () => {
  it('accepts an app with 30 KiB of env (its task definition holds it) and refuses a run whose own overrides exceed 8,192 characters with a 400', async () => {
    const credentials = { email: 'big-env@example.com', password: 'correct horse battery' };
    await call('POST', '/auth/register', { body: credentials });
    const token: string = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
    const app = await call('POST', '/apps', {
      token,
      body: {
        name: 'big-env',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        command: ['env'],
        env: { BLOB: 'b'.repeat(30_000), MORE: 'm'.repeat(20_000) },
      },
    });
    expect(app.statusCode).toBe(201);

    // The enforcing RunTask mock refuses overrides over 8,192 characters: this run only passes because the env is not in them.
    const run = await call('POST', `/apps/${app.json.appId}/runs`, { token, body: {} });
    expect(run.statusCode).toBe(202);
    expect(run.json).toMatchObject({ status: 'PENDING', taskRef: expect.any(String) });

    const tooBig = await call('POST', `/apps/${app.json.appId}/runs`, { token, body: { env: { EXTRA: 'x'.repeat(9000) } } });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json.detail).toMatch(/take \d+ characters as RunTask overrides; ECS accepts at most 8192/);
    expect(tooBig.json.errors.map((e: { field: string }) => e.field)).toEqual(['env', 'command']);

    const schedule = await call('POST', `/apps/${app.json.appId}/schedules`, {
      token,
      body: { expression: 'rate(1 hour)', overrides: { env: { EXTRA: 'x'.repeat(9000) } } },
    });
    expect(schedule.statusCode).toBe(400);

    // The task definition holds the version's env, and the stop grace the API describes for Fargate.
    const definition = cloud.ecs
      .commandCalls(RegisterTaskDefinitionCommand)
      .map((c) => c.args[0].input)
      .find((input) => input.family!.endsWith(app.json.appId))!.containerDefinitions![0]!;
    expect(definition).toMatchObject({
      stopTimeout: FARGATE_STOP_TIMEOUT_SECONDS,
      environment: expect.arrayContaining([{ name: 'MORE', value: 'm'.repeat(20_000) }]),
    });
  });
});

describe('the api handler with ids no item can have', () => {
  // DynamoDB refuses keys over 2,048 bytes (partition) and 1,024 (sort) with a ValidationException;
  // each of these once reached it and answered 500 (the fuzz test's counterexample: DELETE /secrets/<3,000 x>).
  it('answers 400 or 404 for oversized names and ids in the paths of secrets, alerts and their deliveries, never 500', async () => {
    const credentials = { email: 'long-ids@example.com', password: 'correct horse battery' };
    expect((await call('POST', '/auth/register', { body: credentials })).statusCode).toBe(201);
    const token: string = (await call('POST', '/auth/login', { body: credentials })).json.accessToken;
    const long = 'x'.repeat(3000);
    const answers = {
      'GET secret': (await call('GET', `/secrets/${long}`, { token })).statusCode,
      'DELETE secret': (await call('DELETE', `/secrets/${long}`, { token })).statusCode,
      'GET alert': (await call('GET', `/alerts/${long}`, { token })).statusCode,
      'POST redeliver': (await call('POST', `/alerts/01J9Z3Y6W8Q2T5V7X9B1C3D5F7/deliveries/${long}/redeliver`, { token })).statusCode,
      'GET children': (await call('GET', `/runs/${long}/children`, { token })).statusCode,
    };
    expect(answers).toEqual({ 'GET secret': 400, 'DELETE secret': 400, 'GET alert': 404, 'POST redeliver': 404, 'GET children': 404 });
  });
});
