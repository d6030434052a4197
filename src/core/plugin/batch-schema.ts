import { lazySchema, lazyShape } from '../util/lazy-schema.js';
import { num, object, optional, text } from '../util/plain-checks.js';
import {
  durationSchema,
  plainDuration,
  plainPositiveSize,
  plainSize,
  plainTimeout,
  plainTimerDuration,
  positiveSizeSchema,
  sizeSchema,
  timeoutSchema,
  timerDurationSchema,
} from './units.js';

/*
 * The config options of a batch transport, for a plugin's schema:
 * `z.strictObject({ ...batchOptionsShape, table: z.string() })`. `spool.dir` is relative to
 * the config file; resolve it with the context's `baseDir`. Each schema is made on first use
 * and has its check in plain code (see lazySchema).
 */
const MAX_INT = Number.MAX_SAFE_INTEGER;

/** The plain check of batchLimitsSchema. */
export const plainBatchLimits = object({
  maxRecords: optional(num(1, MAX_INT, true)),
  maxBytes: optional(plainSize),
  intervalMs: optional(plainTimerDuration),
});

/** How records are gathered into batches: `batch: { maxRecords, maxBytes, intervalMs }`. */
export const batchLimitsSchema = lazySchema(
  (z) =>
    z.strictObject({
      maxRecords: z.number().int().min(1).optional(),
      maxBytes: sizeSchema.optional(),
      intervalMs: timerDurationSchema.optional(),
    }),
  plainBatchLimits,
);

/** The plain check of retrySchema. */
export const plainRetry = object({
  maxAttempts: optional(num(1, MAX_INT, true)),
  baseMs: optional(plainTimerDuration),
  maxMs: optional(plainTimerDuration),
  deadlineMs: optional(plainDuration),
});

/** How a batch is retried: `retry: { maxAttempts, baseMs, maxMs, deadlineMs }`. */
export const retrySchema = lazySchema(
  (z) =>
    z.strictObject({
      maxAttempts: z.number().int().min(1).optional(),
      baseMs: timerDurationSchema.optional(),
      maxMs: timerDurationSchema.optional(),
      deadlineMs: durationSchema.optional(),
    }),
  plainRetry,
);

/** The plain check of spoolSchema. */
export const plainSpool = object({ dir: text(1), maxBytes: optional(plainPositiveSize) });

/** Where held records wait for a later attempt or the next start: `spool: { dir, maxBytes }`. */
export const spoolSchema = lazySchema(
  (z) => z.strictObject({ dir: z.string().min(1), maxBytes: positiveSizeSchema.optional() }),
  plainSpool,
);

/**
 * A refinement for an object with `spool` and 0.2's `spoolDir`: the old key beside a `spool`
 * without its `dir` (where the schema says only that `spool.dir` is missing). Run whatever
 * else is wrong (`when`), as that missing dir is one of the problems it explains.
 */
export const spoolDirBesideSpool: [(options: unknown) => boolean, { path: string[]; error: string; when: () => true }] =
  [
    (options) => {
      const { spool, spoolDir } = (typeof options === 'object' && options !== null ? options : {}) as {
        spool?: unknown;
        spoolDir?: unknown;
      };
      return spoolDir === undefined || typeof spool !== 'object' || spool === null || 'dir' in spool;
    },
    {
      path: ['spoolDir'],
      error: 'the old name of "spool": { "dir": … }, beside a "spool" without its "dir": write it there as "dir"',
      when: () => true,
    },
  ];

/** The plain checks of batchOptionsShape, to spread into a plugin's plain check. */
export const plainBatchOptions = {
  batch: optional(plainBatchLimits),
  retry: optional(plainRetry),
  concurrency: optional(num(1, 64, true)),
  timeoutMs: optional(plainTimeout),
};

export const batchOptionsShape = lazyShape(
  (z) => ({
    batch: batchLimitsSchema.optional(),
    retry: retrySchema.optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    timeoutMs: timeoutSchema.optional(),
  }),
  ['batch', 'retry', 'concurrency', 'timeoutMs'],
);
