/**
 * The run items: every DynamoDB expression the run workflow needs, each conditional-write
 * failure turned into a domain result (false / undefined: "stale, repeated, or someone got
 * there first"). The rules that decide what to write are in services/run-rules.ts.
 *
 * A run item sits in the app's and the owner's run listings and the all-runs listing for its
 * lifetime, and in the sparse `active` index until it is settled. It keeps `statusRank` and
 * `taskVersion` (RUN_ORDER) so a transition's condition can refuse stale events.
 */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ContainerState, Run, RunStatus, StopRequest, Transition } from '../domain.js';
import { statusRank, TERMINAL_RANK } from '../services/run-rules.js';
import { indexAttributes, indexKeys, INDEXES, keys, KEY, partitionQuery, RUN_ORDER, TTL_ATTRIBUTE, type IndexPartition } from '../table.js';
import { conditionHeld, fromItem, isConditionFailed, queryAll, queryPage, type Db, type Page } from './db.js';

/** Fields a transition may set besides the status and history. */
export type TransitionFields = Partial<
  Pick<Run, 'taskRef' | 'startedAt' | 'stoppedAt' | 'exitCode' | 'stoppedReason' | 'durationMs' | 'nextRunId' | 'containers'>
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

type UpdateInput = Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;

export class RunStore {
  constructor(private readonly db: Db) {}

  /** Writes a new run (in the active index). Returns false when a run with its id exists already. */
  insert(run: Run): Promise<boolean> {
    const item = {
      ...keys.run(run.runId),
      ...indexAttributes(run.runId, indexKeys.runsOfApp(run.appId), indexKeys.runsOfOwner(run.ownerId), indexKeys.allRuns(), indexKeys.activeRuns()),
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

  /** Records the task a launch started. Returns the run after it. */
  async setTaskRef(runId: string, taskRef: string): Promise<Run> {
    return (await this.update(runId, { UpdateExpression: 'SET taskRef = :ref', ExpressionAttributeValues: { ':ref': taskRef } }))!;
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

  /** Takes a settled run out of the sparse `active` index. */
  async leaveActive(runId: string): Promise<void> {
    await this.update(runId, { UpdateExpression: `REMOVE ${INDEXES.active.join(', ')}` });
  }

  /** One page of a run listing (a Query on `partition`), newest first. @throws ClientError 400 for a foreign cursor. */
  listPage(partition: IndexPartition, { range, status, limit, cursor }: RunListing): Promise<Page<Run>> {
    const key = partitionQuery(partition, range);
    return queryPage<Run>(
      this.db,
      {
        ...key,
        FilterExpression: status ? '#status = :status' : undefined,
        ExpressionAttributeNames: status ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ...(status && { ':status': status }) },
        ScanIndexForward: false,
        Limit: limit,
      },
      cursor,
    );
  }

  /** Every run in the active index: not yet settled (terminal ones included). */
  active(): Promise<Run[]> {
    return queryAll<Run>(this.db, partitionQuery(indexKeys.activeRuns()));
  }

  /** Active runs of a schedule that have not reached a terminal status. */
  activeOfSchedule(scheduleId: string): Promise<Run[]> {
    const key = partitionQuery(indexKeys.activeRuns());
    return queryAll<Run>(this.db, {
      ...key,
      FilterExpression: `scheduleId = :scheduleId AND ${RUN_ORDER.statusRank} < :terminal`,
      ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ':scheduleId': scheduleId, ':terminal': TERMINAL_RANK },
    });
  }

  /** One UpdateItem on a run; returns the run after it, or undefined when its condition failed. */
  private async update(runId: string, input: UpdateInput): Promise<Run | undefined> {
    try {
      const out = await this.db.doc.send(new UpdateCommand({ ...input, TableName: this.db.tableName, Key: keys.run(runId), ReturnValues: 'ALL_NEW' }));
      return fromItem<Run>(out.Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
