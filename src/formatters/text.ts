import { lazySchema } from '../core/util/lazy-schema.js';
import { bool, object, optional } from '../core/util/plain-checks.js';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import { endingLines } from '../core/record/ending-lines.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';
import { sharedView, sharedViewKeys } from '../core/record/object-form.js';
import {
  type BaseMask,
  baseMask,
  HOSTNAME,
  isHeaderKey,
  isoTime,
  lineLabel,
  lineRewritten,
  lineTime,
  PID,
} from './parts.js';
import { logfmtKey, logfmtText, logfmtValue } from './logfmt.js';

/**
 * Where a value sits in the flattened line (`req.headers.host`): its ` key=` text, the keys
 * of the object last found there with a node for each, and what was last written there (a
 * value's pair, or an object's pairs). Records from one call site repeat their keys and
 * mostly their values, so each path is cleaned and joined once, a repeated value is not
 * escaped again, and an object whose pairs all came out as before is not joined again. A node
 * keeps only what the last object at its place had: keys made from data replace, never
 * accumulate.
 */
interface PathNode {
  /** The top of a record (its keys' paths are the keys themselves). */
  readonly root: boolean;
  readonly path: string;
  readonly text: string;
  keys: string[];
  children: PathNode[];
  /** How many keys the object last written here had. */
  count: number;
  /** The text escaped last (a string, or a value's JSON), OBJECT after an object, NOTHING when not kept. */
  last: unknown;
  /** What was written last: '' when not kept. */
  lastPairs: string;
}

const OBJECT = Symbol('object');
const NOTHING = Symbol('nothing');

/** Values escaped to more than this are not kept (memory, and comparing costs as much as escaping). */
const MAX_KEPT_PAIR = 512;
/** An object's pairs longer than this are not kept. */
const MAX_KEPT_PAIRS = 4096;
/** Keys of one object given a node each; the ones past it get a fresh node each time. */
const MAX_CHILDREN = 1024;

function pathNode(parent: PathNode | undefined, key: string): PathNode {
  // Under a key "" the path starts with a dot: `{ "": { level } }` must not read as the line's level.
  const path = parent === undefined || parent.root ? key : `${parent.path}.${key}`;
  return {
    root: parent === undefined,
    path,
    text: ` ${logfmtKey(path)}=`,
    keys: [],
    children: [],
    count: 0,
    last: NOTHING,
    lastPairs: '',
  };
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

/** Remembers what was written at the node, or forgets (so nothing stale can match later). */
function keep(node: PathNode, last: unknown, pairs: string, limit: number): string {
  if (pairs.length <= limit) {
    node.last = last;
    node.lastPairs = pairs;
  } else {
    node.last = NOTHING;
    node.lastPairs = '';
  }
  return pairs;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Nesting levels flattened into dotted keys; deeper objects are written as JSON. */
const FLAT_DEPTH = 8;

/** ` path=value` for a value, objects flattened into one pair per leaf. */
function flatPairs(node: PathNode, value: unknown, depth: number): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < FLAT_DEPTH) {
    return objectPairs(node, value, depth, undefined, false);
  }
  // What gets escaped: the string itself, or the JSON of anything else but numbers and booleans.
  const text = typeof value === 'object' ? (JSON.stringify(value) ?? 'null') : value;
  if (text === node.last) return node.lastPairs;
  const pair = node.text + (typeof text === 'string' ? logfmtText(text) : logfmtValue(text));
  return keep(node, text, pair, MAX_KEPT_PAIR);
}

/**
 * The pairs of an object's keys (at the top level, those a line does not own: `messageKey`
 * given). Each child hands back the very string it kept when nothing under it changed, so
 * the object's pairs are the kept ones when every child's are.
 */
