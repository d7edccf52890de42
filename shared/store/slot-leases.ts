/**
 * At most N holders of something at once, across processes and Lambda instances: N slot items
 * (counter keys `<name>:<slot>`), each taken with a conditional PutItem and held until released
 * or until its lease runs out. A lease rather than a counter: a holder that never releases (a
 * function killed at its timeout) frees its slot when the lease ends instead of keeping it forever.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys, TTL_ATTRIBUTE } from '../table.js';
import { conditionHeld, type Db } from './db.js';

/** A held slot; `release` frees it (idempotent; a slot already taken over by another holder is left alone). */
export interface SlotLease {
  slot: number;
  release(): Promise<void>;
}

export class SlotLeases {
  constructor(private readonly db: Db) {}

  /**
   * Takes a free slot of `name` (0 … `slots` − 1) for `holder` until `leaseMs` from now: the first
   * slot that is absent or whose lease has ended. Undefined when all `slots` are held.
   */
  async acquire(name: string, slots: number, holder: string, leaseMs: number, now = Date.now()): Promise<SlotLease | undefined> {
    for (let slot = 0; slot < slots; slot++) {
      const key = keys.counter(`${name}:${slot}`, 0);
      const taken = await conditionHeld(
        this.db.doc.send(
          new PutCommand({
            TableName: this.db.tableName,
            Item: { ...key, holder, leaseUntil: now + leaseMs, [TTL_ATTRIBUTE]: Math.ceil((now + leaseMs) / 1000) },
            ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
      if (taken) {
        return {
          slot,
          release: async () => {
            await conditionHeld(
              this.db.doc.send(
                new DeleteCommand({
                  TableName: this.db.tableName,
                  Key: key,
                  ConditionExpression: 'holder = :holder',
                  ExpressionAttributeValues: { ':holder': holder },
                }),
              ),
            );
          },
        };
      }
    }
    return undefined;
  }
}
