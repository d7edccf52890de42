/**
 * The schemas of schedules (zod, with OpenAPI metadata): the expression in its zone (checked
 * as EventBridge Scheduler would), catch-up, the create/patch/preview shapes, the schedule as
 * read and the ledger's fire entries. A schedule's run overrides are a RunCreate (schemas.ts).
 */
import { z } from '@hono/zod-openapi';
import { ACTIONS_AFTER_COMPLETION, CATCH_UP_POLICIES, FIRE_OUTCOMES, OVERLAP_POLICIES } from './domain.js';
import { checkTimeZone, parseScheduleExpression, InvalidScheduleExpression } from './schedule-expression.js';
import { RunCreate } from './schemas.js';

const expression = z
  .string()
  .superRefine((value, ctx) => {
    try {
      parseScheduleExpression(value);
    } catch (err) {
      if (!(err instanceof InvalidScheduleExpression)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  })
  .openapi({
    description: "EventBridge Scheduler syntax, in the schedule's timeZone: cron(min hour dom month dow year), rate(5 minutes) or at(yyyy-mm-ddThh:mm:ss)",
    example: 'rate(5 minutes)',
  });

/** A schedule's settings when none are given (and for schedules stored before they existed). */
export const SCHEDULE_DEFAULTS = {
  timeZone: 'UTC',
  catchUp: { policy: 'none' as const },
  flexibleWindowMinutes: 0,
  actionAfterCompletion: 'NONE' as const,
};

/** Catch-up defaults: `all` runs at most 10 missed slots, none older than a day. */
export const CATCH_UP_DEFAULTS = { maxCount: 10, maxAgeMinutes: 1440 } as const;

const CatchUp = z
  .object({
    policy: z.enum(CATCH_UP_POLICIES).openapi({ description: 'none: record missed slots MISSED; latest: run the most recent once; all: run up to maxCount' }),
    maxCount: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: `with all: at most this many missed slots run (default ${CATCH_UP_DEFAULTS.maxCount})` }),
    maxAgeMinutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .optional()
      .openapi({ description: `latest and all: a missed slot older than this is only recorded (default ${CATCH_UP_DEFAULTS.maxAgeMinutes})` }),
  })
  .strict()
  .openapi('CatchUp');

const scheduleFields = {
  expression,
  timeZone: z.string().min(1).max(64).openapi({ description: 'IANA time zone in which cron and at() expressions are evaluated', example: 'Europe/Berlin' }),
  catchUp: CatchUp,
  flexibleWindowMinutes: z.number().int().min(0).max(1440).openapi({
    description:
      'each fire may come up to this many minutes after its slot, to spread schedules due at once (EventBridge Scheduler FlexibleTimeWindow); 0: on time',
  }),
  actionAfterCompletion: z
    .enum(ACTIONS_AFTER_COMPLETION)
    .openapi({ description: 'at() schedules: DELETE removes the schedule once it has fired; NONE keeps it' }),
  enabled: z.boolean(),
  overlapPolicy: z.enum(OVERLAP_POLICIES).openapi({ description: 'what a fire does while a run of this schedule is active' }),
  overrides: RunCreate,
  description: z.string().max(512),
};
/** Why the platform disabled a schedule (e.g. its next fire time is out of range); cleared when it is enabled again. */
const disabledReason = z.string().optional().openapi({ description: 'set when the platform disabled the schedule, saying why' });

