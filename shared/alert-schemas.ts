/**
 * Alert rules and their deliveries: the request and response shapes of /alerts (issue 20).
 * A rule watches an app, a schedule, or all of its owner's apps (neither given) for conditions
 * and sends each alert to one webhook, signed as Standard Webhooks specify
 * (https://www.standardwebhooks.com/).
 */
import { z } from '@hono/zod-openapi';
import { StatusSummary } from './array-schemas.js';

/** The conditions a rule can watch (see README "Alerts" for when each fires and clears). */
export const ALERT_CONDITION_TYPES = ['RUN_FAILED', 'RUN_TIMED_OUT', 'LAUNCH_FAILED', 'FAILURE_STREAK', 'MISSED_SLOT', 'LONG_RUN', 'BUDGET'] as const;
export type AlertConditionType = (typeof ALERT_CONDITION_TYPES)[number];

/** What an alert reports: a condition met, or (FAILURE_STREAK) its recovery, or a test send. */
export const ALERT_EVENT_TYPES = [...ALERT_CONDITION_TYPES, 'FAILURE_STREAK_RECOVERED', 'TEST'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** Default and bounds of the conditions' parameters. */
export const ALERT_LIMITS = {
  /** FAILURE_STREAK: failures in a row (default 3). */
  streak: { default: 3, min: 2, max: 100 },
  /** MISSED_SLOT: seconds after a slot a run must have started by (default 300; at most a day). */
  graceSeconds: { default: 300, min: 1, max: 86_400 },
  /** LONG_RUN: the multiple of the app's p95 duration (default 2). */
  factor: { default: 2, min: 1.1, max: 100 },
  /** Rules one owner may have. */
  rulesPerOwner: 100,
  /** The longest webhook URL accepted (characters). */
  urlLength: 2048,
} as const;

export const AlertCondition = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('RUN_FAILED') }).strict(),
    z.object({ type: z.literal('RUN_TIMED_OUT') }).strict(),
    z.object({ type: z.literal('LAUNCH_FAILED') }).strict(),
    z
      .object({
        type: z.literal('FAILURE_STREAK'),
        count: z.number().int().min(ALERT_LIMITS.streak.min).max(ALERT_LIMITS.streak.max).default(ALERT_LIMITS.streak.default),
      })
      .strict(),
    z
      .object({
        type: z.literal('MISSED_SLOT'),
        graceSeconds: z.number().int().min(ALERT_LIMITS.graceSeconds.min).max(ALERT_LIMITS.graceSeconds.max).default(ALERT_LIMITS.graceSeconds.default),
      })
      .strict(),
    z
      .object({
        type: z.literal('LONG_RUN'),
        factor: z.number().min(ALERT_LIMITS.factor.min).max(ALERT_LIMITS.factor.max).default(ALERT_LIMITS.factor.default),
      })
      .strict(),
    z.object({ type: z.literal('BUDGET') }).strict(),
  ])
  .openapi('AlertCondition');
export type AlertCondition = z.infer<typeof AlertCondition>;

const Conditions = z
  .array(AlertCondition)
  .min(1)
  .max(ALERT_CONDITION_TYPES.length)
  .refine((list) => new Set(list.map((c) => c.type)).size === list.length, { message: 'each condition type at most once' });

export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;

export const WebhookTarget = z
  .object({
    url: z
      .url()
      .max(ALERT_LIMITS.urlLength)
      .openapi({ description: 'https in the cloud; never a private, loopback or link-local address (dev mode allows loopback)' }),
    format: z
      .enum(WEBHOOK_FORMATS)
      .default('standard')
      .openapi({ description: '`standard`: the alert as JSON; `slack`: a Slack incoming-webhook body (`{text}`). Both are signed' }),
  })
  .strict()
  .openapi('WebhookTarget');

export const AlertCreate = z
  .object({
    name: z.string().min(1).max(100).optional(),
    appId: z.string().min(1).max(64).optional().openapi({ description: "watch this app's runs" }),
    scheduleId: z.string().min(1).max(64).optional().openapi({ description: "watch this schedule's slots and runs" }),
    conditions: Conditions,
    webhook: WebhookTarget,
    mutedUntil: z.iso.datetime({ offset: true }).optional().openapi({ description: 'until then alerts are logged as MUTED, not sent' }),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((body) => !(body.appId && body.scheduleId), { message: 'give appId or scheduleId, not both', path: ['scheduleId'] })
  .openapi('AlertCreate');
export type AlertCreate = z.infer<typeof AlertCreate>;

export const AlertPatch = z
  .object({
    name: z.string().min(1).max(100).optional(),
    conditions: Conditions.optional(),
    webhook: WebhookTarget.optional(),
    mutedUntil: z.iso.datetime({ offset: true }).nullable().optional().openapi({ description: 'null unmutes' }),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi('AlertPatch');
export type AlertPatch = z.infer<typeof AlertPatch>;

export const Alert = z
  .object({
    alertId: z.string(),
    ownerId: z.string(),
    name: z.string().optional(),
    appId: z.string().optional(),
    scheduleId: z.string().optional(),
    conditions: z.array(AlertCondition),
    webhook: z.object({ url: z.string(), format: z.enum(WEBHOOK_FORMATS) }),
    mutedUntil: z.string().optional(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Alert');
export type Alert = z.infer<typeof Alert>;

/** A rule as created: with its webhook signing secret, shown this once. */
export const AlertWithSecret = Alert.extend({
  webhookSecret: z.string().openapi({ description: 'the `whsec_…` signing secret (Standard Webhooks); returned once, never again' }),
}).openapi('AlertWithSecret');

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED', 'MUTED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveryAttempt = z
  .object({
    attempt: z.number().int(),
    at: z.string(),
    statusCode: z.number().int().optional(),
    error: z.string().optional(),
    durationMs: z.number().int(),
    redelivery: z.boolean().optional(),
  })
  .openapi('DeliveryAttempt');
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

/** The message one alert sends (the `standard` body; the `slack` body is made from it). */
export const AlertEvent = z
  .object({
    type: z.enum(ALERT_EVENT_TYPES),
    alertId: z.string(),
    summary: z.string(),
    at: z.string(),
    appId: z.string().optional(),
    appName: z.string().optional(),
    scheduleId: z.string().optional(),
    runId: z.string().optional(),
    status: z.string().optional(),
    reason: z.string().optional(),
    scheduledTime: z.string().optional(),
    failures: z.number().int().optional(),
    durationMs: z.number().int().optional(),
    p95DurationMs: z.number().int().optional(),
    arrayProperties: z.object({ size: z.number().int(), statusSummary: StatusSummary }).optional().openapi({
      description:
        "an array job's parent: its size and its children's ended counts per status. An array alerts once, by its parent; its children raise no run alerts of their own",
    }),
  })
  .openapi('AlertEvent');
export type AlertEvent = z.infer<typeof AlertEvent>;

export const AlertDelivery = z
  .object({
    deliveryId: z.string().openapi({ description: 'the Standard Webhooks `webhook-id`, the same on every attempt' }),
    alertId: z.string(),
    event: AlertEvent,
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.array(DeliveryAttempt),
    nextAttemptAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('AlertDelivery');
export type AlertDelivery = z.infer<typeof AlertDelivery>;