function objectPairs(
  node: PathNode,
  value: object,
  depth: number,
  messageKey: string | undefined,
  hasName: boolean,
  base: BaseMask = PID | HOSTNAME,
): string {
  let same = node.last === OBJECT;
  // Written out only from the first key whose pairs changed: till then, the kept pairs are the record's.
  let out = '';
  let index = 0;
  for (const key in value) {
    // Own keys only, as the JSON line: a polluted Object.prototype shows nowhere.
    if (!hasOwn.call(value, key)) continue;
    if (messageKey !== undefined && isHeaderKey(key, messageKey, hasName, base)) continue;
    // With another messageKey, a field named msg must not pose as the message the line's head shows.
    const child = childNode(node, messageKey !== undefined && key === 'msg' ? '@msg' : key, index++);
    const before = child.lastPairs;
    const pairs = flatPairs(child, (value as Record<string, unknown>)[key], depth + 1);
    if (!same) out += pairs;
    else if (pairs !== before) {
      same = false;
      for (let j = 0; j < index - 1; j++) out += node.children[j]!.lastPairs;
      out += pairs;
    }
  }
  if (same && index === node.count) return node.lastPairs;
  if (same) for (let j = 0; j < index; j++) out += node.children[j]!.lastPairs;
  node.count = index;
  if (index === 0 && messageKey === undefined) out = node.text + '{}';
  // Flat now, so a record that reuses it copies one piece, not a tree of small ones.
  if (messageKey === undefined) out.charCodeAt(0);
  return keep(node, OBJECT, out, MAX_KEPT_PAIRS);
}

/** The top level of the views of one key set, written by code made for its keys (see compileTop). */
interface CompiledTop {
  /** What decided which keys are fields: other values take the general path. */
  messageKey: string;
  hasName: boolean;
  base: BaseMask;
  node: PathNode;
  pairs: (node: PathNode, view: object) => string;
}

/** Per key set: its compiled top level, or null where none can be made. */
const compiled = new WeakMap<object, CompiledTop | null>();

/**
 * objectPairs' top level unrolled for one key set: the fields are known by name, so each is
 * read by a load the engine learns (the views of a key set share one layout), with no check
 * per key of whether the head shows it; the general loop's keyed read of a different key
 * each time cannot be learnt.
 */
function compileTop(view: object, messageKey: string, hasName: boolean, base: BaseMask): CompiledTop | null {
  const keys = Object.keys(view).filter((key) => !isHeaderKey(key, messageKey, hasName, base));
  // A literal `__proto__` read would give the view's prototype, not a key.
  if (keys.includes('__proto__') || keys.length > MAX_CHILDREN) return null;
  const node = pathNode(undefined, '');
  const children = keys.map((key) => pathNode(node, key === 'msg' ? '@msg' : key));
  let body = "let same = node.last === OBJECT;\nlet out = '';\nlet child, before, pairs, v;\n";
  for (let i = 0; i < keys.length; i++) {
    // flatPairs' test of a repeated value, made here: a repeated string, number or boolean costs no call.
    // The pairs kept before the first change are joined by a call: written out, each key's
    // code would list every key before it (a record of 1,000 fields made 10 MB of code).
    body +=
      `child = c[${i}]; before = child.lastPairs; v = view[${JSON.stringify(keys[i])}];\n` +
      `pairs = typeof v !== 'object' && v === child.last ? before : flatPairs(child, v, 0);\n` +
      `if (!same) out += pairs;\n` +
      `else if (pairs !== before) { same = false; out = keptPairs(c, ${i}) + pairs; }\n`;
  }
  body += 'return same ? node.lastPairs : keep(node, OBJECT, out, MAX);';
  const make = new Function(
    'flatPairs',
    'keptPairs',
    'keep',
    'OBJECT',
    'MAX',
    'c',
    `return function pairs(node, view) {\n${body}\n};`,
  );
  const pairs = make(flatPairs, keptPairs, keep, OBJECT, MAX_KEPT_PAIRS, children) as CompiledTop['pairs'];
  return { messageKey, hasName, base, node, pairs };
}

/** The pairs the first `count` children last wrote, joined. */
function keptPairs(children: readonly PathNode[], count: number): string {
  let out = '';
  for (let j = 0; j < count; j++) out += children[j]!.lastPairs;
  return out;
}

/** The key set keySetPairs last wrote, and its entry: records come by the thousand from one call site. */
let lastKeySet: object | undefined;
let lastTop: CompiledTop | null = null;

