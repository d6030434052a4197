import { z } from 'zod';
import { durationSchema, sizeSchema } from './units.js';

/**
 * The config options of a batch transport, for a plugin's schema:
 * `z.strictObject({ ...batchOptionsShape, table: z.string() })`. `spool.dir` is relative to
 * the config file; resolve it with the context's `baseDir`.
 */
export const batchOptionsShape = {
  batch: z
    .strictObject({
      maxRecords: z.number().int().min(1).optional(),
      maxBytes: sizeSchema.optional(),
      intervalMs: durationSchema.optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).optional(),
      baseMs: durationSchema.optional(),
      maxMs: durationSchema.optional(),
      deadlineMs: durationSchema.optional(),
    })
    .optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
  timeoutMs: durationSchema.optional(),
};
