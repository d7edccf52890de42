/**
 * Sending alerts: each PENDING delivery of the outbox is sent, signed, to its rule's webhook;
 * a 2xx delivers it, anything else (a status, a refused address, a timeout) is retried on the
 * retry schedule (alert-rules.ts DEFAULT_RETRY_SCHEDULE_SECONDS) and, once it is used up, the
 * delivery is FAILED. Every attempt is logged on the delivery (status code, error, time). A
 * delivery of the last REPLAY_WINDOW_DAYS can be sent again by hand (redeliver); a rule can be
 * tested (a TEST alert, sent at once).
 */
import { ulid } from 'ulid';
import type { Principal } from '../domain.js';
import { gone, notFound } from '../errors.js';
import type { AlertDelivery, DeliveryAttempt } from '../alert-schemas.js';
import { deliveryIdOf, inReplayWindow, isDeliveryId, nextAttemptAt, occurrence, summaryOf, webhookBody } from '../rules/alert-rules.js';
import type { AlertStore, StoredAlert, StoredDelivery } from '../store/alert-store.js';
import type { Page } from '../store/db.js';
import { forEachLimited } from '../concurrency.js';
import type { WebhookSender } from '../webhooks/webhook-sender.js';
import type { AlertService } from './alerts.js';

/** Deliveries one drain sends at once. */
const SEND_CONCURRENCY = 4;

/** A delivery as the API shows it. */
export function deliveryView({ ownerId: _owner, ...delivery }: StoredDelivery): AlertDelivery {
  return delivery;
}

export class AlertDeliveryService {
  constructor(
    private readonly store: AlertStore,
    private readonly alerts: Pick<AlertService, 'getStored'>,
    private readonly sender: WebhookSender,
    /** Seconds before each retry (attempt 2, 3, …). */
    private readonly retrySchedule: readonly number[],
  ) {}

  /** Sends every delivery due at `now` (up to `limit`), each once. Returns how many were attempted. */
  async drain(now = new Date(), limit = 50): Promise<number> {
    const due = await this.store.due(now, limit);
    await forEachLimited(due, SEND_CONCURRENCY, async (listed) => {
      // The outbox index is eventually consistent: the delivery as it is now decides.
      const delivery = await this.store.getDelivery(listed.alertId, listed.deliveryId);
      if (delivery?.status === 'PENDING' && Date.parse(delivery.nextAttemptAt ?? '') <= now.getTime()) await this.attempt(delivery);
    });
    return due.length;
  }

  /**
   * The cloud's step for one queue message: sends the delivery if it is PENDING and due, and
   * says when it is due next (ms from now) if it is still PENDING after that; undefined when it
   * is done (DELIVERED, FAILED, MUTED, gone).
   */
  async deliverDue(alertId: string, deliveryId: string, now = new Date()): Promise<number | undefined> {
    let delivery = await this.store.getDelivery(alertId, deliveryId);
    if (delivery?.status !== 'PENDING') return undefined;
    if (Date.parse(delivery.nextAttemptAt ?? '') <= now.getTime()) delivery = await this.attempt(delivery);
    return delivery.status === 'PENDING' ? Math.max(0, Date.parse(delivery.nextAttemptAt!) - now.getTime()) : undefined;
  }

  /** Sends one PENDING delivery once and records the attempt (the next one scheduled, or the end). Returns the delivery after it. */
  async attempt(delivery: StoredDelivery, options: { redelivery?: boolean } = {}): Promise<StoredDelivery> {
    const rule = await this.store.get(delivery.alertId);
    const at = new Date();
    const number = delivery.attempts.length + 1;
    const result = rule ? await this.send(rule, delivery, at) : { ok: false, error: 'the alert rule was deleted', durationMs: 0 };
    const attempt: DeliveryAttempt = {
      attempt: number,
      at: at.toISOString(),
      ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
      ...(result.error && { error: result.error.slice(0, 500) }),
      durationMs: result.durationMs,
      ...(options.redelivery && { redelivery: true }),
    };
    let outcome: { status: 'PENDING'; next: string } | { status: 'DELIVERED' | 'FAILED' };
    if (result.ok) outcome = { status: 'DELIVERED' };
    else if (options.redelivery) outcome = delivery.status === 'PENDING' ? { status: 'PENDING', next: delivery.nextAttemptAt! } : { status: 'FAILED' };
    else {
      const next = rule ? nextAttemptAt(number, at, this.retrySchedule) : undefined;
      outcome = next ? { status: 'PENDING', next: next.toISOString() } : { status: 'FAILED' };
    }
    await this.store.recordAttempt(delivery, attempt, delivery.attempts.length, outcome);
    return {
      ...delivery,
      attempts: [...delivery.attempts, attempt],
      status: outcome.status,
      nextAttemptAt: outcome.status === 'PENDING' ? outcome.next : undefined,
      updatedAt: attempt.at,
    };
  }

  /** A rule's delivery log, newest first. @throws ClientError 404, 400 for a foreign cursor. */
  async list(principal: Principal, alertId: string, options: { cursor?: string; limit: number }): Promise<Page<AlertDelivery>> {
    await this.alerts.getStored(principal, alertId);
    const page = await this.store.deliveriesPage(alertId, options.limit, options.cursor);
    return { ...page, items: page.items.map(deliveryView) };
  }

  /** Sends a TEST alert through the rule now (muted or not) and returns its delivery; failures are retried as any alert's. @throws ClientError 404. */
  async test(principal: Principal, alertId: string): Promise<AlertDelivery> {
    const rule = await this.alerts.getStored(principal, alertId);
    const at = new Date().toISOString();
    const fields = { type: 'TEST' as const, alertId, at };
    const delivery: StoredDelivery = {
      deliveryId: deliveryIdOf(alertId, occurrence.test(ulid())),
      alertId,
      ownerId: rule.ownerId,
      event: { ...fields, summary: summaryOf(fields) },
      status: 'PENDING',
      attempts: [],
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    };
    await this.store.addDelivery(delivery);
    return deliveryView(await this.attempt(delivery));
  }

  /**
   * Sends a delivery again now, with the same webhook-id (a receiver that got it already can
   * tell), whatever its status; a success makes it DELIVERED. Only within REPLAY_WINDOW_DAYS.
   * @throws ClientError 404, 410 past the replay window.
   */
  async redeliver(principal: Principal, alertId: string, deliveryId: string): Promise<AlertDelivery> {
    await this.alerts.getStored(principal, alertId);
    const delivery = isDeliveryId(deliveryId) ? await this.store.getDelivery(alertId, deliveryId) : undefined;
    if (!delivery) throw notFound('delivery', deliveryId);
    if (!inReplayWindow(delivery.createdAt, new Date())) throw gone(`delivery ${deliveryId} is older than the replay window: it can no longer be sent again`);
    return deliveryView(await this.attempt(delivery, { redelivery: true }));
  }

  private send(rule: StoredAlert, delivery: StoredDelivery, at: Date) {
    return this.sender.send(
      { url: rule.webhook.url, secret: rule.webhookSecret, id: delivery.deliveryId, body: webhookBody(delivery.event, rule.webhook.format) },
      at,
    );
  }
}
