/**
 * The run items: every DynamoDB expression the run workflow needs, each conditional-write
 * failure turned into a domain result (false / undefined: "stale, repeated, or someone got
 * there first"). The rules that decide what to write are in rules/run-rules.ts.
 *
 * A run item sits in the app's and the owner's run listings and its shard of the all-runs listing
 * for its lifetime, and in its shard of the sparse `active` index until it is settled (a run of
 * a schedule also has a marker under the schedule until then). A marker under its owner, which the
 * run quota counts, goes first thing when it is settled. It keeps `statusRank` and `taskVersion`
 * (RUN_ORDER) so a transition's condition can refuse stale events.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isTerminal, type ContainerState, type LaunchRetry, type Run, type RunStatus, type StopRequest, type Transition } from '../domain.js';
import { invalidCursor } from '../errors.js';
import { statusRank, TERMINAL_RANK } from '../rules/run-rules.js';
import {
  children,
  childrenQuery,
  indexAttributes,
  indexKeys,
  INDEXES,
  keys,
  KEY,
  partitionQuery,
  RUN_ORDER,
  runShard,
  shardedPartitions,
  TTL_ATTRIBUTE,
  type IndexPartition,
} from '../table.js';
import { conditionHeld, countAll, fromItem, queryAll, queryPage, updateIfHeld, type Db, type Page, type UpdateInput } from './db.js';
import { itemsOf, needsItems } from './hydrate.js';

/** Fields a transition may set besides the status and history. */
export type TransitionFields = Partial<
  Pick<Run, 'taskRef' | 'startedAt' | 'stoppedAt' | 'exitCode' | 'stoppedReason' | 'durationMs' | 'nextRunId' | 'containers' | 'imageDigest'>
>;

/** One status change of a run, written in one conditional UpdateItem. */
export interface RunTransition {
  /** The history entry appended; its status is the run's new status. */
  entry: Transition;
  /** Set in the same write; undefined ones are left as they are. */
  fields?: TransitionFields;
  /** The backend's event order for the task (ECS detail.version); when given, it must be above the stored one. */
  taskVersion?: number;
  /** Epoch s after which DynamoDB's TTL may delete the run. */
  expiresAt?: number;
}

/** A listing of runs, newest first: `range` bounds the ULID run ids (inclusive); `status` filters each page. */
export interface RunListing {
  range: { low: string; high: string };
  status?: RunStatus;
  limit: number;
  cursor?: string;
}

export class RunStore {
  /** The table, for the stores that write run items besides this one (array-store.ts). */
  constructor(readonly db: Db) {}

