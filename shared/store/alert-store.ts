/**
 * Alert rules, their deliveries and MISSED_SLOT cursors. A rule is in its owner's and the
 * all-rules listings; a delivery sits under its rule's key, in the rule's delivery log (byParent,
 * by creation time) and, while PENDING, in the outbox (the sparse `active` index, by the time of
 * its next attempt). A delivery's id is derived from what it reports (rules/alert-rules.ts
 * deliveryIdOf), and it is written only if absent: observing an event twice writes one alert.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, AlertDelivery, DeliveryAttempt } from '../alert-schemas.js';
import { DELIVERY_TTL_DAYS } from '../rules/alert-rules.js';
import { INDEXES, indexAttributes, indexKeys, KEY, keys, partitionQuery, TTL_ATTRIBUTE, type IndexPartition } from '../table.js';

const rulesOf = (ownerId: string | undefined): IndexPartition => (ownerId === undefined ? indexKeys.allAlerts() : indexKeys.alertsOfOwner(ownerId));
import { conditionHeld, countAll, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';

/** A rule as stored: with its signing secret, which only the sender reads. */
export type StoredAlert = Alert & { webhookSecret: string };

/** A delivery as stored: with its owner, for the API's ownership check. */
export type StoredDelivery = AlertDelivery & { ownerId: string };

/** Where a MISSED_SLOT rule is in one schedule's slots. */
export interface SlotCursor {
  /** Slots up to this time (ISO 8601) have been judged. */
  checkedUntil: string;
  /** The first slot of the current run of missed slots (alerted), absent when the last judged slot started a run. */
  openSince?: string;
}

const [outboxPk, outboxSk] = INDEXES.active;

export class AlertStore {
  constructor(private readonly db: Db) {}

