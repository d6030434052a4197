import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView, sharedViewKeys } from '../core/record/object-form.js';
import { quote } from '../core/record/serialize.js';

/** Above this many keys the built-in sort wins; below it an insertion sort is several times faster. */
const INSERTION_SORT_LIMIT = 24;

/** An object's keys in the order Array.prototype.sort gives them (UTF-16 code units). */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  if (keys.length > INSERTION_SORT_LIMIT) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** `"key":` per key: records from one call site repeat their keys, so each is quoted once. */
let keyTexts = new Map<string, string>();
/** Keys made from data (ids as keys) must not grow the cache without bound. */
const MAX_KEY_TEXTS = 4096;

function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    if (keyTexts.size >= MAX_KEY_TEXTS) keyTexts = new Map();
    text = quote(key) + ':';
    keyTexts.set(key, text);
  }
  return text;
}

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
        if (value.length === 0) return '[]';
        let out = '[' + sortedJson(value[0]);
        for (let i = 1; i < value.length; i++) out += ',' + sortedJson(value[i]);
        return out + ']';
      }
      const keys = sortedKeys(value);
      if (keys.length === 0) return '{}';
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        out += (i > 0 ? ',' : '') + keyText(key) + sortedJson((value as Record<string, unknown>)[key]);
      }
      return out + '}';
    }
    default:
      // Not JSON data (cannot come from a record's line): the library's answer.
      return stringify(value) ?? 'null';
  }
}

/** A view's top-level keys sorted, each with its `"key":` text (`,"key":` after the first). */
interface TopLevel {
  keys: string[];
  texts: string[];
}

/** Per key set of views built from records' parts (see sharedViewKeys): its top level, sorted once. */
const topLevels = new WeakMap<object, TopLevel>();

function topLevel(view: object): TopLevel {
  const keys = sortedKeys(view);
  return { keys, texts: keys.map((key, i) => (i > 0 ? ',' : '') + keyText(key)) };
}

/** Keys sorted at every depth: diffable logs and golden tests. */
export const stableJsonFormatter: Formatter = {
  name: 'stable-json',
  format(record: LogRecord): string {
    const view = sharedView(record);
    const keySet = sharedViewKeys(record);
    if (keySet === undefined) return sortedJson(view) + '\n';
    let top = topLevels.get(keySet);
    if (top === undefined) {
      top = topLevel(view);
      topLevels.set(keySet, top);
    }
    const { keys, texts } = top;
    let out = '{';
    for (let i = 0; i < keys.length; i++) out += texts[i]! + sortedJson(view[keys[i]!]);
    return out + '}\n';
  },
};

export const stableJsonFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({}),
  create: () => stableJsonFormatter,
};
