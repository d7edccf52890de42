/**
 * The items a run's results leave: each posted result under the run's partition key (sk
 * `RESULT#<ulid>`, in the order posted), one point per metric in the app's metric series
 * partition (sorted by time), a pointer to the last result on the run item (`resultId`, `resultAt`,
 * `resultMetrics`: never the result itself, which is up to 64 KiB and would be copied into every
 * index the run is in), and the run token's hash.
 * Each carries the TTL attribute when its run is not kept forever.
 */
import { BatchWriteCommand, DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Run } from '../domain.js';
import type { MetricPoint } from '../schemas.js';
import { children, childrenQuery, keys, KEY, metricSeriesPk, partitionQuery, RUN_TOKEN_HASH, shardedPartitions, TTL_ATTRIBUTE } from '../table.js';
import { conditionHeld, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';

/** What checking a run token needs of the run, and what masking its result needs (its secrets' versions). */
export type TokenSubject = Pick<Run, 'runId' | 'appId' | 'ownerId' | 'status' | 'timeoutSeconds' | 'retentionDays' | 'secretVersions'> & { tokenHash?: string };

/** One posted result as stored. */
export interface StoredResult {
  runId: string;
  appId: string;
  resultId: string;
  at: string;
  result: Record<string, unknown>;
  /** The names of its metrics, so its points can be found again. */
  metrics: string[];
}

/** BatchWriteItem takes at most 25 requests (AWS API reference). */
const BATCH = 25;

export class ResultStore {
  constructor(private readonly db: Db) {}

  /** Keeps the hash of the run's current token (a relaunch replaces it). */
  async setTokenHash(runId: string, hash: string): Promise<void> {
    await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.tableName,
        Key: keys.run(runId),
        UpdateExpression: `SET ${RUN_TOKEN_HASH} = :hash`,
        ConditionExpression: `attribute_exists(${KEY.pk})`,
        ExpressionAttributeValues: { ':hash': hash },
      }),
    );
  }

  /** The run as a token check needs it (a strongly consistent read), or undefined. */
  async tokenSubject(runId: string): Promise<TokenSubject | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.run(runId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { appId, ownerId, status, timeoutSeconds, retentionDays, secretVersions } = out.Item as Run;
    return { runId, appId, ownerId, status, timeoutSeconds, retentionDays, secretVersions, tokenHash: out.Item[RUN_TOKEN_HASH] as string | undefined };
  }

  /**
   * Writes one result: its item, its metric points, and (unless a later one is there already)
   * the run's pointer to it (`resultId`, `resultAt`, `resultMetrics`); a `result` an older
   * release copied onto the run goes in the same write. `expiresAt` is epoch s (TTL), or undefined to keep them.
   */
  async put(stored: StoredResult, metrics: [name: string, value: number][], expiresAt?: number): Promise<void> {
    const ttl = expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: expiresAt };
    const points = metrics.map(([name, value]) => ({
      ...keys.metricPoint(stored.appId, name, stored.at, stored.resultId),
      time: stored.at,
      runId: stored.runId,
      value,
      ...ttl,
    }));
    // The result and its points in as few requests as BatchWriteItem allows.
    const items = [{ ...keys.result(stored.runId, stored.resultId), ...stored, ...ttl }, ...points];
    await this.batch(items.map((Item) => ({ PutRequest: { Item } })));
    await conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.run(stored.runId),
          UpdateExpression: 'SET resultId = :id, resultAt = :at, resultMetrics = :metrics REMOVE #result',
          // Posts come one after another from one job: a later or same-millisecond one replaces the last.
          ConditionExpression: `attribute_exists(${KEY.pk}) AND (attribute_not_exists(resultAt) OR resultAt <= :at)`,
          ExpressionAttributeNames: { '#result': 'result' },
          ExpressionAttributeValues: { ':id': stored.resultId, ':at': stored.at, ':metrics': stored.metrics },
        }),
      ),
    );
  }

  /** The result a run's pointer names (one GetItem by key), or undefined when it is gone (expired). */
  async get(runId: string, resultId: string): Promise<StoredResult | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.result(runId, resultId) }));
    return out.Item ? fromItem<StoredResult>(out.Item) : undefined;
  }

  /**
   * Moves a run item an older release wrote, with the last result copied onto it (`result`), to
   * the pointer: `resultId` names its newest RESULT# item and `result` goes, in one conditional
   * write (only while `result` is there and `resultAt` unchanged, so a post meanwhile wins).
   * Returns true when it changed the item; a run without `result` is left as it is (idempotent).
   */
  async stripInlineResult(runId: string): Promise<boolean> {
    const out = await this.db.doc.send(
      new GetCommand({
        TableName: this.db.tableName,
        Key: keys.run(runId),
        ProjectionExpression: '#result, resultAt',
        ExpressionAttributeNames: { '#result': 'result' },
      }),
    );
    if (!out.Item || out.Item.result === undefined) return false;
    const newest = await this.db.doc.send(
      new QueryCommand({ TableName: this.db.tableName, ...childrenQuery(children.resultsOfRun(runId)), ScanIndexForward: false, Limit: 1 }),
    );
    const last = newest.Items?.[0] as StoredResult | undefined;
    const at = out.Item.resultAt as string | undefined;
    const pointer = last ? 'SET resultId = :id, resultMetrics = :metrics ' : '';
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.run(runId),
          UpdateExpression: `${pointer}REMOVE #result`,
          ConditionExpression:
            at === undefined ? 'attribute_exists(#result) AND attribute_not_exists(resultAt)' : 'attribute_exists(#result) AND resultAt = :at',
          ExpressionAttributeNames: { '#result': 'result' },
          // DynamoDB refuses an empty ExpressionAttributeValues.
          ExpressionAttributeValues:
            last || at !== undefined ? { ...(last && { ':id': last.resultId, ':metrics': last.metrics }), ...(at !== undefined && { ':at': at }) } : undefined,
        }),
      ),
    );
  }

  /** A run's results, in the order posted. */
  results(runId: string): Promise<StoredResult[]> {
    return queryAll<StoredResult>(this.db, childrenQuery(children.resultsOfRun(runId)));
  }

  /**
   * One page of an app's metric series, oldest first, between two ISO times (inclusive),
   * leaving out points whose TTL has passed. @throws ClientError 400 for a foreign cursor.
   */
  series(appId: string, name: string, range: { from: string; to: string }, now: Date, limit: number, cursor?: string): Promise<Page<MetricPoint>> {
    return queryPage<MetricPoint>(
      this.db,
      {
        KeyConditionExpression: `${KEY.pk} = :pk AND ${KEY.sk} BETWEEN :from AND :to`,
        FilterExpression: `attribute_not_exists(${TTL_ATTRIBUTE}) OR ${TTL_ATTRIBUTE} > :now`,
        ProjectionExpression: '#time, runId, #value',
        ExpressionAttributeNames: { '#time': 'time', '#value': 'value' },
        ExpressionAttributeValues: { ':pk': metricSeriesPk(appId, name), ':from': range.from, ':to': range.to, ':now': Math.floor(now.getTime() / 1000) },
        Limit: limit,
      },
      cursor,
    );
  }

  /**
   * Ids of the runs whose item carries a `result` (as older releases wrote it): a Query on each shard
   * of the all-runs index, or undefined when the index read projects only some attributes (then
   * `result` is not on it: the migration had to run before that index replaced the previous release's).
   */
  async runIdsWithInlineResult(): Promise<string[] | undefined> {
    if (this.db.indexes.byKind.projection !== 'ALL') return undefined;
    const shards = await Promise.all(
      shardedPartitions.allRuns().map((partition) =>
        queryAll<{ runId: string }>(this.db, {
          ...partitionQuery(partition),
          FilterExpression: 'attribute_exists(#result)',
          ProjectionExpression: 'runId',
          ExpressionAttributeNames: { '#result': 'result' },
        }),
      ),
    );
    return shards.flat().map((item) => item.runId);
  }

  /** Ids of finished runs whose TTL has passed at `now` (a Query on each shard of the all-runs index; dev mode's sweep, since dynalite has no TTL). */
  async expiredRunIds(now: Date): Promise<string[]> {
    const shards = await Promise.all(
      shardedPartitions.allRuns().map((partition) => {
        const key = partitionQuery(partition);
        return queryAll<{ runId: string }>(this.db, {
          ...key,
          FilterExpression: `${TTL_ATTRIBUTE} <= :now`,
          ProjectionExpression: 'runId',
          ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ':now': Math.floor(now.getTime() / 1000) },
        });
      }),
    );
    return shards.flat().map((item) => item.runId);
  }

  /** Deletes a run's results, their metric points, then the run item itself (last, so a crash midway is retried). */
  async deleteRun(runId: string): Promise<void> {
    const results = await this.results(runId);
    const keysToDelete = results.flatMap((r) => [
      ...r.metrics.map((name) => keys.metricPoint(r.appId, name, r.at, r.resultId)),
      keys.result(runId, r.resultId),
    ]);
    await this.batch(keysToDelete.map((Key) => ({ DeleteRequest: { Key } })));
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.run(runId) }));
  }

  private async batch(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + BATCH);
      // DynamoDB may leave some requests unprocessed under load; send those again.
      while (pending && pending.length > 0) {
        const out = await this.db.doc.send(new BatchWriteCommand({ RequestItems: { [this.db.tableName]: pending } }));
        pending = out.UnprocessedItems?.[this.db.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }
}
