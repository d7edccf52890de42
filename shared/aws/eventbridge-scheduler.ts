/**
 * Scheduler on EventBridge scheduled rules: one rule per schedule, targeting the
 * scheduled-run Lambda.
 */
import {
  DeleteRuleCommand,
  LimitExceededException,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { FIRE_RETRY_POLICY } from '../cloud-limits.js';
import type { Schedule } from '../domain.js';
import { ServiceUnavailableError } from '../errors.js';
import type { Scheduler } from '../ports.js';
import { AwsOperationError } from './errors.js';

/** Where EventBridgeScheduler puts rules and what they invoke. */
export interface EventBridgeSchedulerConfig {
  /** Prepended to the schedule id to name the rule, e.g. 'containerizer-sched-'. */
  rulePrefix: string;
  /** The scheduled-run Lambda's ARN; it must allow events.amazonaws.com to invoke it for these rules. */
  targetArn: string;
  /** SQS queue for fires EventBridge could not deliver after its retries (it must let events.amazonaws.com send from these rules). */
  deadLetterQueueArn?: string;
}

/** The id of the one target of every schedule rule. */
export const TARGET_ID = 'scheduled-run';

/**
 * What the scheduled-run Lambda receives on each fire: the schedule id, and the event's
 * `time` as `scheduledTime`. EventBridge redelivers a fire with the same `time`, so
 * (scheduleId, scheduledTime) identifies the fire and makes the start idempotent.
 */
export interface ScheduledRunInput {
  scheduleId: string;
  /** ISO 8601, UTC, e.g. "2024-05-01T12:00:00Z". */
  scheduledTime: string;
}

/**
 * One EventBridge rule per schedule, on the default event bus (the only bus that accepts
 * schedule expressions: AWS docs, "Creating a scheduled rule"). EventBridge's default quota
 * is 300 rules per event bus (100 in some Regions; a soft quota, raisable through Service
 * Quotas), so schedules are capped near 300 per account and Region by default.
 */
export class EventBridgeScheduler implements Scheduler {
  private readonly events: EventBridgeClient;
  private readonly config: EventBridgeSchedulerConfig;

  constructor({ events, config }: { events: EventBridgeClient; config: EventBridgeSchedulerConfig }) {
    this.events = events;
    this.config = config;
  }

  /**
   * PutRule then PutTargets (with FIRE_RETRY_POLICY and the dead-letter queue); both replace what
   * exists, so put is an upsert.
   * @throws ServiceUnavailableError (503) when EventBridge's rules-per-bus quota is reached (LimitExceededException).
   * @throws AwsOperationError when the target is rejected.
   */
  async put(schedule: Schedule): Promise<void> {
    const rule = ruleName(this.config.rulePrefix, schedule.scheduleId);
    try {
      await this.events.send(
        new PutRuleCommand({
          Name: rule,
          ScheduleExpression: schedule.expression,
          State: schedule.enabled ? 'ENABLED' : 'DISABLED',
          Description: `Containerizer schedule ${schedule.scheduleId} of app ${schedule.appId}`,
        }),
      );
    } catch (err) {
      if (!(err instanceof LimitExceededException)) throw err;
      throw new ServiceUnavailableError(
        "no schedule can be added: EventBridge's quota of rules on the default event bus (300 by default, shared with every other rule on it) is reached; " +
          'an operator can raise it through Service Quotas (Amazon EventBridge, "Rules per event bus"), or delete unused schedules',
        { cause: err },
      );
    }
    const out = await this.events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          {
            Id: TARGET_ID,
            Arn: this.config.targetArn,
            RetryPolicy: FIRE_RETRY_POLICY,
            ...(this.config.deadLetterQueueArn && { DeadLetterConfig: { Arn: this.config.deadLetterQueueArn } }),
            InputTransformer: {
              InputPathsMap: { time: '$.time' },
              // Unquoted <time> is replaced by the JSON string value, quotes included.
              InputTemplate: `{"scheduleId":${JSON.stringify(schedule.scheduleId)},"scheduledTime":<time>}`,
            },
          },
        ],
      }),
    );
    // PutTargets reports per-target failures in its response instead of throwing.
    if (out.FailedEntryCount) {
      const failed = out.FailedEntries?.[0];
      throw new AwsOperationError('PutTargets', `PutTargets failed for rule ${rule}: ${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
    }
  }

  /** RemoveTargets then DeleteRule (a rule with targets cannot be deleted). A missing rule counts as removed. */
  async remove(scheduleId: string): Promise<void> {
    const rule = ruleName(this.config.rulePrefix, scheduleId);
    await ignoreNotFound(this.events.send(new RemoveTargetsCommand({ Rule: rule, Ids: [TARGET_ID] })));
    await ignoreNotFound(this.events.send(new DeleteRuleCommand({ Name: rule })));
  }
}

/**
 * The rule name for a schedule. EventBridge rule names are at most 64 characters of
 * [.-_A-Za-z0-9] (AWS API reference, PutRule), which a prefix of up to 38 plus a ULID meets.
 */
export function ruleName(rulePrefix: string, scheduleId: string): string {
  return `${rulePrefix}${scheduleId}`;
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
}
