import stringify from 'fast-json-stable-stringify';
import { lazySchema } from '../core/util/lazy-schema.js';
import { object } from '../core/util/plain-checks.js';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import { endingLines } from '../core/record/ending-lines.js';
import type { Formatter, LogRecord, LogRecordImpl } from '../core/record/log-record.js';
import { sharedView, sharedViewKeys } from '../core/record/object-form.js';
import { quote } from '../core/record/serialize.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Above this many keys the built-in sort wins; below it an insertion sort is several times faster. */
const INSERTION_SORT_LIMIT = 24;

/** Keys sorted in place in the order Array.prototype.sort gives them (UTF-16 code units). */
function sortKeys(keys: string[]): string[] {
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
      const keys = sortKeys(Object.keys(value));
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

/**
 * Where a value sits in a record: the keys of the object last found there (in the order
 * for-in gives them), the same keys sorted with their `"key":` texts and a node each, and the
 * JSON last written there. Records from one call site repeat their keys and mostly their
 * values, so keys are sorted once, a repeated value is not quoted again, and an object whose
 * members all came out as before is not joined again. A node keeps only what the last object
 * at its place had: keys made from data replace, never accumulate.
 */
interface SortedNode {
  keys: string[] | undefined;
  sorted: string[];
  texts: string[];
  children: SortedNode[];
  /** The string or number written last, OBJECT after an object, NOTHING otherwise. */
  last: unknown;
  /** The JSON written last: '' when not kept. */
  lastJson: string;
  /**
   * `{` and the members before the `prefixAt`-th as last written, joined and flat (−1: none
   * kept). Records from one call site mostly differ in one member (the time, last at the top):
   * the members before it are one piece, not a concatenation each.
   */
  prefix: string;
  prefixAt: number;
  /** The prefix with the `prefixAt`-th member's `"key":` after it, flat. */
  keyed: string;
  /** For a key set's top level: its members written by code made for its keys (see compileMembers). */
  members: MembersWriter | undefined;
}

/** The members of a node's object as written now, or null when every one came out as before. */
type MembersWriter = (node: SortedNode, value: object, same: boolean, depth: number) => string | null;

const OBJECT = Symbol('object');
const NOTHING = Symbol('nothing');

/** Objects wider or deeper than these are written without a node. */
const MAX_NODE_KEYS = 64;
const MAX_NODE_DEPTH = 8;
/** JSON longer than this is not kept (memory, and comparing costs as much as writing it). */
const MAX_KEPT_VALUE = 512;
const MAX_KEPT_OBJECT = 4096;

function sortedNode(): SortedNode {
  return {
    keys: undefined,
    sorted: [],
    texts: [],
    children: [],
    last: NOTHING,
    lastJson: '',
    prefix: '',
    prefixAt: -1,
    keyed: '',
    members: undefined,
  };
}

function sameKeys(value: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in value) if (hasOwn.call(value, key) && keys[i++] !== key) return false;
  return i === keys.length;
}

/** Takes the object's keys as the node's; false (and the node unchanged) for one too wide. */
function plan(node: SortedNode, value: object): boolean {
  const keys = Object.keys(value);
  if (keys.length > MAX_NODE_KEYS) return false;
  const sorted = sortKeys([...keys]);
  node.keys = keys;
  node.sorted = sorted;
  node.texts = sorted.map((key, i) => (i > 0 ? ',' : '') + keyText(key));
  node.children = sorted.map(sortedNode);
  node.members = undefined;
  return true;
}

/** Remembers what was written at the node, or forgets (so nothing stale can match later). */
function keep(node: SortedNode, last: unknown, json: string, limit: number): string {
  if (json.length <= limit) {
    node.last = last;
    node.lastJson = json;
  } else {
    node.last = NOTHING;
    node.lastJson = '';
  }
  return json;
}

/**
 * As sortedJson, with what the node remembers from the records before. A node hands back the
 * very string it kept when nothing under it changed, which is how its parent knows.
 */
function nodeJson(node: SortedNode, value: unknown, depth: number): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < MAX_NODE_DEPTH) {
    return objectJson(node, value, depth);
  }
  if ((typeof value === 'string' || typeof value === 'number') && value === node.last) return node.lastJson;
  const json = sortedJson(value);
  if (json === node.lastJson) {
    node.last = typeof value === 'string' || typeof value === 'number' ? value : NOTHING;
    return node.lastJson;
  }
  return keep(node, typeof value === 'string' || typeof value === 'number' ? value : NOTHING, json, MAX_KEPT_VALUE);
}

/**
 * `{`, the node's first `i` members as last written and the `i`-th member's `"key":`, flat:
 * the kept one when it is of those members (they came out as before, so it still holds),
 * else made and kept.
 */
function prefixOf(node: SortedNode, i: number): string {
  if (node.prefixAt === i) return node.keyed;
  let out: string;
  let j: number;
  // A prefix kept for fewer members is the start of this one.
  if (node.prefixAt >= 0 && node.prefixAt < i) {
    out = node.prefix;
    j = node.prefixAt;
  } else {
    out = '{';
    j = 0;
  }
  for (; j < i; j++) out += node.texts[j]! + node.children[j]!.lastJson;
  out.charCodeAt(0);
  node.prefix = out;
  node.prefixAt = i;
  const keyed = out + node.texts[i]!;
  keyed.charCodeAt(0);
  node.keyed = keyed;
  return keyed;
}

