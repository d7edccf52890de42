/**
 * Alerts on the cloud composition (dynalite, ECS events, SQS mocked): a failed run's Run State
 * Change event, handled twice, writes one delivery and queues it once; the delivery function
 * makes one attempt per message and queues the retry with its delay; a rule pointing at a private
 * address or over http is refused (400) in the cloud configuration; a budget refusal writes BUDGET.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { createCloudPlatform, requiredAlertQueue } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import { alertDeliveryHandler, alertEventsHandler } from '../../shared/lambda/alerts.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { AlertCreate } from '../../shared/alert-schemas.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/alerts';
let cloud: Cloud;
let platform: CloudPlatform;
const sqs = mockClient(SQSClient);
const queued = () => sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

beforeAll(async () => {
  cloud = await startCloud();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  platform = await createCloudPlatform({ ...cloud.env, [ENV.ALERT_QUEUE_URL]: QUEUE_URL, [ENV.MONTHLY_BUDGET_USD]: '0.000001' });
});
afterAll(async () => {
  sqs.restore();
  await cloud?.close();
});

const rule = (body: object) => platform.alerts.create(OWNER, AlertCreate.parse({ webhook: { url: 'https://hooks.invalid/alerts' }, ...body }));

describe('alerts in the cloud', () => {
  it('refuses webhooks over http or to private, loopback and link-local addresses', async () => {
    for (const url of [
      'http://hooks.example.com/x',
      'https://10.0.0.1/x',
      'https://127.0.0.1/x',
      'https://169.254.169.254/',
      'https://[::ffff:10.0.0.1]/',
      'https://localhost/x',
    ])
      await expect(rule({ conditions: [{ type: 'RUN_FAILED' }], webhook: { url } }), url).rejects.toMatchObject({ status: 400 });
  });

  it('writes one delivery per failed run however often its event comes, queues it, and queues the retry of a failed attempt with its delay', async () => {
    const app = await createApp(platform);
    const { alertId } = await rule({ appId: app.appId, conditions: [{ type: 'RUN_FAILED' }] });
    // A run that fails: its task stops with exit code 1 (its events twice, as EventBridge may deliver them).
    const run = await platform.runs.create(OWNER, app.appId, {});
    const task = ecsTask(run.runId);
    const failed = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 1 };
    for (const event of [task.running, task.stopped(failed), task.stopped(failed)]) await taskStateChangeHandler(platform)(event);
    sqs.resetHistory();
    const events = alertEventsHandler(platform);
    await events({ detail: { runId: run.runId } });
    await events({ detail: { runId: run.runId } });
    const entries = queued();
    expect(entries).toHaveLength(1);
    const message = JSON.parse(entries[0]!.MessageBody!);
    expect(message.alertId).toBe(alertId);
    const log = await platform.alertDeliveries.list(OWNER, alertId, { limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ status: 'PENDING', event: { type: 'RUN_FAILED', runId: run.runId } });

    // hooks.invalid resolves nowhere (RFC 6761): the attempt fails, is logged, and the retry is queued 5 s later.
    sqs.resetHistory();
    const reply = await alertDeliveryHandler(platform, requiredAlertQueue(platform))({ Records: [{ messageId: 'm1', body: entries[0]!.MessageBody! }] });
    expect(reply.batchItemFailures).toEqual([]);
    const [retry] = queued();
    expect(JSON.parse(retry!.MessageBody!)).toEqual(message);
    expect(retry!.DelaySeconds).toBeGreaterThanOrEqual(4);
    expect(retry!.DelaySeconds).toBeLessThanOrEqual(6);
    const after = (await platform.alertDeliveries.list(OWNER, alertId, { limit: 10 })).items[0]!;
    expect(after.status).toBe('PENDING');
    expect(after.attempts).toEqual([expect.objectContaining({ attempt: 1, error: expect.any(String) })]);
    // A message that cannot be handled is reported for SQS to retry.
    const broken = await alertDeliveryHandler(platform, requiredAlertQueue(platform))({ Records: [{ messageId: 'm2', body: 'not json' }] });
    expect(broken.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
  });

  it('writes BUDGET when the monthly budget refuses a run, once a month', async () => {
    const app = await createApp(platform, { name: 'budget-app' });
    const { alertId } = await rule({ conditions: [{ type: 'BUDGET' }] });
    // One finished run costs more than the budget (unless an earlier test's run did already).
    const run = await platform.runs.create(OWNER, app.appId, {}).catch(() => undefined);
    if (run) {
      const task = ecsTask(run.runId, { runningSeconds: 60 });
      const exited = { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 };
      for (const event of [task.running, task.stopped(exited)]) await taskStateChangeHandler(platform)(event);
    }
    for (let i = 0; i < 2; i++) await expect(platform.runs.create(OWNER, app.appId, {})).rejects.toMatchObject({ status: 402 });
    const log = await platform.alertDeliveries.list(OWNER, alertId, { limit: 10 });
    expect(log.items.map((d) => d.event.type)).toEqual(['BUDGET']);
  });
});
