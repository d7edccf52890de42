/**
 * The schedule items (in their app's, their owner's and the all-schedules listings) and the
 * fire records under each schedule's partition key, keyed by scheduled time.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Schedule, ScheduleFire } from '../domain.js';
import { children, childrenQuery, indexAttributes, indexKeys, keys, KEY, partitionQuery, TTL_ATTRIBUTE, type IndexPartition } from '../table.js';
import { conditionHeld, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';

export class ScheduleStore {
  constructor(private readonly db: Db) {}

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
    return out.Item ? fromItem<Schedule>(out.Item) : undefined;
  }

  /** Deletes the schedule item; its fire records stay as history. */
  async delete(scheduleId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.schedule(scheduleId) }));
  }

  /** One page of schedules in an index partition. @throws ClientError 400 for a foreign cursor. */
  listPage(partition: IndexPartition, limit: number, cursor?: string): Promise<Page<Schedule>> {
    return queryPage<Schedule>(this.db, { ...partitionQuery(partition), Limit: limit }, cursor);
  }

  /** Every schedule in an index partition. */
  listAll(partition: IndexPartition): Promise<Schedule[]> {
    return queryAll<Schedule>(this.db, partitionQuery(partition));
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

  /** One page of a schedule's fires, newest first. @throws ClientError 400 for a foreign cursor. */
  firesPage(scheduleId: string, limit: number, cursor?: string): Promise<Page<ScheduleFire>> {
    return queryPage<ScheduleFire>(this.db, { ...childrenQuery(children.firesOfSchedule(scheduleId)), ScanIndexForward: false, Limit: limit }, cursor);
  }
}
