import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView } from '../core/record/object-form.js';

const INTEGER_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * A copy of parsed JSON data with every object's keys inserted in sorted order, so the
 * native JSON.stringify writes them sorted. Engines put integer-like keys ("2", "10") first
 * in numeric order whatever the insertion order, so data holding such keys returns
 * undefined and takes fast-json-stable-stringify instead, which sorts them as strings
 * (as does a "__proto__" key).
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = sortedCopy(value[i]);
      if (item === undefined && value[i] !== undefined) return undefined;
      out[i] = item;
    }
    return out;
  }
  const keys = Object.keys(value).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // "__proto__" would set the copy's prototype instead of a key: the library handles it.
    if (INTEGER_KEY.test(key) || key === '__proto__') return undefined;
    const source = (value as Record<string, unknown>)[key];
    const item = sortedCopy(source);
    if (item === undefined && source !== undefined) return undefined;
    out[key] = item;
  }
  return out;
}

/** Keys sorted at every depth: diffable logs and golden tests. */
export const stableJsonFormatter: Formatter = {
  name: 'stable-json',
  format: (record: LogRecord) => {
    const view = sharedView(record);
    const sorted = sortedCopy(view);
    return (sorted === undefined ? stringify(view) : JSON.stringify(sorted)) + '\n';
  },
};

export const stableJsonFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({}),
  create: () => stableJsonFormatter,
};
