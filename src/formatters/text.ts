import { z } from 'zod';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView, sharedViewKeys } from '../core/record/object-form.js';
import { isoTime } from './parts.js';
import { logfmtKey, logfmtText, logfmtValue } from './logfmt.js';

/**
 * Where a value sits in the flattened line (`req.headers.host`): its ` key=` text, the keys
 * of the object last found there with a node for each, and the last value written there with
 * its pair. Records from one call site repeat their keys and mostly their values, so each
 * path is cleaned and joined once and a repeated value is not escaped again. A node keeps only
 * what the last object at its place had: keys made from data replace, never accumulate.
 */
interface PathNode {
  readonly path: string;
  readonly text: string;
  keys: string[];
  children: PathNode[];
  last: unknown;
  lastPair: string;
}

/** Strings longer than this are not kept as a node's last value (memory, and comparing costs as much as escaping). */
const MAX_KEPT_STRING = 256;
/** Keys of one object given a node each; the ones past it get a fresh node each time. */
const MAX_CHILDREN = 1024;

function pathNode(parent: PathNode | undefined, key: string): PathNode {
  const path = parent?.path ? `${parent.path}.${key}` : key;
  return { path, text: ` ${logfmtKey(path)}=`, keys: [], children: [], last: undefined, lastPair: '' };
}

/** The node for the `index`-th key of the object at `parent`, made anew when the key differs. */
function childNode(parent: PathNode, key: string, index: number): PathNode {
  if (parent.keys[index] === key) return parent.children[index]!;
  const node = pathNode(parent, key);
  if (index < MAX_CHILDREN) {
    parent.keys[index] = key;
    parent.children[index] = node;
  }
  return node;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Nesting levels flattened into dotted keys; deeper objects are written as JSON. */
const FLAT_DEPTH = 8;

/** Appends ` path=value` for a value, objects flattened into one pair per leaf. */
function appendFlat(out: string, node: PathNode, value: unknown, depth: number): string {
  if (typeof value === 'object' && value !== null) {
    if (!Array.isArray(value) && depth < FLAT_DEPTH) {
      let index = 0;
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        const child = childNode(node, key, index++);
        out = appendFlat(out, child, (value as Record<string, unknown>)[key], depth + 1);
      }
      return index === 0 ? out + node.text + '{}' : out;
    }
  }
  // What gets escaped: the string itself, or the JSON of anything else but numbers and booleans.
  const text = typeof value === 'object' ? (JSON.stringify(value) ?? 'null') : value;
  if (text === node.last && node.lastPair !== '') return out + node.lastPair;
  const pair = node.text + (typeof text === 'string' ? logfmtText(text) : logfmtValue(text));
  if (typeof text !== 'string' || text.length <= MAX_KEPT_STRING) {
    node.last = text;
    node.lastPair = pair;
  }
  return out + pair;
}

/** The top level of a view: one per key set of in-call views (see sharedViewKeys), one for parsed views. */
const roots = new WeakMap<object, PathNode>();
const parsedRoot = pathNode(undefined, '');

function rootFor(keySet: object | undefined): PathNode {
  if (keySet === undefined) return parsedRoot;
  let root = roots.get(keySet);
  if (root === undefined) {
    root = pathNode(undefined, '');
    roots.set(keySet, root);
  }
  return root;
}

export interface TextFormatterOptions {
  /** Include pid and hostname (off by default: they rarely help a human reader). */
  showBase?: boolean;
}

/** `time=… level=info name=api msg="hello world" reqId=r1 req.method=GET`, one line per record. */
export function createTextFormatter(options: TextFormatterOptions = {}): Formatter {
  const showBase = options.showBase === true;
  let lastMsg: unknown;
  let lastMsgText = '';
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
      if (msg !== undefined) {
        // A call site logs the same message again and again: escaped once.
        if (msg !== lastMsg) {
          lastMsg = msg;
          lastMsgText = ` msg=${logfmtText(String(msg))}`;
        }
        out += lastMsgText;
      }
      if (showBase) {
        if (view.pid !== undefined) out += ` pid=${logfmtValue(view.pid)}`;
        if (view.hostname !== undefined) out += ` hostname=${logfmtValue(view.hostname)}`;
      }
      const root = rootFor(sharedViewKeys(record));
      let index = 0;
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
        out = appendFlat(out, childNode(root, key, index++), view[key], 0);
      }
      return out + '\n';
    },
  };
}

export const textFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({ showBase: z.boolean().optional() }),
  create: (options: TextFormatterOptions) => createTextFormatter(options),
};
