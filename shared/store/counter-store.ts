/**
 * Fixed-window counters in the table (rate limits and lockouts): one item per (what is
 * counted, window), incremented with a conditional UpdateItem ADD, so the count is shared by
 * every process and Lambda instance (no in-memory counters) and the check and the increment
 * are one atomic write. Each item carries a TTL past its window, so DynamoDB removes it.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, TTL_ATTRIBUTE } from '../table.js';
import { isConditionFailed, type Db } from './db.js';

/** One counter: what it counts, its window's start (epoch ms) and when its item may go (epoch s). */
export interface CounterWindow {
  name: string;
  windowStart: number;
  expiresAt: number;
}

export class CounterStore {
  constructor(private readonly db: Db) {}

  /** Adds one unless the count has reached `max`. Returns the count after it, or undefined when it was at `max` already. */
  async hitUnder(window: CounterWindow, max: number): Promise<number | undefined> {
    try {
      return await this.add(window, { ConditionExpression: 'attribute_not_exists(hits) OR hits < :max', ExpressionAttributeValues: { ':max': max } });
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Adds one, whatever the count. Returns the count after it. */
  hit(window: CounterWindow): Promise<number> {
    return this.add(window, {});
  }

  /** The count (0 when nothing was counted in the window). */
  async count(window: CounterWindow): Promise<number> {
    const out = await this.db.doc.send(
      new GetCommand({ TableName: this.db.tableName, Key: keys.counter(window.name, window.windowStart), ConsistentRead: true }),
    );
    return Number(out.Item?.hits ?? 0);
  }

  private async add(window: CounterWindow, condition: { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> }): Promise<number> {
    const out = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.tableName,
        Key: keys.counter(window.name, window.windowStart),
        UpdateExpression: `ADD hits :one SET ${TTL_ATTRIBUTE} = :expiresAt`,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': window.expiresAt, ...condition.ExpressionAttributeValues },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(out.Attributes?.hits);
  }
}
