/**
 * An array job's writes on its parent run item (rules/array-rules.ts decides them): claiming the next
 * index to create, counting a child that ended exactly once, and reading its children by index (the range of
 * their ids in their app's run listing, where each child is written as any run: store/run-store.ts).
 * Children are not written up front: the parent holds `arrayProperties.nextIndex` (children below it
 * exist) and the counts, so a 10,000-child array costs one item until its children start.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Run, TerminalStatus } from '../domain.js';
import { ARRAY_ENDED, indexKeys, KEY, keys, partitionQuery } from '../table.js';
import { childIdRange } from '../rules/array-rules.js';
import { fromItem, isConditionFailed, queryPage, type Db, type Page } from './db.js';

export class ArrayStore {
  constructor(private readonly db: Db) {}

  /**
   * Moves the parent's nextIndex from `expected` to `expected + 1` (the child at `expected` has been written). False when it
   * is no longer `expected` (another caller moved it first).
   */
  async advance(parentRunId: string, expected: number): Promise<boolean> {
    return (
      (await this.update(parentRunId, {
        UpdateExpression: 'SET arrayProperties.nextIndex = :next',
        ConditionExpression: 'arrayProperties.nextIndex = :expected',
        ExpressionAttributeValues: { ':next': expected + 1, ':expected': expected },
      })) !== undefined
    );
  }

  /**
   * Counts the child at `index` as ended with `status`, once: its index joins the parent's ARRAY_ENDED set and its status's
   * count goes up by one in the same conditional write, so a repeated settlement counts nothing. Returns the parent after it,
   * or undefined when the index was counted already (or the parent is gone).
   */
  countEnded(parentRunId: string, index: number, status: TerminalStatus): Promise<Run | undefined> {
    return this.update(parentRunId, {
      UpdateExpression: `ADD ${ARRAY_ENDED} :indexes SET arrayProperties.statusSummary.#status = arrayProperties.statusSummary.#status + :one`,
      ConditionExpression: `attribute_exists(${KEY.pk}) AND NOT contains(${ARRAY_ENDED}, :index)`,
      ExpressionAttributeNames: { '#status': status },
      ExpressionAttributeValues: { ':indexes': new Set([index]), ':index': index, ':one': 1 },
    });
  }

  /**
   * One page of a parent's children that have been created (every attempt), by index then attempt: the range of their ids
   * in their app's run listing, where they sit beside the parent. @throws ClientError 400 for a foreign cursor.
   */
  children(parent: Pick<Run, 'runId' | 'appId'>, page: { limit: number; cursor?: string }): Promise<Page<Run>> {
    return queryPage<Run>(
      this.db,
      { ...partitionQuery(indexKeys.runsOfApp(parent.appId), childIdRange(parent.runId)), ScanIndexForward: true, Limit: page.limit },
      page.cursor,
    );
  }

  private async update(
    runId: string,
    input: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<Run | undefined> {
    try {
      const out = await this.db.doc.send(new UpdateCommand({ ...input, TableName: this.db.tableName, Key: keys.run(runId), ReturnValues: 'ALL_NEW' }));
      return fromItem<Run>(out.Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}
