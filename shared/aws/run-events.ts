/**
 * RunEventPublisher on EventBridge: a "Run State Change" event when a run ends, for
 * whoever wants to react (notifications, chaining, metrics).
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Run } from '../domain.js';
import type { RunEventPublisher } from '../ports.js';
import { AwsOperationError } from './errors.js';

/** The bus to publish on. Default 'default'. */
export interface EventBridgeRunEventPublisherConfig {
  eventBusName?: string;
}

/** The event's `source` and `detail-type`, for rule patterns that match these events. */
export const RUN_EVENT = { source: 'containerizer', detailType: 'Run State Change' } as const;

/** The event's `detail`: the run's outcome. Never its env, which may hold secrets. Times are ISO 8601. */
export type RunStateChangeDetail = Pick<
  Run,
  | 'runId'
  | 'appId'
  | 'appName'
  | 'ownerId'
  | 'status'
  | 'exitCode'
  | 'stoppedReason'
  | 'trigger'
  | 'attempt'
  | 'createdAt'
  | 'startedAt'
  | 'stoppedAt'
  | 'durationMs'
>;

/** Publishes one event per call with PutEvents. Throws when EventBridge rejects the entry (FailedEntryCount > 0). */
export class EventBridgeRunEventPublisher implements RunEventPublisher {
  private readonly events: EventBridgeClient;
  private readonly eventBusName: string;

  constructor({ events, config = {} }: { events: EventBridgeClient; config?: EventBridgeRunEventPublisherConfig }) {
    this.events = events;
    this.eventBusName = config.eventBusName ?? 'default';
  }

  async publish(run: Run): Promise<void> {
    const detail: RunStateChangeDetail = {
      runId: run.runId,
      appId: run.appId,
      appName: run.appName,
      ownerId: run.ownerId,
      status: run.status,
      exitCode: run.exitCode,
      stoppedReason: run.stoppedReason,
      trigger: run.trigger,
      attempt: run.attempt,
      createdAt: run.createdAt,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      durationMs: run.durationMs,
    };
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: RUN_EVENT.source,
            DetailType: RUN_EVENT.detailType,
            EventBusName: this.eventBusName,
            Detail: JSON.stringify(detail),
            Resources: [],
          },
        ],
      }),
    );
    // PutEvents reports rejected entries in its response instead of throwing.
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new AwsOperationError('PutEvents', `PutEvents rejected the run event of ${run.runId}: ${entry?.ErrorCode}: ${entry?.ErrorMessage}`);
    }
  }
}