/** `keysKnown`: the object has the keys the node was planned for (a view of a key set's; see rootFor). */
function objectJson(node: SortedNode, value: object, depth: number, keysKnown = false): string {
  let same = node.last === OBJECT;
  if (node.keys === undefined || (!keysKnown && !sameKeys(value, node.keys))) {
    if (!plan(node, value)) {
      keep(node, NOTHING, '', 0);
      return sortedJson(value);
    }
    // A key set's top level keeps its keys for good: worth code of its own.
    if (keysKnown) node.members = compileMembers(node.sorted);
    same = false;
  }
  // Members not as before (or of other keys): no kept prefix holds.
  if (!same) node.prefixAt = -1;
  const members = node.members ?? membersLoop;
  const out = members(node, value, same, depth);
  if (out === null) return node.lastJson;
  // Flat now, so a record that reuses it copies one piece, not a tree of small ones (the
  // top level changes with the time, so it is left as it is).
  if (depth > 0) out.charCodeAt(0);
  return keep(node, OBJECT, out, MAX_KEPT_OBJECT);
}

/** Written out only from the first member that changed: till then, the kept texts are the record's. */
function membersLoop(node: SortedNode, value: object, same: boolean, depth: number): string | null {
  const { sorted, texts, children } = node;
  let out = same ? '' : '{';
  for (let i = 0; i < sorted.length; i++) {
    const child = children[i]!;
    const before = child.lastJson;
    const json = nodeJson(child, (value as Record<string, unknown>)[sorted[i]!], depth + 1);
    if (!same) out += texts[i]! + json;
    else if (json !== before) {
      same = false;
      out = prefixOf(node, i) + json;
    }
  }
  return same ? null : out + '}';
}

/**
 * membersLoop unrolled for one key set's sorted keys: each value is read by its name, a load
 * the engine learns (the views of a key set share one layout), where the loop's keyed read
 * of a different key each time cannot be learnt and was the formatter's costliest line.
 */
function compileMembers(sorted: readonly string[]): MembersWriter | undefined {
  // A literal `__proto__` read would give the view's prototype, not a key.
  if (sorted.includes('__proto__')) return undefined;
  let body = "let out = same ? '' : '{';\nconst t = node.texts, c = node.children;\nlet child, before, json, v;\n";
  for (let i = 0; i < sorted.length; i++) {
    const read = `value[${JSON.stringify(sorted[i])}]`;
    // nodeJson's first test, made here: a repeated string or number costs no call.
    body +=
      `child = c[${i}]; before = child.lastJson; v = ${read};\n` +
      `json = (typeof v === 'string' || typeof v === 'number') && v === child.last\n` +
      '  ? before : nodeJson(child, v, depth + 1);\n' +
      `if (!same) out += t[${i}] + json;\n` +
      `else if (json !== before) { same = false; out = prefixOf(node, ${i}) + json; }\n`;
  }
  body += "return same ? null : out + '}';";
  const make = new Function('nodeJson', 'prefixOf', `return function members(node, value, same, depth) {\n${body}\n};`);
  return make(nodeJson, prefixOf) as MembersWriter;
}

/** The top of a record: one per key set of in-call views (see sharedViewKeys), one for parsed views. */
const roots = new WeakMap<object, SortedNode>();
const parsedRoot = sortedNode();

/** The key set rootFor last gave a root for, and that root: records come by the thousand from one call site. */
let lastKeySet: object | undefined;
let lastRoot = parsedRoot;

function rootFor(keySet: object | undefined): SortedNode {
  if (keySet === undefined) return parsedRoot;
  if (keySet === lastKeySet) return lastRoot;
  let root = roots.get(keySet);
  if (root === undefined) {
    root = sortedNode();
    roots.set(keySet, root);
  }
  lastKeySet = keySet;
  lastRoot = root;
  return root;
}

function lineEnd(record: LogRecord): string {
  return (record as Partial<LogRecordImpl>).scope?.shape.end ?? '\n';
}

/** Keys sorted at every depth: diffable logs and golden tests. */
export const stableJsonFormatter: Formatter = {
  name: 'stable-json',
  format: endingLines((record: LogRecord): string => {
    const view = sharedView(record);
    // As the JSON line ends: in "\r\n" under pino's crlf.
    const keySet = sharedViewKeys(record);
    // Views of one key set have its keys, in its order: they need not be compared again.
    const json = keySet === undefined ? nodeJson(parsedRoot, view, 0) : objectJson(rootFor(keySet), view, 0, true);
    return json + lineEnd(record);
  }),
};

export const stableJsonFormatterPlugin: FormatterPlugin = {
  schema: lazySchema((z) => z.strictObject({}), object({})),
  create: () => stableJsonFormatter,
};

declare module '../core/plugin/registry.js' {
  interface FormatterTypes {
    'stable-json': Record<string, never>;
  }
}
