/**
 * An array job's writes on its parent run item (rules/array-rules.ts decides them): claiming the next
 * indexes to create, the one fill at a time that creates them (its claim, the wake-ups others leave it,
 * its release), counting a child that ended exactly once, and reading its children by index (the range of
 * their ids in their app's run listing, where each child is written as any run: store/run-store.ts).
 * Children are not written up front: the parent holds `arrayProperties.nextIndex` (children below it
 * exist) and the counts, so a 10,000-child array costs one item until its children start.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Run, TerminalStatus } from '../domain.js';
import { ARRAY_ENDED, ARRAY_FILL, indexKeys, KEY, keys, partitionQuery } from '../table.js';
import { childIdRange } from '../rules/array-rules.js';
import { fromItem, queryPage, updateIfHeld, type Db, type Page, type UpdateInput } from './db.js';

/** A parent as its filler reads it: the run, and how many wake-ups other fills have left it so far. */
export interface FillState {
  parent: Run;
  /** ARRAY_FILL.wakes as read: the filler's release is conditioned on it (a wake-up after the read refuses the release). */
  wakes: number;
  /** The token of the fill holding the parent now, if any. */
  fillerToken?: string;
}

export class ArrayStore {
  constructor(private readonly db: Db) {}

  /**
   * Moves the parent's nextIndex from `expected` to `to` (the children from `expected` to `to - 1` have been written), while
   * no stop was asked for (a stop reaches the children below the nextIndex it reads). False when it is no longer `expected`
   * (another caller moved it first) or a stop was asked for.
   */
  async advance(parentRunId: string, expected: number, to = expected + 1): Promise<boolean> {
    return (
      (await this.update(parentRunId, {
        UpdateExpression: 'SET arrayProperties.nextIndex = :next',
        ConditionExpression: 'arrayProperties.nextIndex = :expected AND attribute_not_exists(stopRequest)',
        ExpressionAttributeValues: { ':next': to, ':expected': expected },
      })) !== undefined
    );
  }

  /**
   * Makes the fill holding `token` the parent's filler until `until` (epoch ms), unless another fill holds it at `now` (epoch
   * ms). Returns the parent as it stands after the claim, or undefined when another fill holds it (or the parent is gone).
   */
  async claimFill(parentRunId: string, token: string, now: number, until: number): Promise<FillState | undefined> {
    const item = await this.updateItem(parentRunId, {
      UpdateExpression: `SET ${ARRAY_FILL.filler} = :filler`,
      ConditionExpression: `attribute_exists(${KEY.pk}) AND (attribute_not_exists(${ARRAY_FILL.filler}) OR ${ARRAY_FILL.filler}.#until < :now)`,
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':filler': { token, until }, ':now': now },
    });
    return item && fillState(item);
  }

  /**
   * Leaves the parent's filler a wake-up (children are due: one ended), if a fill holds the parent at `now` (epoch ms): it reads
   * the parent again before it lets go. False when none holds it (the caller may claim it instead).
   */
  async wakeFiller(parentRunId: string, now: number): Promise<boolean> {
    return (
      (await this.updateItem(parentRunId, {
        UpdateExpression: `ADD ${ARRAY_FILL.wakes} :one`,
        ConditionExpression: `attribute_exists(${ARRAY_FILL.filler}) AND ${ARRAY_FILL.filler}.#until >= :now`,
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':one': 1, ':now': now },
      })) !== undefined
    );
  }

  /** The parent as stored now (a strongly consistent read), with its fill's bookkeeping; undefined when it is gone. */
  async fillState(parentRunId: string): Promise<FillState | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.run(parentRunId), ConsistentRead: true }));
    return out.Item && fillState(out.Item);
  }

  /**
   * Lets go of the parent, if the fill holding `token` still holds it and, given `wakes`, no wake-up came since that count was
   * read. False otherwise: the filler reads the parent again (a child ended meanwhile) or, its claim lost, stops.
   */
  async releaseFill(parentRunId: string, token: string, wakes?: number): Promise<boolean> {
    const unwoken = wakes === undefined ? '' : wakes === 0 ? ` AND attribute_not_exists(${ARRAY_FILL.wakes})` : ` AND ${ARRAY_FILL.wakes} = :wakes`;
    return (
      (await this.updateItem(parentRunId, {
        UpdateExpression: `REMOVE ${ARRAY_FILL.filler}`,
        ConditionExpression: `${ARRAY_FILL.filler}.#token = :token${unwoken}`,
        ExpressionAttributeNames: { '#token': 'token' },
        ExpressionAttributeValues: { ':token': token, ...(wakes !== undefined && wakes > 0 && { ':wakes': wakes }) },
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

  private async update(runId: string, input: UpdateInput): Promise<Run | undefined> {
    const item = await this.updateItem(runId, input);
    return item && fromItem<Run>(item);
  }

  /** The conditional update of the run item; its item after it (storage attributes included), or undefined when refused. */
  private updateItem(runId: string, input: UpdateInput): Promise<Record<string, unknown> | undefined> {
    return updateIfHeld(this.db, keys.run(runId), input);
  }
}

function fillState(item: Record<string, unknown>): FillState {
  const filler = item[ARRAY_FILL.filler] as { token?: string } | undefined;
  return { parent: fromItem<Run>(item), wakes: Number(item[ARRAY_FILL.wakes] ?? 0), fillerToken: filler?.token };
}
