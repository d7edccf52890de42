/**
 * A token bucket shared by every process and Lambda instance, kept in one table item (a
 * counter key): callers reserve the next free slot of a rate, so N + 1 callers share it
 * instead of the N + 1th exceeding it. Stored as GCRA's theoretical arrival time (`tat`, epoch
 * ms), a token bucket of `burst` tokens refilled at `perSecond`: one conditional UpdateItem per
 * reservation (two when the bucket was idle), never a read.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, TTL_ATTRIBUTE } from '../table.js';
import { isConditionFailed, type Db } from './db.js';

/** A bucket's rate and size. */
export interface TokenBucketRate {
  /** Tokens added per second (the sustained rate). */
  perSecond: number;
  /** Tokens the bucket holds when full (calls allowed back to back after an idle spell). */
  burst: number;
}

export class SharedTokenBucket {
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  /** `name` is the counter the bucket is kept under (keys.counter(name, 0)). */
  constructor(
    private readonly db: Db,
    private readonly name: string,
    rate: TokenBucketRate,
  ) {
    this.intervalMs = 1000 / rate.perSecond;
    this.toleranceMs = (Math.max(1, rate.burst) - 1) * this.intervalMs;
  }

  /**
   * Reserves one token: resolves to the time (epoch ms) it may be used, now or later, or to
   * undefined when the earliest free slot is more than `maxWaitMs` away (nothing is reserved then).
   */
  async reserve(maxWaitMs: number, now = Date.now()): Promise<number | undefined> {
    // An idle bucket (its arrival time behind now) starts again from now: the token is free at once.
    if (await this.update('SET tat = :next', 'attribute_not_exists(tat) OR tat <= :now', { ':now': now, ':next': now + this.intervalMs }, now)) return now;
    // A busy one: take the slot after the last reserved, unless it is too far away.
    const old = await this.update(
      'SET tat = tat + :interval',
      'tat > :now AND tat <= :latest',
      {
        ':now': now,
        ':interval': this.intervalMs,
        ':latest': now + maxWaitMs + this.toleranceMs,
      },
      now,
    );
    if (old === undefined) return undefined;
    return Math.max(now, old - this.toleranceMs);
  }

  /** One conditional write; the arrival time before it, or undefined when the condition failed. */
  private async update(expression: string, condition: string, values: Record<string, number>, now: number): Promise<number | undefined> {
    try {
      const out = await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.counter(this.name, 0),
          UpdateExpression: `${expression}, ${TTL_ATTRIBUTE} = :expiresAt`,
          ConditionExpression: condition,
          // The item goes once the bucket has been idle a day.
          ExpressionAttributeValues: { ...values, ':expiresAt': Math.ceil(now / 1000) + 86_400 },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Number(out.Attributes?.tat ?? now);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}
