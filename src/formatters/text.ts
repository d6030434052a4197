import { z } from 'zod';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView } from '../core/record/object-form.js';
import { isoTime } from './parts.js';
import { sanitize } from './sanitize.js';

/** Anything that forces quoting: whitespace, =, quotes, backslashes, controls, separators, surrogates. */
const NEEDS_QUOTES = /[\s="\\\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;

/** Longer strings are checked by the regular expression: it beats a loop over their characters. */
const SCAN_LIMIT = 64;

/** logfmt text: bare when safe, otherwise quoted with escapes; never a raw control byte. */
function logfmtText(text: string): string {
  const length = text.length;
  if (length === 0) return '""';
  if (length <= SCAN_LIMIT) {
    // Printable ASCII is decided here: a space or "=" wants quotes, a quote or backslash an escape too.
    let quoted = false;
    let escapes = false;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code === 32 || code === 61) quoted = true;
      else if (code === 34 || code === 92) escapes = true;
      else if (code < 32 || code >= 0x7f) return escapedText(text);
    }
    if (escapes) return backslashed(text);
    return quoted ? '"' + text + '"' : text;
  }
  return escapedText(text);
}

/** Printable ASCII with quotes or backslashes (a JSON array, say): quoted, each one escaped. */
function backslashed(text: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 || code === 92) {
      out += text.slice(from, i) + '\\';
      from = i;
    }
  }
  return out + text.slice(from) + '"';
}

function escapedText(text: string): string {
  if (!NEEDS_QUOTES.test(text)) return text;
  return '"' + sanitize(text.replace(/[\\"]/g, '\\$&')) + '"';
}

/** logfmt value: numbers and booleans as they are, strings as text, the rest as JSON. */
function logfmtValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return logfmtText(typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'));
}

const PLAIN_KEY = /^[\w.\-/@:]+$/;

/** logfmt key: anything outside the usual key alphabet becomes "_". */
function logfmtKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  const safe = key.replace(/[^\w.\-/@:]/g, '_');
  return safe.length > 0 ? safe : '_';
}

/**
 * A flattened key path (`req.headers.host`) and its ` key=` text, with the paths below it:
 * records from one call site repeat their keys, so each path is cleaned and joined once.
 */
interface KeyPath {
  readonly path: string;
  readonly text: string;
  children: Map<string, KeyPath> | undefined;
}

/** Keys made from data (ids as keys) must not grow the cache without bound. */
const MAX_KEY_PATHS = 4096;
let keyPathCount = 0;
let roots = new Map<string, KeyPath>();

function keyPath(parent: KeyPath | undefined, key: string): KeyPath {
  let map: Map<string, KeyPath>;
  if (parent === undefined) map = roots;
  else {
    parent.children ??= new Map();
    map = parent.children;
  }
  let node = map.get(key);
  if (node === undefined) {
    if (keyPathCount >= MAX_KEY_PATHS) {
      // Start over; the paths still in use by this record stay valid, only unshared.
      roots = new Map();
      keyPathCount = 0;
    }
    const path = parent?.path ? `${parent.path}.${key}` : key;
    node = { path, text: ` ${logfmtKey(path)}=`, children: undefined };
    map.set(key, node);
    keyPathCount++;
  }
  return node;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Nesting levels flattened into dotted keys; deeper objects are written as JSON. */
const FLAT_DEPTH = 8;

/** Appends ` path=value` for a value, objects flattened into one pair per leaf. */
function appendFlat(out: string, node: KeyPath, value: unknown, depth: number): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < FLAT_DEPTH) {
    let empty = true;
    for (const key in value) {
      if (!hasOwn.call(value, key)) continue;
      empty = false;
      out = appendFlat(out, keyPath(node, key), (value as Record<string, unknown>)[key], depth + 1);
    }
    return empty ? out + node.text + '{}' : out;
  }
  return out + node.text + logfmtValue(value);
}

export interface TextFormatterOptions {
  /** Include pid and hostname (off by default: they rarely help a human reader). */
  showBase?: boolean;
}

/** `time=… level=info name=api msg="hello world" reqId=r1 req.method=GET`, one line per record. */
export function createTextFormatter(options: TextFormatterOptions = {}): Formatter {
  const showBase = options.showBase === true;
  return {
    name: 'text',
    format(record: LogRecord): string {
      // Written straight from the record's view into one string: no list of pairs to join.
      const view = sharedView(record);
      const messageKey = record.messageKey;
      let out = record.timestamped ? `time=${isoTime(record.time)} ` : '';
      out += `level=${logfmtText(record.label)}`;
      const name = view.name;
      const hasName = typeof name === 'string';
      if (hasName) out += ` name=${logfmtText(name)}`;
      const msg = view[messageKey];
      if (msg !== undefined) out += ` msg=${logfmtText(String(msg))}`;
      if (showBase) {
        if (view.pid !== undefined) out += ` pid=${logfmtValue(view.pid)}`;
        if (view.hostname !== undefined) out += ` hostname=${logfmtValue(view.hostname)}`;
      }
      for (const key in view) {
        if (
          key === 'level' ||
          key === 'time' ||
          key === messageKey ||
          key === 'pid' ||
          key === 'hostname' ||
          (hasName && key === 'name')
        )
          continue;
        out = appendFlat(out, keyPath(undefined, key), view[key], 0);
      }
      return out + '\n';
    },
  };
}

export const textFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({ showBase: z.boolean().optional() }),
  create: (options: TextFormatterOptions) => createTextFormatter(options),
};
