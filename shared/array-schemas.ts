/**
 * Array jobs (issue 21), in AWS Batch's vocabulary: a run created with `arrayProperties: {size}`
 * is a parent of `size` child runs, one per index 0…size-1, at most `parallelism` of them active at
 * once (AWS Batch, "Array jobs"; its array size is 2–10,000).
 */
import { z } from '@hono/zod-openapi';
import { TERMINAL_STATUSES } from './domain.js';

/** AWS Batch's bounds on an array's size ("Array jobs": 2 to 10,000). */
export const ARRAY_SIZE = { min: 2, max: 10_000 } as const;

/** What a client asks for: an array of `size` children. */
export const ArrayRequest = z
  .object({
    size: z
      .number()
      .int()
      .min(ARRAY_SIZE.min)
      .max(ARRAY_SIZE.max)
      .openapi({ description: `children, ${ARRAY_SIZE.min}–${ARRAY_SIZE.max} (AWS Batch's bounds)` }),
  })
  .strict()
  .openapi({
    description: 'makes this run an array job: a parent of `size` child runs, each given CONTAINERIZER_ARRAY_INDEX (0…size-1) and CONTAINERIZER_ARRAY_SIZE',
  });

/** At most this many children active at once; default: the size, capped by the owner's run quota (MAX_ACTIVE_RUNS_PER_USER). */
export const Parallelism = z.number().int().min(1).max(ARRAY_SIZE.max).openapi({
  description:
    "an array job's children active at once (default: its size, capped by MAX_ACTIVE_RUNS_PER_USER); never more than the owner's run quota leaves room for",
});

/** Counts of an array's children that have ended, per terminal status (a retried index counts once, by its last attempt). */
export const StatusSummary = z.object(
  Object.fromEntries(TERMINAL_STATUSES.map((status) => [status, z.number().int()])) as Record<(typeof TERMINAL_STATUSES)[number], z.ZodNumber>,
);
export type StatusSummary = z.infer<typeof StatusSummary>;

/**
 * A run's array properties. A parent: size, parallelism, nextIndex (the children below it have been created) and statusSummary.
 * A child: size and its index (its parent is parentRunId).
 */
export const RunArrayProperties = z
  .object({
    size: z.number().int(),
    index: z.number().int().optional().openapi({ description: "a child's index, 0…size-1" }),
    parallelism: z.number().int().optional().openapi({ description: "a parent's: children active at once, at most" }),
    nextIndex: z
      .number()
      .int()
      .optional()
      .openapi({ description: "a parent's: children below this index have been created (the others wait PENDING, not yet materialised)" }),
    statusSummary: StatusSummary.optional().openapi({ description: "a parent's: its children that have ended, per status" }),
  })
  .openapi('ArrayProperties');
export type RunArrayProperties = z.infer<typeof RunArrayProperties>;

export const ChildListQuery = z.object({
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ChildListQuery = z.infer<typeof ChildListQuery>;