export const ScheduleCreate = z
  .object({
    ...scheduleFields,
    enabled: scheduleFields.enabled.default(true),
    overlapPolicy: scheduleFields.overlapPolicy.default('Allow'),
    overrides: RunCreate.default({}),
    description: scheduleFields.description.optional(),
    timeZone: scheduleFields.timeZone.default(SCHEDULE_DEFAULTS.timeZone),
    catchUp: CatchUp.default(SCHEDULE_DEFAULTS.catchUp),
    flexibleWindowMinutes: scheduleFields.flexibleWindowMinutes.default(SCHEDULE_DEFAULTS.flexibleWindowMinutes),
    actionAfterCompletion: scheduleFields.actionAfterCompletion.default(SCHEDULE_DEFAULTS.actionAfterCompletion),
  })
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('ScheduleCreate');
export type ScheduleCreate = z.infer<typeof ScheduleCreate>;
/** What ScheduleService.create takes: ScheduleCreate with its defaulted fields optional. */
export type ScheduleCreateInput = z.input<typeof ScheduleCreate>;

export const SchedulePatch = z
  .object(scheduleFields)
  .partial()
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('SchedulePatch');

/** POST /schedules/preview: an expression in a zone, checked as a schedule's would be, and how many slots to list. */
export const SchedulePreviewRequest = z
  .object({
    expression,
    timeZone: scheduleFields.timeZone.default(SCHEDULE_DEFAULTS.timeZone),
    count: z.number().int().min(1).max(100).default(5),
  })
  .strict()
  .superRefine((value, ctx) => checkExpressionInZone(value, ctx))
  .openapi('SchedulePreviewRequest');

/** An expression whose time is checked in its zone (at() in a spring-forward gap), and the zone itself; issues on the field at fault. */
function checkExpressionInZone(value: { expression?: string; timeZone?: string }, ctx: z.RefinementCtx): void {
  if (value.timeZone === undefined) return;
  try {
    checkTimeZone(value.timeZone);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['timeZone'], message: (err as Error).message });
    return;
  }
  if (value.expression === undefined) return;
  try {
    parseScheduleExpression(value.expression, value.timeZone);
  } catch (err) {
    if (!(err instanceof InvalidScheduleExpression)) throw err;
    ctx.addIssue({ code: 'custom', path: ['expression'], message: err.message });
  }
}
export type SchedulePatch = z.infer<typeof SchedulePatch>;

export const Schedule = z
  .object({
    scheduleId: z.string(),
    appId: z.string(),
    ownerId: z.string(),
    ...scheduleFields,
    description: z.string().optional(),
    disabledReason,
    lastSlot: z.string().optional().openapi({ description: 'the latest slot the ledger has an entry for (UTC)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Schedule');
export type Schedule = z.infer<typeof Schedule>;

export const SchedulePreview = z
  .object({
    times: z.array(z.string()).openapi({ description: 'the next fire times, UTC' }),
    timeZone: z.string(),
    slots: z.array(
      z.object({
        time: z.string().optional().openapi({ description: 'when the slot fires, UTC' }),
        localTime: z.string().optional().openapi({ description: "the slot in the schedule's zone, with its offset", example: '2026-03-29T03:30:00+02:00' }),
        repeatedOnce: z.literal(true).optional().openapi({ description: 'the clocks go back: this wall-clock time occurs twice and fires once' }),
        skipped: z.literal(true).optional().openapi({ description: 'the clocks go forward: this wall-clock time does not exist and does not fire' }),
        wallClock: z.string().optional().openapi({ description: "a skipped slot's wall-clock time" }),
      }),
    ),
  })
  .openapi('SchedulePreview');

export const ScheduleFire = z
  .object({
    scheduleId: z.string(),
    scheduledTime: z.string().openapi({ description: 'the slot, UTC' }),
    outcome: z.enum(FIRE_OUTCOMES),
    runId: z.string().optional(),
    reason: z.string().optional(),
    replacedRunIds: z.array(z.string()).optional().openapi({ description: 'REPLACED: the runs this fire stopped' }),
    deliveries: z.number().int().optional().openapi({ description: 'fires received for this slot; each after the first was deduplicated' }),
    caughtUp: z.boolean().optional().openapi({ description: 'the run was started by the catch-up policy, after the slot had passed' }),
    at: z.string(),
  })
  .openapi('ScheduleFire');
export type ScheduleFire = z.infer<typeof ScheduleFire>;
