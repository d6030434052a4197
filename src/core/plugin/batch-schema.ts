import { z } from 'zod';
import { durationSchema, sizeSchema } from './units.js';

/**
 * The config options of a batch transport, for a plugin's schema:
 * `z.strictObject({ ...batchOptionsShape, table: z.string() })`. `spool.dir` is relative to
 * the config file; resolve it with the context's `baseDir`.
 */
/** How records are gathered into batches: `batch: { maxRecords, maxBytes, intervalMs }`. */
export const batchLimitsSchema = z.strictObject({
  maxRecords: z.number().int().min(1).optional(),
  maxBytes: sizeSchema.optional(),
  intervalMs: durationSchema.optional(),
});

/** How a batch is retried: `retry: { maxAttempts, baseMs, maxMs, deadlineMs }`. */
export const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).optional(),
  baseMs: durationSchema.optional(),
  maxMs: durationSchema.optional(),
  deadlineMs: durationSchema.optional(),
});

/** Where held records wait for a later attempt or the next start: `spool: { dir, maxBytes }`. */
export const spoolSchema = z.strictObject({ dir: z.string().min(1), maxBytes: sizeSchema.optional() });

export const batchOptionsShape = {
  batch: batchLimitsSchema.optional(),
  retry: retrySchema.optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  timeoutMs: durationSchema.optional(),
};