  /**
   * Writes a new run (in the active index), after its markers: its owner's (the run quota counts
   * it until the run is terminal) and, for a schedule's run, its schedule's. A crash can thus
   * leave a marker without a run, which both readers ignore, never a run without its markers.
   * Returns false when a run with its id exists already.
   */
  async insert(run: Run): Promise<boolean> {
    const shard = runShard(run.runId);
    const markers = [keys.activeRunOfOwner(run.ownerId, run.runId), ...(run.scheduleId ? [keys.activeRunOfSchedule(run.scheduleId, run.runId)] : [])];
    await Promise.all(markers.map((marker) => this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: { ...marker, runId: run.runId } }))));
    const item = {
      ...keys.run(run.runId),
      // An array job's child is in its app's listing like any run: its id (`<parentRunId>-<index>`) sorts it beside its
      // parent there, and its parent's children are the id range after the parent's id (store/array-store.ts).
      ...indexAttributes(run.runId, indexKeys.runsOfApp(run.appId), indexKeys.runsOfOwner(run.ownerId), indexKeys.allRuns(shard), indexKeys.activeRuns(shard)),
      [RUN_ORDER.statusRank]: statusRank(run.status),
      ...run,
    };
    return conditionHeld(
      this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item, ConditionExpression: `attribute_not_exists(${KEY.pk})` })),
    );
  }

  /** The run as stored now (a strongly consistent read), or undefined. */
  async get(runId: string): Promise<Run | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.run(runId), ConsistentRead: true }));
    return out.Item ? fromItem<Run>(out.Item) : undefined;
  }

  /**
   * The one write that changes a run's status: sets it, its rank and the given fields, and
   * appends the history entry, on condition that the run exists and the new status ranks
   * above the stored one (and so does `taskVersion`, when given). Returns the run after it,
   * or undefined when the run is unknown or the change is stale or repeated.
   */
  transition(runId: string, { entry, fields = {}, taskVersion, expiresAt }: RunTransition): Promise<Run | undefined> {
    const assigned = Object.entries({ ...fields, [RUN_ORDER.taskVersion]: taskVersion, [TTL_ATTRIBUTE]: expiresAt }).filter(([, value]) => value !== undefined);
    const set = [
      '#status = :status',
      `${RUN_ORDER.statusRank} = :rank`,
      'history = list_append(history, :entry)',
      ...assigned.map(([name]) => `${name} = :${name}`),
    ];
    const version =
      taskVersion === undefined ? '' : ` AND (attribute_not_exists(${RUN_ORDER.taskVersion}) OR ${RUN_ORDER.taskVersion} < :${RUN_ORDER.taskVersion})`;
    return this.update(runId, {
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: `attribute_exists(${KEY.pk}) AND ${RUN_ORDER.statusRank} < :rank${version}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': entry.status,
        ':rank': statusRank(entry.status),
        // DynamoDB cannot store undefined members of the entry.
        ':entry': [withoutUndefined(entry)],
        ...Object.fromEntries(assigned.map(([name, value]) => [`:${name}`, value])),
      },
    });
  }

  /** Records the task a launch started, and when (ISO 8601); a deferred launch's bookkeeping goes. Returns the run after it. */
  async setTaskRef(runId: string, taskRef: string, launchedAt: string): Promise<Run> {
    return (await this.update(runId, {
      UpdateExpression: 'SET taskRef = :ref, launchedAt = :at REMOVE launchRetry',
      ExpressionAttributeValues: { ':ref': taskRef, ':at': launchedAt },
    }))!;
  }

  /**
   * Records a deferred launch while the run is still PENDING without a task. Returns the run
   * after it, or undefined when it has moved on meanwhile (launched or ended by someone else).
   */
  deferLaunch(runId: string, retry: LaunchRetry): Promise<Run | undefined> {
    return this.update(runId, {
      UpdateExpression: 'SET launchRetry = :retry',
      ConditionExpression: `attribute_not_exists(taskRef) AND ${RUN_ORDER.statusRank} = :pending`,
      ExpressionAttributeValues: { ':retry': retry, ':pending': statusRank('PENDING') },
    });
  }

  /**
   * Records the task's containers as a backend reported them, while the run is not terminal (its
   * terminal transition records the last ones). With `taskVersion` (ECS detail.version), only when
   * it is above the stored one, which it then becomes: as for a transition, an older or repeated
   * event changes nothing. Returns false when refused.
   */
  async recordContainers(runId: string, containers: ContainerState[], taskVersion?: number): Promise<boolean> {
    const versioned = taskVersion !== undefined;
    const updated = await this.update(runId, {
      UpdateExpression: `SET containers = :containers${versioned ? `, ${RUN_ORDER.taskVersion} = :version` : ''}`,
      ConditionExpression:
        `attribute_exists(${KEY.pk}) AND ${RUN_ORDER.statusRank} < :terminal` +
        (versioned ? ` AND (attribute_not_exists(${RUN_ORDER.taskVersion}) OR ${RUN_ORDER.taskVersion} < :version)` : ''),
      ExpressionAttributeValues: { ':containers': containers, ':terminal': TERMINAL_RANK, ...(versioned && { ':version': taskVersion }) },
    });
    return updated !== undefined;
  }

  /** Records a stop request unless one is recorded already or the run has ended. Returns the run after it, or undefined when not claimed. */
  claimStop(runId: string, request: StopRequest): Promise<Run | undefined> {
    return this.update(runId, {
      UpdateExpression: 'SET stopRequest = :req',
      ConditionExpression: `attribute_not_exists(stopRequest) AND ${RUN_ORDER.statusRank} < :terminal`,
      ExpressionAttributeValues: { ':req': request, ':terminal': TERMINAL_RANK },
    });
  }

  /** Takes a settled run out of the sparse `active` index, and its schedule's marker away. */
  async leaveActive(run: Pick<Run, 'runId' | 'scheduleId'>): Promise<void> {
    await this.update(run.runId, { UpdateExpression: `REMOVE ${INDEXES.active.join(', ')}` });
    if (run.scheduleId) await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.activeRunOfSchedule(run.scheduleId, run.runId) }));
  }

  /**
   * One page of the runs of an app (`appId`), of an owner (`ownerId`), or, with neither, of
   * everyone (the sharded all-runs listing): the store chooses the index partitions. Newest
   * first, expired runs left out. An array job's children that have been created are listed
   * beside their parent (their ids sort just above its id: newest first, they come right before it).
   * @throws ClientError 400 for a foreign cursor.
   */
  listRuns(of: { appId?: string; ownerId?: string }, listing: RunListing): Promise<Page<Run>> {
    if (of.appId !== undefined) return this.listPage(indexKeys.runsOfApp(of.appId), listing);
    if (of.ownerId !== undefined) return this.listPage(indexKeys.runsOfOwner(of.ownerId), listing);
    return this.listMergedPage(shardedPartitions.allRuns(), listing);
  }

  /** One page of a run listing (a Query on `partition`), newest first, expired runs left out. @throws ClientError 400 for a foreign cursor. */
  listPage(partition: IndexPartition, { range, status, limit, cursor }: RunListing): Promise<Page<Run>> {
    const key = partitionQuery(partition, range);
    return queryPage<Run>(
      this.db,
      {
        ...key,
        ...listingFilter(status),
        ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ...listingFilter(status).ExpressionAttributeValues },
        ScanIndexForward: false,
        Limit: limit,
      },
      cursor,
    );
  }

  /** Every run in the active index (all its shards, queried at once): not yet settled, terminal ones included. */
  async active(): Promise<Run[]> {
    const shards = await Promise.all(shardedPartitions.activeRuns().map((partition) => queryAll<Run>(this.db, partitionQuery(partition))));
    return shards.flat();
  }

  /**
   * How many of the owner's runs have not reached a terminal status, as far as the quota needs:
   * the owner's markers (one strongly consistent Query on their partition, whatever the other
   * owners run), which are never fewer than those runs (written before the run, deleted after its
   * terminal transition); when they are more than `max`, the exact count instead, each marked run
   * read consistently (a marker whose run is terminal, or not written yet, does not count).
   */
  async countActiveOfOwner(ownerId: string, max: number): Promise<number> {
    const query = childrenQuery(children.activeRunsOfOwner(ownerId));
    const marked = await countAll(this.db, { ...query, ConsistentRead: true });
    if (marked <= max) return marked;
    const markers = await queryAll<{ runId: string }>(this.db, { ...query, ConsistentRead: true });
    const runs = await Promise.all(markers.map((marker) => this.get(marker.runId)));
    return runs.filter((run) => run !== undefined && !isTerminal(run.status)).length;
  }

  /** Stops counting the run in its owner's quota (once it is terminal, or was never launched). Idempotent. */
  async leaveQuota(run: Pick<Run, 'runId' | 'ownerId'>): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.activeRunOfOwner(run.ownerId, run.runId) }));
  }

  /** Deletes a run that was never launched (one refused after its insert, e.g. over its owner's quota). */
  async removeUnlaunched(run: Pick<Run, 'runId' | 'ownerId' | 'scheduleId'>): Promise<void> {
    const removed = await conditionHeld(
      this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.run(run.runId), ConditionExpression: 'attribute_not_exists(taskRef)' })),
    );
    if (!removed) return;
    await this.leaveQuota(run);
    if (run.scheduleId) await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.activeRunOfSchedule(run.scheduleId, run.runId) }));
  }

  /**
   * Active runs of a schedule that have not reached a terminal status: the schedule's markers
   * (one Query on its own partition), each run read consistently. Never reads other runs.
   */
  async activeOfSchedule(scheduleId: string): Promise<Run[]> {
    const markers = await queryAll<{ runId: string }>(this.db, childrenQuery(children.activeRunsOfSchedule(scheduleId)));
    const runs = await Promise.all(markers.map((marker) => this.get(marker.runId)));
    return runs.filter((run): run is Run => run !== undefined && !isTerminal(run.status));
  }

  /**
   * One page of a listing spread over several partitions (the sharded all-runs listing), newest
   * first: each partition queried for up to `limit` runs below the cursor, merged by run id. The
   * cursor is the last run id returned (base64url JSON); a page never skips a run another
   * partition has not yet reached.
   * @throws ClientError 400 for a cursor this method did not hand out.
   */
  async listMergedPage(partitions: IndexPartition[], { range, status, limit, cursor }: RunListing): Promise<Page<Run>> {
    const before = cursor === undefined ? undefined : decodeBefore(cursor);
    const high = before !== undefined && before < range.high ? before : range.high;
    const pages = await Promise.all(
      partitions.map(async (partition) => {
        const key = partitionQuery(partition, { low: range.low, high });
        const out = await this.db.doc.send(
          new QueryCommand({
            ...key,
            TableName: this.db.tableName,
            ...listingFilter(status),
            ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ...listingFilter(status).ExpressionAttributeValues },
            ScanIndexForward: false,
            Limit: limit + (before === undefined ? 0 : 1),
          }),
        );
        const found = needsItems(this.db, key.IndexName, {}) ? await itemsOf(this.db, out.Items ?? []) : (out.Items ?? []);
        const items = found.map((item) => fromItem<Run>(item)).filter((run) => run.runId !== before);
        // Where this partition's reading stopped (its LastEvaluatedKey's sort key), when it has more.
        const reached = out.LastEvaluatedKey ? String(out.LastEvaluatedKey[INDEXES[partition.index][1]]) : undefined;
        return { items, reached };
      }),
    );
    // Runs below the highest point a partition with more stopped at may still be unread in that partition.
    const floor = pages.reduce<string | undefined>(
      (max, page) => (page.reached !== undefined && (max === undefined || page.reached > max) ? page.reached : max),
      undefined,
    );
    const merged = pages
      .flatMap((page) => page.items)
      .filter((run) => floor === undefined || run.runId >= floor)
      .sort((a, b) => (a.runId < b.runId ? 1 : -1));
    const items = merged.slice(0, limit);
    const next = merged.length > limit ? items.at(-1)!.runId : floor;
    return { items, nextCursor: next === undefined ? undefined : Buffer.from(JSON.stringify({ before: next })).toString('base64url') };
  }

  /** One UpdateItem on a run; returns the run after it, or undefined when its condition failed. */
  private async update(runId: string, input: UpdateInput): Promise<Run | undefined> {
    const item = await updateIfHeld(this.db, keys.run(runId), input);
    return item && fromItem<Run>(item);
  }
}

function decodeBefore(cursor: string): string {
  try {
    const { before } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof before === 'string' && before !== '') return before;
  } catch {
    // fall through to the 400 below
  }
  throw invalidCursor();
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The filter of every run listing: expired runs are never listed, even before the TTL process
 * (or dev mode's sweep) has deleted them; `status`, when given, narrows it.
 */
function listingFilter(status: RunStatus | undefined) {
  const live = `(attribute_not_exists(${TTL_ATTRIBUTE}) OR ${TTL_ATTRIBUTE} > :now)`;
  return {
    FilterExpression: status ? `#status = :status AND ${live}` : live,
    ExpressionAttributeNames: status ? { '#status': 'status' } : undefined,
    ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000), ...(status && { ':status': status }) },
  };
}
