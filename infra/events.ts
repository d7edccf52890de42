import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RECONCILER_TIMEOUT_SECONDS } from '../shared/cloud-limits.js';
import { ENV } from '../shared/env.js';
import { type EntryPoint } from '../shared/function-env.js';
import type { Data } from './data.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/**
 * Earlier releases named each schedule's EventBridge rule `containerizer-sched-<schedule id>`;
 * IAM scopes the rules' removal (as schedules move to EventBridge Scheduler) to that prefix.
 */
export const RULE_PREFIX = 'containerizer-sched-';
/** Run and schedule events go to the account's default bus. */
export const EVENT_BUS_NAME = 'default';

/** Props of {@link Events}. */
export interface EventsProps {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  /** How long the functions' logs are kept. */
  readonly logRetention: RetentionDays;
  /** Settings of the functions that start runs (the per-user run quota, when the deployment sets it). */
  readonly launchSettings?: Record<string, string>;
}

/**
 * The event-driven side of the platform, each piece a function on the table and the cluster:
 * - ECS "Task State Change" events of the cluster → task-state-change (undeliverable or
 *   failed events land in a dead-letter queue instead of vanishing);
 * - a one-minute tick → reconciler (timeouts, and tasks whose events were lost);
 * - scheduled-run, the target of the EventBridge Scheduler schedules the API puts at run time
 *   in this stack's schedule group (deleted with the stack, and its schedules with it). Each
 *   schedule's target gets a retry policy, this stack's schedule dead-letter queue and the
 *   scheduler role, which may invoke only this function and send only to that queue
 *   (EventBridgeScheduler.put); the function's own failed invocations land there too. It may
 *   stop runs (overlapPolicy Replace). The rules of earlier releases keep their invoke
 *   permission until the reconciler has moved every schedule (ScheduleService.moveTriggers).
 * Both dead-letter queues have an alarm that fires on the first message.
 */
