import type { z } from 'zod';
import { lazySchema } from '../util/lazy-schema.js';
import { NO, type PlainCheck, where } from '../util/plain-checks.js';

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  k: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longer than any size or duration anyone writes: refused before any matching. */
const MAX_TEXT = 64;

function parseUnit(
  input: string,
  table: Record<string, number>,
  whole: (n: number) => number = Math.round,
): number | undefined {
  if (input.length > MAX_TEXT) return undefined;
  // Trimmed first, so the pattern has one way to match each character (linear time).
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(input.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : table[unit];
  if (factor === undefined) return undefined;
  return (unit === '' ? Math.round : whole)(Number(match[1]) * factor);
}

/**
 * "64KB", "1MB", 4096 → bytes (binary units: 1KB = 1024 bytes). A size is a bound, so a part of
 * a byte a unit makes ("1.7KB" is 1740.8) is dropped, never rounded up past what was asked (a
 * number of bytes written as a string is rounded, as it always was).
 */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  return parseUnit(input, SIZE_UNITS, Math.floor);
}

/** "30s", "1d", 250 → milliseconds. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  return parseUnit(input, DURATION_UNITS);
}

/** A size as sizeSchema parses it, in plain code. */
export const plainSize: PlainCheck = (value) =>
  typeof value === 'number' || typeof value === 'string' ? (parseSize(value) ?? NO) : NO;

/** A duration as durationSchema parses it, in plain code. */
export const plainDuration: PlainCheck = (value) =>
  typeof value === 'number' || typeof value === 'string' ? (parseDuration(value) ?? NO) : NO;

export const sizeSchema = lazySchema(
  (z) =>
    z.union([z.number(), z.string()]).transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a size like "1MB", "64KB" or a number of bytes' });
        return z.NEVER;
      }
      return bytes;
    }),
  plainSize,
);

/** A size above zero: a bound of nothing (a spool that holds no line) is a mistake, not a setting. */
export const plainPositiveSize: PlainCheck = where(plainSize, (bytes) => (bytes as number) > 0);

export const positiveSizeSchema = lazySchema(
  (z) =>
    z.union([z.number(), z.string()]).transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined || bytes <= 0) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a size above zero like "100MB", "64KB" or a number of bytes',
        });
        return z.NEVER;
      }
      return bytes;
    }),
  plainPositiveSize,
);

export const durationSchema = lazySchema(
  (z) =>
    z.union([z.number(), z.string()]).transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected a duration like "30s", "5m", "1d" or a number of milliseconds',
        });
        return z.NEVER;
      }
      return ms;
    }),
  plainDuration,
);

/**
 * The longest delay a Node timer takes (2^31 − 1 ms, about 24.8 days): a longer one fires
 * after 1 ms, with a TimeoutOverflowWarning on stderr.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration that is waited with a timer (an interval, a timeout, a backoff), as timerDurationSchema parses it. */
export const plainTimerDuration: PlainCheck = where(plainDuration, (ms) => (ms as number) <= MAX_TIMER_MS);

/** A duration waited with a timer: at most MAX_TIMER_MS, so "30d" is refused rather than fired at once. */
export const timerDurationSchema = lazySchema(
  (z) =>
    durationSchema.pipe(
      z.number().max(MAX_TIMER_MS, {
        error: `expected a duration of at most 24.8 days (${MAX_TIMER_MS} ms, the longest timer Node can set)`,
      }),
    ),
  plainTimerDuration,
);

/** The plain check of timeoutSchema. */
export const plainTimeout: PlainCheck = where(plainTimerDuration, (ms) => (ms as number) >= 1);

/** How long an attempt may take: a timer duration of at least 1 ms (0 would fail every attempt at once). */
export const timeoutSchema = lazySchema(
  (z) => timerDurationSchema.pipe(z.number().min(1, { error: 'expected a timeout of at least 1 ms' })),
  plainTimeout,
);

/** An option kept under its old name for one minor version: marked deprecated in the JSON Schema. */
export function deprecatedOption<S extends z.ZodType>(schema: S, instead: string): S {
  return schema.meta({ deprecated: true, description: `Deprecated: write ${instead}` }) as S;
}
