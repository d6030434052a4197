import stringify from 'fast-json-stable-stringify';
import { lazySchema } from '../core/util/lazy-schema.js';
import { object } from '../core/util/plain-checks.js';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView } from '../core/record/object-form.js';
import { quote } from '../core/record/serialize.js';

/**
 * JSON data (what a record's line holds: strings, finite numbers, booleans, null, arrays,
 * plain objects) written with every object's keys in sorted order, as
 * fast-json-stable-stringify writes it. Written directly: no sorted copy to build, and
 * integer-like keys ("2", "10") keep their place among the others (an object would put
 * them first).
 */
function sortedJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + sortedJson(value[i]);
        return out + ']';
      }
      const keys = Object.keys(value).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        out += (i > 0 ? ',' : '') + quote(key) + ':' + sortedJson((value as Record<string, unknown>)[key]);
      }
      return out + '}';
    }
    default:
      // Not JSON data (cannot come from a record's line): the library's answer.
      return stringify(value) ?? 'null';
  }
}

/** Keys sorted at every depth: diffable logs and golden tests. */
export const stableJsonFormatter: Formatter = {
  name: 'stable-json',
  format: (record: LogRecord) => sortedJson(sharedView(record)) + '\n',
};

export const stableJsonFormatterPlugin: FormatterPlugin = {
  schema: lazySchema((z) => z.strictObject({}), object({})),
  create: () => stableJsonFormatter,
};