  /** Creates or replaces a rule. */
  async put(alert: StoredAlert): Promise<void> {
    const item = {
      ...keys.alert(alert.alertId),
      ...indexAttributes(alert.alertId, indexKeys.alertsOfOwner(alert.ownerId), indexKeys.allAlerts()),
      ...alert,
    };
    await this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item }));
  }

  async get(alertId: string): Promise<StoredAlert | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.alert(alertId) }));
    return out.Item ? fromItem<StoredAlert>(out.Item) : undefined;
  }

  /** Deletes the rule; its deliveries expire by TTL (the outbox fails those still pending, their rule gone). */
  async delete(alertId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.alert(alertId) }));
  }

  /** One page of the owner's rules (`ownerId` undefined: everyone's), newest first. @throws ClientError 400 for a foreign cursor. */
  async listPage(ownerId: string | undefined, limit: number, cursor?: string): Promise<Page<StoredAlert>> {
    return queryPage<StoredAlert>(this.db, { ...partitionQuery(rulesOf(ownerId)), Limit: limit, ScanIndexForward: false }, cursor);
  }

  /** Every rule of an owner (the rules an event of theirs is matched against), or of everyone (`ownerId` undefined). */
  async listAll(ownerId: string | undefined): Promise<StoredAlert[]> {
    return queryAll<StoredAlert>(this.db, partitionQuery(rulesOf(ownerId)));
  }

  async countOfOwner(ownerId: string): Promise<number> {
    return countAll(this.db, partitionQuery(indexKeys.alertsOfOwner(ownerId)));
  }

  /**
   * Writes a new delivery (PENDING in the outbox, or MUTED) unless one with its id exists.
   * Returns true when written by this call.
   */
  async addDelivery(delivery: StoredDelivery): Promise<boolean> {
    const item = {
      ...keys.alertDelivery(delivery.alertId, delivery.deliveryId),
      ...indexAttributes(`${delivery.createdAt}#${delivery.deliveryId}`, indexKeys.deliveriesOfAlert(delivery.alertId)),
      ...(delivery.status === 'PENDING' && outboxAttributes(delivery.deliveryId, delivery.nextAttemptAt!)),
      [TTL_ATTRIBUTE]: Math.floor(Date.parse(delivery.createdAt) / 1000) + DELIVERY_TTL_DAYS * 86_400,
      ...delivery,
    };
    return conditionHeld(
      this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item, ConditionExpression: `attribute_not_exists(${KEY.pk})` })),
    );
  }

  async getDelivery(alertId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.alertDelivery(alertId, deliveryId), ConsistentRead: true }));
    return out.Item ? fromItem<StoredDelivery>(out.Item) : undefined;
  }

  /** A rule's delivery log, newest first. */
  async deliveriesPage(alertId: string, limit: number, cursor?: string): Promise<Page<StoredDelivery>> {
    return queryPage<StoredDelivery>(this.db, { ...partitionQuery(indexKeys.deliveriesOfAlert(alertId)), Limit: limit, ScanIndexForward: false }, cursor);
  }

  /** Deliveries whose next attempt is due at `now`, oldest first (an eventually consistent index: the attempt re-reads each). */
  async due(now: Date, limit: number): Promise<StoredDelivery[]> {
    const page = await queryPage<StoredDelivery>(this.db, {
      ...partitionQuery(indexKeys.alertOutbox(), { low: '0', high: `${now.toISOString()}#~` }),
      Limit: limit,
    });
    return page.items;
  }

  /**
   * Records an attempt, on condition that the delivery still has `attemptsBefore` attempts (so
   * two senders racing record one): with `next`, it stays PENDING until then; else it is
   * `status` and leaves the outbox. Returns false when another attempt got there first.
   */
  async recordAttempt(
    delivery: StoredDelivery,
    attempt: DeliveryAttempt,
    attemptsBefore: number,
    outcome: { status: 'PENDING'; next: string } | { status: 'DELIVERED' | 'FAILED' },
  ): Promise<boolean> {
    const pending = outcome.status === 'PENDING';
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.alertDelivery(delivery.alertId, delivery.deliveryId),
          UpdateExpression: pending
            ? `SET attempts = list_append(attempts, :a), #status = :s, updatedAt = :at, nextAttemptAt = :next, ${outboxPk} = :opk, ${outboxSk} = :osk`
            : `SET attempts = list_append(attempts, :a), #status = :s, updatedAt = :at REMOVE nextAttemptAt, ${outboxPk}, ${outboxSk}`,
          ConditionExpression: `attribute_exists(${KEY.pk}) AND size(attempts) = :n`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':a': [withoutUndefined(attempt)],
            ':s': outcome.status,
            ':at': attempt.at,
            ':n': attemptsBefore,
            ...(pending && { ':next': outcome.next, ':opk': indexKeys.alertOutbox().pk, ':osk': `${outcome.next}#${delivery.deliveryId}` }),
          },
        }),
      ),
    );
  }

  async getSlots(alertId: string, scheduleId: string): Promise<SlotCursor | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.alertSlots(alertId, scheduleId), ConsistentRead: true }));
    return out.Item ? fromItem<SlotCursor>(out.Item) : undefined;
  }

  /** Moves a cursor on, on condition that it is still at `before` (one sweep at a time wins). */
  async putSlots(alertId: string, scheduleId: string, cursor: SlotCursor, before?: SlotCursor): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: { ...keys.alertSlots(alertId, scheduleId), ...withoutUndefined(cursor) },
          ...(before
            ? { ConditionExpression: 'checkedUntil = :before', ExpressionAttributeValues: { ':before': before.checkedUntil } }
            : { ConditionExpression: `attribute_not_exists(${KEY.pk})` }),
        }),
      ),
    );
  }
}

function outboxAttributes(deliveryId: string, nextAttemptAt: string): Record<string, string> {
  return { [outboxPk]: indexKeys.alertOutbox().pk, [outboxSk]: `${nextAttemptAt}#${deliveryId}` };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