export class Events extends Construct {
  readonly taskStateChangeFunction: ContainerizerFunction;
  readonly reconcilerFunction: ContainerizerFunction;
  readonly scheduledRunFunction: ContainerizerFunction;
  readonly taskStateChangeRule: Rule;
  readonly reconcilerRule: Rule;
  /** Task state events EventBridge could not deliver, or the function failed on after Lambda's retries. */
  readonly taskStateChangeDeadLetterQueue: Queue;
  /** Schedule fires EventBridge could not deliver, or scheduled-run failed on after Lambda's retries. */
  readonly scheduleDeadLetterQueue: Queue;
  /** One per dead-letter queue: in ALARM while it holds a message (add an action, e.g. an SNS topic, to be told). */
  readonly deadLetterAlarms: Alarm[] = [];
  /** What a function that puts schedule triggers needs: SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN, SCHEDULED_RUN_FUNCTION_ARN, SCHEDULE_DEAD_LETTER_QUEUE_ARN, RULE_PREFIX. */
  readonly scheduleEnvironment: Record<string, string>;
  /** The schedule group every platform schedule lives in. */
  readonly scheduleGroup: CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes for every schedule's target. */
  readonly schedulerRole: Role;
  /** ARN pattern of the schedule rules (`rule/containerizer-sched-*` on the default bus). */
  readonly scheduleRuleArns: string;
  /** EVENT_BUS_NAME, for every function that publishes run events. */
  readonly busEnvironment: Record<string, string> = { [ENV.EVENT_BUS_NAME]: EVENT_BUS_NAME };
  private readonly bus: IEventBus;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    const { runtime } = props;
    this.bus = EventBus.fromEventBusName(this, 'DefaultBus', EVENT_BUS_NAME);
    this.scheduleRuleArns = Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: `${RULE_PREFIX}*` });

    // All three start runs (retries, reconciliation, schedule fires) and publish their events.
    const launcher = (
      constructId: string,
      entryPoint: EntryPoint,
      description: string,
      options: { timeout?: Duration; retryAttempts?: number; environment?: Record<string, string> } = {},
    ): ContainerizerFunction => {
      const fn = new ContainerizerFunction(this, constructId, {
        entryPoint,
        description,
        data: props.data,
        logRetention: props.logRetention,
        environment: { ...runtime.environment, ...this.busEnvironment, ...props.launchSettings, ...options.environment },
        timeout: options.timeout,
        retryAttempts: options.retryAttempts,
      });
      runtime.grantLaunch(fn);
      this.grantPutEvents(fn);
      return fn;
    };

    this.taskStateChangeDeadLetterQueue = this.deadLetterQueue('TaskStateChangeDeadLetterQueue');
    this.scheduleDeadLetterQueue = this.deadLetterQueue('ScheduleDeadLetterQueue');
    // The rules are created at run time, so their targets' DLQ grant is by rule-name pattern.
    this.scheduleDeadLetterQueue.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.scheduleDeadLetterQueue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': this.scheduleRuleArns } },
      }),
    );
    this.taskStateChangeFunction = launcher('TaskStateChange', 'task-state-change', 'Applies ECS task state changes to runs');
    this.taskStateChangeFunction.configureAsyncInvoke({ onFailure: new SqsDestination(this.taskStateChangeDeadLetterQueue) });
    this.taskStateChangeRule = new Rule(this, 'TaskStateChangeRule', {
      description: 'ECS task state changes of the Containerizer cluster',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { clusterArn: [runtime.cluster.clusterArn] },
      },
      targets: [
        new LambdaFunction(this.taskStateChangeFunction, {
          deadLetterQueue: this.taskStateChangeDeadLetterQueue,
          retryAttempts: 8,
          // Older events are left to the reconciler, which reads the task's current state.
          maxEventAge: Duration.hours(1),
        }),
      ],
    });

    this.reconcilerFunction = launcher('Reconciler', 'reconciler', 'Times out runs and catches up on lost task events', {
      // Done before the next tick, and not retried: the next tick does the same work.
      timeout: Duration.seconds(RECONCILER_TIMEOUT_SECONDS),
      retryAttempts: 0,
    });
    runtime.grantControl(this.reconcilerFunction);
    this.reconcilerRule = new Rule(this, 'ReconcilerSchedule', {
      description: 'Runs the Containerizer reconciler every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.reconcilerFunction, { retryAttempts: 0 })],
    });

    // Each rule's target input names its schedule (EventBridgeScheduler.put), so this function needs no rule prefix.
    this.scheduledRunFunction = launcher('ScheduledRun', 'scheduled-run', 'Starts the run of a schedule when its rule fires');
    this.scheduledRunFunction.configureAsyncInvoke({ onFailure: new SqsDestination(this.scheduleDeadLetterQueue) });
    // overlapPolicy Replace stops the schedule's running run.
    runtime.grantControl(this.scheduledRunFunction);
    this.scheduledRunFunction.addPermission('InvokeFromScheduleRules', {
      principal: new ServicePrincipal('events.amazonaws.com'),
      sourceArn: this.scheduleRuleArns,
      sourceAccount: Stack.of(this).account,
    });

    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', {});
    const stack = Stack.of(this);
    // Confused-deputy protection (EventBridge Scheduler User Guide, "Set up the execution role"): only this account's schedules of this group.
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to invoke scheduled-run and reach the schedule dead-letter queue',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': this.scheduleArns() } },
      }),
    });
    this.scheduledRunFunction.grantInvoke(this.schedulerRole);
    this.scheduleDeadLetterQueue.grantSendMessages(this.schedulerRole);

    this.scheduleEnvironment = {
      [ENV.SCHEDULE_GROUP_NAME]: this.scheduleGroup.ref,
      [ENV.SCHEDULER_ROLE_ARN]: this.schedulerRole.roleArn,
      [ENV.RULE_PREFIX]: RULE_PREFIX,
      [ENV.SCHEDULED_RUN_FUNCTION_ARN]: this.scheduledRunFunction.functionArn,
      [ENV.SCHEDULE_DEAD_LETTER_QUEUE_ARN]: this.scheduleDeadLetterQueue.queueArn,
    };
    // The reconciler moves the schedules of earlier releases from their rules to the group once.
    for (const [name, value] of Object.entries(this.scheduleEnvironment)) this.reconcilerFunction.addEnvironment(name, value);
    this.grantManageSchedules(this.reconcilerFunction);
  }

  /** An encrypted, TLS-only queue keeping messages 14 days (SQS's maximum), with an alarm on its first message. */
  private deadLetterQueue(id: string): Queue {
    const { queue, alarm } = alarmedDeadLetterQueue(this, id);
    this.deadLetterAlarms.push(alarm);
    return queue;
  }

  /** Lets `grantee` publish events to the default bus. */
  grantPutEvents(grantee: IGrantable): void {
    this.bus.grantPutEventsTo(grantee);
  }

  /** The ARNs of the schedules in this stack's group: `schedule/<group>/*`. */
  scheduleArns(): string {
    return Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.ref}/*` });
  }

  /**
   * Lets `grantee` create, update, read and delete the schedules of this stack's group (and pass
   * the scheduler role to EventBridge Scheduler only), and remove the rules of earlier releases.
   */
  grantManageSchedules(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        resources: [this.scheduleArns()],
      }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['events:RemoveTargets', 'events:DeleteRule'], resources: [this.scheduleRuleArns] }));
  }
}

/**
 * A dead-letter queue in `scope`: encrypted, TLS only, keeping messages 14 days (SQS's maximum),
 * with an alarm in ALARM while it holds a message (add an action, e.g. an SNS topic, to be told).
 */
export function alarmedDeadLetterQueue(scope: Construct, id: string): { queue: Queue; alarm: Alarm } {
  const queue = new Queue(scope, id, { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  const alarm = new Alarm(scope, `${id}Alarm`, {
    alarmDescription: `Containerizer: ${id} holds messages (events that were lost to their function); inspect and redrive them`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { queue, alarm };
}
