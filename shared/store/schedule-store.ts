/**
 * The schedule items (in their app's, their owner's and the all-schedules listings) and the
 * fire records under each schedule's partition key, keyed by scheduled time.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Schedule, ScheduleFire } from '../domain.js';
import { SCHEDULE_DEFAULTS } from '../schedule-schemas.js';
import { children, childrenQuery, indexAttributes, indexKeys, keys, KEY, partitionQuery, TTL_ATTRIBUTE, type IndexPartition } from '../table.js';
import { conditionHeld, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';
import { MigrationStore } from './migration-store.js';

/** A stored schedule with the settings added since it was written filled in. */
function scheduleOf(item: Record<string, unknown>): Schedule {
  return { ...SCHEDULE_DEFAULTS, ...fromItem<Schedule>(item) };
}

/** Whose schedules a listing holds: an app's (`appId`), an owner's (`ownerId`), or everyone's (neither). */
export interface ScheduleListing {
  appId?: string;
  ownerId?: string;
}

/** The index partition of a listing. */
function partitionOf({ appId, ownerId }: ScheduleListing): IndexPartition {
  if (appId !== undefined) return indexKeys.schedulesOfApp(appId);
  return ownerId !== undefined ? indexKeys.schedulesOfOwner(ownerId) : indexKeys.allSchedules();
}

export class ScheduleStore {
  private readonly migrations: MigrationStore;

  constructor(private readonly db: Db) {
    this.migrations = new MigrationStore(db);
  }

  /** Creates or replaces a schedule item. */
  async put(schedule: Schedule): Promise<void> {
    const item = {
      ...keys.schedule(schedule.scheduleId),
      ...indexAttributes(schedule.scheduleId, indexKeys.schedulesOfApp(schedule.appId), indexKeys.schedulesOfOwner(schedule.ownerId), indexKeys.allSchedules()),
      ...schedule,
    };
    await this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item }));
  }

  async get(scheduleId: string): Promise<Schedule | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.schedule(scheduleId) }));
    return out.Item ? scheduleOf(out.Item) : undefined;
  }

  /** Deletes the schedule item; its fire records stay as history. */
  async delete(scheduleId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.schedule(scheduleId) }));
  }

  /** One page of the schedules of an app, of an owner, or (neither) of everyone (ScheduleListing). @throws ClientError 400 for a foreign cursor. */
  async listPage(of: ScheduleListing, limit: number, cursor?: string): Promise<Page<Schedule>> {
    const page = await queryPage<Schedule>(this.db, { ...partitionQuery(partitionOf(of)), Limit: limit }, cursor);
    return { ...page, items: page.items.map((item) => scheduleOf(item)) };
  }

  /** Every schedule of an app, of an owner, or (neither) of everyone. */
  async listAll(of: ScheduleListing): Promise<Schedule[]> {
    return (await queryAll<Schedule>(this.db, partitionQuery(partitionOf(of)))).map((item) => scheduleOf(item));
  }

  /**
   * Moves the schedule's `lastSlot` (the latest slot with a ledger entry) forward to
   * `scheduledTime`; never back, and never onto a deleted schedule.
   */
  async markSlot(scheduleId: string, scheduledTime: string): Promise<void> {
    await conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.schedule(scheduleId),
          UpdateExpression: 'SET lastSlot = :t',
          ConditionExpression: `attribute_exists(${KEY.pk}) AND (attribute_not_exists(lastSlot) OR lastSlot < :t)`,
          ExpressionAttributeValues: { ':t': scheduledTime },
        }),
      ),
    );
  }

  /** True once `markMigrated(name)` was written (MigrationStore). */
  migrated(name: string): Promise<boolean> {
    return this.migrations.migrated(name);
  }

  markMigrated(name: string): Promise<void> {
    return this.migrations.markMigrated(name);
  }

  /** Changes a recorded fire's outcome (REPLACED, LAUNCH_FAILED) and what goes with it. */
  async updateFire(
    scheduleId: string,
    scheduledTime: string,
    patch: Pick<ScheduleFire, 'outcome'> & Partial<Pick<ScheduleFire, 'reason' | 'replacedRunIds'>>,
  ): Promise<void> {
    const names = Object.keys(patch);
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.tableName,
        Key: keys.fire(scheduleId, scheduledTime),
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(Object.entries(patch).map(([n, v]) => [`:${n}`, v])),
      }),
    );
  }

  /** Counts one more fire received for a recorded slot (a redelivery, deduplicated). */
  async countDelivery(scheduleId: string, scheduledTime: string): Promise<void> {
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.tableName,
        Key: keys.fire(scheduleId, scheduledTime),
        UpdateExpression: 'ADD deliveries :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /**
   * Records a fire's outcome unless one is recorded for that (schedule, time). Returns false when one is.
   * `expiresAt` (epoch s) lets DynamoDB's TTL delete the record; none keeps it.
   */
  claimFire(fire: ScheduleFire, expiresAt?: number): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: { ...keys.fire(fire.scheduleId, fire.scheduledTime), ...fire, ...(expiresAt !== undefined && { [TTL_ATTRIBUTE]: expiresAt }) },
          ConditionExpression: `attribute_not_exists(${KEY.pk})`,
        }),
      ),
    );
  }

  /** The recorded fire (a strongly consistent read), or undefined. */
  async getFire(scheduleId: string, scheduledTime: string): Promise<ScheduleFire | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.fire(scheduleId, scheduledTime), ConsistentRead: true }));
    return out.Item ? fromItem<ScheduleFire>(out.Item) : undefined;
  }

  /**
   * One page of a schedule's ledger, newest first, optionally between two slots (ISO 8601 UTC,
   * inclusive). @throws ClientError 400 for a foreign cursor.
   */
  firesPage(scheduleId: string, limit: number, cursor?: string, range: { from?: string; to?: string } = {}): Promise<Page<ScheduleFire>> {
    const { pk, skPrefix } = children.firesOfSchedule(scheduleId);
    const query =
      range.from || range.to
        ? {
            KeyConditionExpression: `${KEY.pk} = :pk AND ${KEY.sk} BETWEEN :from AND :to`,
            // '~' sorts after every character of an ISO time: an open end reaches the last slot.
            ExpressionAttributeValues: { ':pk': pk, ':from': `${skPrefix}${range.from ?? ''}`, ':to': `${skPrefix}${range.to ?? '~'}` },
          }
        : childrenQuery(children.firesOfSchedule(scheduleId));
    return queryPage<ScheduleFire>(this.db, { ...query, ScanIndexForward: false, Limit: limit }, cursor);
  }
}
