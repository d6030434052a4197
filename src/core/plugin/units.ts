import type { z } from 'zod';
import { lazySchema } from '../util/lazy-schema.js';
import { NO, type PlainCheck } from '../util/plain-checks.js';

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

function parseUnit(input: string, table: Record<string, number>): number | undefined {
  if (input.length > MAX_TEXT) return undefined;
  // Trimmed first, so the pattern has one way to match each character (linear time).
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(input.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = unit === '' ? 1 : table[unit];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

/** "64KB", "1MB", 4096 → bytes (binary units: 1KB = 1024 bytes). */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  return parseUnit(input, SIZE_UNITS);
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

/** An option kept under its old name for one minor version: marked deprecated in the JSON Schema. */
export function deprecatedOption<S extends z.ZodType>(schema: S, instead: string): S {
  return schema.meta({ deprecated: true, description: `Deprecated: write ${instead}` }) as S;
}
