import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RUN_EVENT } from '../shared/aws/run-events.js';
import { ENV } from '../shared/env.js';
import type { Data } from './data.js';
import { alarmedDeadLetterQueue, type Events } from './events.js';
import { ContainerizerFunction } from './function.js';
import type { ContainerRuntime } from './runtime.js';

/** Props of {@link Alerts}. */
export interface AlertsProps {
  readonly data: Data;
  readonly runtime: ContainerRuntime;
  readonly events: Events;
  readonly logRetention: RetentionDays;
}

/** Receives of one message before it goes to the dead-letter queue (a failure to read or write the table, not a webhook's answer: those are retried by the delivery's own schedule). */
export const ALERT_MAX_RECEIVES = 5;

/**
 * Alerts in the cloud (issue 20), a function pair around an SQS queue rather than EventBridge
 * API destinations: an API destination signs with one connection's static credentials, while
 * Standard Webhooks need an HMAC of each message under each rule's own `whsec_` secret, and the
 * delivery log, the per-URL SSRF check after DNS resolution and the redelivery need code anyway.
 * - the platform's "Run State Change" events (shared/aws/run-events.ts) → the alerts function,
 *   which matches the owner's rules and writes the deliveries (the outbox, in the table) and
 *   queues them (undeliverable or failed events go to a dead-letter queue);
 * - the delivery queue → the alert-delivery function: one signed attempt per due delivery, the
 *   next retry re-queued with its delay; a message whose handling throws is retried by SQS and
 *   lands in the delivery dead-letter queue after ALERT_MAX_RECEIVES receives;
 * - MISSED_SLOT and LONG_RUN are evaluated by the reconciler's minute (its function gets the
 *   queue), and budget refusals by whichever function refused the run.
 * Each function may read and write the table and send to the queue; nothing else.
 */
export class Alerts extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly eventsDeadLetterQueue: Queue;
  readonly alarms: Alarm[] = [];
  readonly alertsFunction: ContainerizerFunction;
  readonly deliveryFunction: ContainerizerFunction;
  readonly rule: Rule;
  /** ALERT_QUEUE_URL, for every function that writes alerts. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const dlq = alarmedDeadLetterQueue(this, 'DeliveryDeadLetterQueue');
    const eventsDlq = alarmedDeadLetterQueue(this, 'EventsDeadLetterQueue');
    this.deadLetterQueue = dlq.queue;
    this.eventsDeadLetterQueue = eventsDlq.queue;
    this.alarms.push(dlq.alarm, eventsDlq.alarm);
    const timeout = Duration.seconds(60);
    this.queue = new Queue(this, 'DeliveryQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS docs ("Using Lambda with Amazon SQS"): at least six times the function's timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ALERT_MAX_RECEIVES },
    });
    this.environment = { [ENV.ALERT_QUEUE_URL]: this.queue.queueUrl };
    const environment = { ...props.runtime.environment, ...props.events.busEnvironment, ...this.environment };

    this.alertsFunction = new ContainerizerFunction(this, 'Evaluate', {
      entryPoint: 'alerts',
      description: 'Matches run state changes against alert rules and queues the alerts',
      data: props.data,
      logRetention: props.logRetention,
      environment,
    });
    this.alertsFunction.configureAsyncInvoke({ onFailure: new SqsDestination(this.eventsDeadLetterQueue) });
    this.rule = new Rule(this, 'RunStateChangeRule', {
      description: 'Containerizer run state changes, for alert rules',
      eventPattern: { source: [RUN_EVENT.source], detailType: [RUN_EVENT.detailType] },
      targets: [new LambdaFunction(this.alertsFunction, { deadLetterQueue: this.eventsDeadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });

    this.deliveryFunction = new ContainerizerFunction(this, 'Deliver', {
      entryPoint: 'alert-delivery',
      description: 'Sends alerts as signed webhooks (Standard Webhooks), with retries',
      data: props.data,
      logRetention: props.logRetention,
      environment,
      timeout,
    });
    this.deliveryFunction.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    for (const fn of [this.alertsFunction, this.deliveryFunction]) this.queue.grantSendMessages(fn);
  }

  /** Lets `fn` queue the alerts it writes (a budget refusal, the reconciler's sweep), and tells it where. */
  addWriter(fn: ContainerizerFunction): void {
    this.queue.grantSendMessages(fn);
    for (const [name, value] of Object.entries(this.environment)) fn.addEnvironment(name, value);
  }
}
