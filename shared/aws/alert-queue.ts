/**
 * The cloud's alert outbox queue (SQS): one message per delivery attempt due, `{alertId,
 * deliveryId}`, read by the alert-delivery function. A retry further away than SQS's longest
 * delay (900 s, AWS docs "SendMessage" DelaySeconds) is re-queued until it is due; a message
 * whose handling fails is retried by SQS and, after the queue's maxReceiveCount, lands in its
 * dead-letter queue (infra/alerts.ts). The delivery item in the table stays the truth.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunks } from '../concurrency.js';
import { AwsOperationError } from './errors.js';

/** SQS's longest DelaySeconds. */
export const MAX_SQS_DELAY_SECONDS = 900;
/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

/** What a message names: one delivery of one rule. */
export interface AlertMessage {
  alertId: string;
  deliveryId: string;
}

export class SqsAlertQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * Queues one message per delivery, to be received after `delaySeconds` (clamped to 0…900).
   * @throws AwsOperationError when SQS refuses an entry.
   */
  async enqueue(deliveries: readonly AlertMessage[], delaySeconds = 0): Promise<void> {
    const delay = Math.max(0, Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(delaySeconds)));
    for (const batch of chunks(deliveries, BATCH)) {
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map(({ alertId, deliveryId }, i) => ({ Id: String(i), MessageBody: JSON.stringify({ alertId, deliveryId }), DelaySeconds: delay })),
        }),
      );
      if (out.Failed?.length) {
        const first = out.Failed[0]!;
        throw new AwsOperationError('SendMessageBatch', `SendMessageBatch refused ${out.Failed.length} alert messages: ${first.Code}: ${first.Message}`);
      }
    }
  }
}