/** The field pairs of an in-call view of `keySet` (see sharedViewKeys). */
function keySetPairs(keySet: object, view: object, messageKey: string, hasName: boolean, base: BaseMask): string {
  let top = keySet === lastKeySet ? lastTop : compiled.get(keySet);
  if (top === undefined) {
    top = compileTop(view, messageKey, hasName, base);
    compiled.set(keySet, top);
  }
  lastKeySet = keySet;
  lastTop = top;
  if (top !== null && top.messageKey === messageKey && top.hasName === hasName && top.base === base) {
    return top.pairs(top.node, view);
  }
  return objectPairs(rootFor(keySet), view, -1, messageKey, hasName, base);
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
  showBase?: boolean | undefined;
}

/** `time=… level=info name=api msg="hello world" reqId=r1 req.method=GET`, one line per record. */
export function createTextFormatter(options: TextFormatterOptions = {}): Formatter {
  const showBase = options.showBase === true;
  // The line up to its fields, as last written: records of a call site repeat their level,
  // name and message, so they are escaped and joined once, and a line is then a few flat
  // pieces (the time's, this, its fields', the newline), not a dozen to copy again.
  let lastLabel: string | undefined;
  let lastName: unknown;
  let lastMsg: unknown;
  let lastPid: unknown;
  let lastHostname: unknown;
  let lastHead = '';
  let lastTime = Number.NaN;
  let lastTimeText = '';
  let restHead = '';
  let restPairs = '';
  let rest = '\n';
  return {
    name: 'text',
    format: endingLines((record: LogRecord): string => {
      // Written straight from the record's view into one string: no list of pairs to join.
      const view = sharedView(record);
      const messageKey = record.messageKey;
      const rewritten = lineRewritten(record);
      const time = rewritten ? lineTime(view) : record.timestamped ? record.time : undefined;
      if (time !== lastTime) {
        lastTime = time ?? Number.NaN;
        lastTimeText = time === undefined ? '' : `time=${isoTime(time)} `;
      }
      const label = rewritten ? lineLabel(record, view) : record.label;
      const name = view.name;
      const hasName = typeof name === 'string';
      // An own key only: a messageKey of `toString` must not read what every object inherits.
      const msg = hasOwn.call(view, messageKey) ? view[messageKey] : undefined;
      const base = baseMask(record);
      const pid = showBase && (base & PID) !== 0 ? view.pid : undefined;
      const hostname = showBase && (base & HOSTNAME) !== 0 ? view.hostname : undefined;
      if (label !== lastLabel || name !== lastName || msg !== lastMsg || pid !== lastPid || hostname !== lastHostname) {
        lastLabel = label;
        lastName = name;
        lastMsg = msg;
        lastPid = pid;
        lastHostname = hostname;
        lastHead = headText(label, hasName ? name : undefined, msg, pid, hostname);
      }
      const keySet = sharedViewKeys(record);
      const pairs =
        keySet === undefined
          ? objectPairs(parsedRoot, view, -1, messageKey, hasName, base)
          : keySetPairs(keySet, view, messageKey, hasName, base);
      // Records of a call site mostly differ in their time alone: the rest is one flat piece.
      if (lastHead !== restHead || pairs !== restPairs) {
        restHead = lastHead;
        restPairs = pairs;
        rest = `${lastHead}${pairs}\n`;
        rest.charCodeAt(0);
      }
      return lastTimeText + rest;
    }),
  };
}

/** `level=… name=… msg=… pid=… hostname=…`, those the line shows, flat. */
function headText(label: string, name: string | undefined, msg: unknown, pid: unknown, hostname: unknown): string {
  let out = `level=${logfmtText(label)}`;
  if (name !== undefined) out += ` name=${logfmtText(name)}`;
  if (msg !== undefined) out += ` msg=${logfmtText(String(msg))}`;
  if (pid !== undefined) out += ` pid=${logfmtValue(pid)}`;
  if (hostname !== undefined) out += ` hostname=${logfmtValue(hostname)}`;
  out.charCodeAt(0);
  return out;
}

export const textFormatterPlugin: FormatterPlugin = {
  schema: lazySchema((z) => z.strictObject({ showBase: z.boolean().optional() }), object({ showBase: optional(bool) })),
  create: (options: TextFormatterOptions) => createTextFormatter(options),
};

declare module '../core/plugin/registry.js' {
  interface FormatterTypes {
    text: TextFormatterOptions;
  }
}
