import { lazySchema } from '../core/util/lazy-schema.js';
import { bool, object, optional } from '../core/util/plain-checks.js';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { isoTime, recordParts } from './parts.js';
import { sanitize } from './sanitize.js';

/** Anything that forces quoting: whitespace, =, quotes, backslashes, controls, separators, surrogates. */
const NEEDS_QUOTES = /[\s="\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;

/** logfmt value: bare when safe, otherwise quoted with escapes; never a raw control byte. */
function logfmtValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  if (text.length > 0 && !NEEDS_QUOTES.test(text)) return text;
  return '"' + sanitize(text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')) + '"';
}

const PLAIN_KEY = /^[\w.\-/@:]+$/;

/** logfmt key: anything outside the usual key alphabet becomes "_". */
function logfmtKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  const safe = key.replace(/[^\w.\-/@:]/g, '_');
  return safe.length > 0 ? safe : '_';
}

function appendFlat(out: string[], prefix: string, value: unknown, depth: number): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 8) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.push(`${logfmtKey(prefix)}={}`);
    for (const [key, inner] of entries) appendFlat(out, prefix ? `${prefix}.${key}` : key, inner, depth + 1);
    return;
  }
  out.push(`${logfmtKey(prefix)}=${logfmtValue(value)}`);
}

export interface TextFormatterOptions {
  /** Include pid and hostname (off by default: they rarely help a human reader). */
  showBase?: boolean;
}

/** `time=… level=info name=api msg="hello world" reqId=r1 req.method=GET`, one line per record. */
export function createTextFormatter(options: TextFormatterOptions = {}): Formatter {
  return {
    name: 'text',
    format(record: LogRecord): string {
      const parts = recordParts(record);
      const out: string[] = [];
      if (parts.time !== undefined) out.push(`time=${isoTime(parts.time)}`);
      out.push(`level=${logfmtValue(parts.label)}`);
      if (parts.name !== undefined) out.push(`name=${logfmtValue(parts.name)}`);
      if (parts.msg !== undefined) out.push(`msg=${logfmtValue(parts.msg)}`);
      if (options.showBase) {
        if (parts.pid !== undefined) out.push(`pid=${logfmtValue(parts.pid)}`);
        if (parts.hostname !== undefined) out.push(`hostname=${logfmtValue(parts.hostname)}`);
      }
      for (const key of parts.fieldKeys) appendFlat(out, key, parts.view[key], 0);
      return out.join(' ') + '\n';
    },
  };
}

export const textFormatterPlugin: FormatterPlugin = {
  schema: lazySchema((z) => z.strictObject({ showBase: z.boolean().optional() }), object({ showBase: optional(bool) })),
  create: (options: TextFormatterOptions) => createTextFormatter(options),
};
