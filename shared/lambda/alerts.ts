/**
 * The cloud's alert functions:
 * - alerts: EventBridge "Run State Change" events (shared/aws/run-events.ts) → the rules that
 *   watch the run (AlertEvaluator.observeRunId, reading the run as stored); the deliveries it
 *   writes are queued by the platform's onWritten (cloud-platform.ts). Errors propagate, so
 *   EventBridge and Lambda retry the event; deliveries already written are not written again.
 * - alert-delivery: the SQS queue's messages → one attempt of each due delivery; a delivery still
 *   PENDING afterwards (a retry later, or one not due yet) is queued again with the delay until it
 *   is due (at most SQS's 900 s, then again). A message whose handling throws is reported as a
 *   batch item failure: SQS retries it, and after maxReceiveCount it goes to the dead-letter queue.
 */
import type { AlertMessage, SqsAlertQueue } from '../aws/alert-queue.js';
import type { RunStateChangeDetail } from '../aws/run-events.js';
import { logger } from '../logger.js';
import type { Platform } from '../platform.js';
import { withLambdaContext } from './context.js';

/** The part of an EventBridge event the alerts function reads. */
export interface RunStateChangeEvent {
  detail: Pick<RunStateChangeDetail, 'runId'>;
}

/** The part of an SQS event the alert-delivery function reads (aws-lambda's SQSEvent). */
export interface SqsEvent {
  Records: { messageId: string; body: string }[];
}

/** What an SQS handler with ReportBatchItemFailures answers: the messages to retry. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The alerts function's handler. */
export function alertEventsHandler(platform: Pick<Platform, 'alertEvaluator'>) {
  return withLambdaContext(async (event: RunStateChangeEvent): Promise<void> => {
    await platform.alertEvaluator.observeRunId(event.detail.runId);
  });
}

/** The alert-delivery function's handler. */
export function alertDeliveryHandler(platform: Pick<Platform, 'alertDeliveries'>, queue: Pick<SqsAlertQueue, 'enqueue'>) {
  return withLambdaContext(async (event: SqsEvent): Promise<SqsBatchResponse> => {
    const failures: SqsBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const message = JSON.parse(record.body) as AlertMessage;
        const dueInMs = await platform.alertDeliveries.deliverDue(message.alertId, message.deliveryId);
        if (dueInMs !== undefined) await queue.enqueue([message], dueInMs / 1000);
      } catch (err) {
        logger.error('alert delivery failed; SQS retries it', { messageId: record.messageId, error: err as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  });
}
