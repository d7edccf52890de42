/**
 * The cloud's Scheduler on EventBridge Scheduler: one schedule per platform schedule, in the
 * deployment's schedule group (deleted with the stack), with the schedule's IANA time zone,
 * flexible time window and one-time completion action, targeting the scheduled-run Lambda with a
 * retry policy and the dead-letter queue. Schedules made as EventBridge rules by earlier
 * releases are removed as each schedule is put here (see `legacyRules`), so a deployment moves
 * over by re-putting every schedule once (ScheduleService.moveTo, run by the reconciler).
 *
 * Rules from the AWS docs (EventBridge Scheduler API Reference, CreateSchedule; User Guide,
 * "Quotas"): names of 1-64 characters [0-9a-zA-Z-_.] (a ULID fits); 10,000,000 schedules per
 * Region by default; FlexibleTimeWindow 1-1,440 minutes in FLEXIBLE mode.
 */
import {
  DeleteRuleCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException as RuleNotFoundException,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { FIRE_RETRY_POLICY } from '../cloud-limits.js';
import type { Schedule } from '../domain.js';
import { ServiceUnavailableError } from '../errors.js';
import type { Scheduler } from '../ports.js';
import { parseScheduleExpression } from '../schedule-expression.js';

/** Where EventBridgeScheduler puts schedules and what they invoke. */
export interface EventBridgeSchedulerConfig {
  /** The deployment's schedule group (SCHEDULE_GROUP_NAME). */
  groupName: string;
  /** The scheduled-run Lambda's ARN (SCHEDULED_RUN_FUNCTION_ARN). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it and to reach the dead-letter queue (SCHEDULER_ROLE_ARN). */
  roleArn: string;
  /** SQS queue for fires EventBridge Scheduler could not deliver after its retries. */
  deadLetterQueueArn?: string;
  /** The schedule rules of earlier releases (RULE_PREFIX), removed as each schedule moves here. */
  legacyRules?: { events: EventBridgeClient; rulePrefix: string };
}

/** The id of the one target of every legacy schedule rule. */
const LEGACY_TARGET_ID = 'scheduled-run';

/**
 * What the scheduled-run Lambda receives on each fire: the schedule id, and the slot as
 * `scheduledTime` (EventBridge Scheduler's `<aws.scheduler.scheduled-time>` context attribute,
 * the same on every retry), so (scheduleId, scheduledTime) identifies the fire and makes the
 * start idempotent.
 */
export interface ScheduledRunInput {
  scheduleId: string;
  /** ISO 8601, UTC, e.g. "2024-05-01T12:00:00Z". */
  scheduledTime: string;
}

/** The Input template of every schedule's target: the context attribute is replaced at each invocation. */
export function scheduledRunInput(scheduleId: string): string {
  return `{"scheduleId":${JSON.stringify(scheduleId)},"scheduledTime":"<aws.scheduler.scheduled-time>"}`;
}

export class EventBridgeScheduler implements Scheduler {
  private readonly scheduler: SchedulerClient;
  private readonly config: EventBridgeSchedulerConfig;

  constructor({ scheduler, config }: { scheduler: SchedulerClient; config: EventBridgeSchedulerConfig }) {
    this.scheduler = scheduler;
    this.config = config;
  }

  /**
   * CreateSchedule, or UpdateSchedule when it exists (both take the whole definition, so put is
   * an upsert); then the schedule's legacy rule, if any, goes.
   * @throws ServiceUnavailableError (503) at EventBridge Scheduler's schedules quota.
   */
  async put(schedule: Schedule): Promise<void> {
    const input = this.definition(schedule);
    try {
      await this.scheduler.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (err instanceof ConflictException) await this.scheduler.send(new UpdateScheduleCommand(input));
      else if (err instanceof ServiceQuotaExceededException) {
        throw new ServiceUnavailableError(
          "no schedule can be added: EventBridge Scheduler's quota of schedules in this Region is reached (10,000,000 by default); an operator can raise it through Service Quotas, or delete unused schedules",
          { cause: err },
        );
      } else throw err;
    }
    await this.removeLegacyRule(schedule.scheduleId);
  }

  /** DeleteSchedule (and the legacy rule). A missing schedule counts as removed. */
  async remove(scheduleId: string): Promise<void> {
    try {
      await this.scheduler.send(new DeleteScheduleCommand({ Name: scheduleId, GroupName: this.config.groupName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    await this.removeLegacyRule(scheduleId);
  }

  /** The CreateSchedule/UpdateSchedule input for `schedule`. */
  definition(schedule: Schedule): CreateScheduleCommandInput {
    const once = parseScheduleExpression(schedule.expression, schedule.timeZone).kind === 'at';
    return {
      Name: schedule.scheduleId,
      GroupName: this.config.groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timeZone,
      State: schedule.enabled ? 'ENABLED' : 'DISABLED',
      Description: `Containerizer schedule ${schedule.scheduleId} of app ${schedule.appId}`,
      FlexibleTimeWindow: schedule.flexibleWindowMinutes > 0 ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: schedule.flexibleWindowMinutes } : { Mode: 'OFF' },
      ActionAfterCompletion: once ? schedule.actionAfterCompletion : 'NONE',
      Target: {
        Arn: this.config.targetArn,
        RoleArn: this.config.roleArn,
        Input: scheduledRunInput(schedule.scheduleId),
        RetryPolicy: FIRE_RETRY_POLICY,
        ...(this.config.deadLetterQueueArn && { DeadLetterConfig: { Arn: this.config.deadLetterQueueArn } }),
      },
    };
  }

  /** RemoveTargets then DeleteRule of the schedule's rule from an earlier release; none is fine. */
  private async removeLegacyRule(scheduleId: string): Promise<void> {
    const legacy = this.config.legacyRules;
    if (!legacy) return;
    const rule = `${legacy.rulePrefix}${scheduleId}`;
    for (const command of [new RemoveTargetsCommand({ Rule: rule, Ids: [LEGACY_TARGET_ID] }), new DeleteRuleCommand({ Name: rule })]) {
      try {
        await legacy.events.send(command as never);
      } catch (err) {
        if (!(err instanceof RuleNotFoundException)) throw err;
      }
    }
  }
}
