import { Stream } from 'node:stream';
import { types } from 'node:util';
import { hasPlainPrototype } from '../util/plain-prototype.js';
import { isAnyDate, isAnyError, isAnyMap, isAnySet, isBoxedScalar } from '../util/value-kinds.js';
import { originalsOf } from './redacted-copies.js';
/**
 * JSON building for log lines. The fast path leans on the native JSON.stringify and only
 * falls back to the careful walker when that throws (cycles, BigInt, throwing getters or
 * toJSON, stack overflow on very deep values) or for top-level values JSON would mangle
 * (Error, Map, Set, Buffer). Nothing in here throws.
 */

export interface SafeOptions {
  /** Nesting depth after which objects become "[Object]" / arrays "[Array]". */
  maxDepth: number;
  /** Buffers longer than this are truncated in the base64 preview. */
  maxBufferBytes: number;
  /** Values the careful walker visits in one record before it stops with a marker. */
  maxNodes: number;
  /** Characters the careful walker writes for one value before it stops with a marker. */
  maxChars: number;
  /** Array, Set and Map items written before a "… N more" marker (the fast path hands longer arrays over). */
  maxItems: number;
  /**
   * Keys the line itself owns (level, time, the message key, base keys): a field by such a
   * name is written as `"@<key>"`, so no reader ever sees a forged level or time.
   */
  coreKeys?: ReadonlySet<string>;
}

export const DEFAULT_SAFE_OPTIONS: SafeOptions = {
  maxDepth: 16,
  maxBufferBytes: 1024,
  maxNodes: 20_000,
  maxChars: 1024 * 1024,
  maxItems: 10_000,
};

/** How many errors of an AggregateError, and how many causes deep, an error is written. */
const MAX_ERROR_MEMBERS = 20;
const MAX_CAUSE_DEPTH = 10;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * JSON string literal. Short strings with nothing to escape (the usual message or key) are
 * wrapped in quotes directly, which beats a native call; anything else, including any
 * surrogate, goes through JSON.stringify, which escapes lone surrogates so the line stays
 * valid UTF-8.
 */
export function quote(text: string): string {
  if (text.length < 42) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 32 || code === 34 || code === 92 || (code >= 0xd800 && code <= 0xdfff)) return JSON.stringify(text);
    }
    return '"' + text + '"';
  }
  return JSON.stringify(text);
}

function describeThrow(kind: string, error: unknown): string {
  let reason: string;
  try {
    reason = isAnyError(error) ? error.message : String(error);
  } catch {
    reason = 'unknown';
  }
  return `[${kind} threw: ${reason}]`;
}

function isPlainContainer(value: object): boolean {
  return Array.isArray(value) || hasPlainPrototype(value);
}

/**
 * May the native JSON.stringify have this value? Only plain objects and arrays all the way
 * down, within the node and item budgets. Anything else (a typed array, a Date, a Map, a
 * graph of shared references, getters that make fresh objects) goes to the careful walker,
 * which has a budget: native stringify has none and can run for minutes on such shapes.
 */
export function isPlainTree(value: object, options: SafeOptions = DEFAULT_SAFE_OPTIONS): boolean {
  return plainNodesLeft(value, options.maxNodes, options, 1) >= 0;
}

/** The node budget left after visiting `value`, or -1 when it is not a plain tree within budget. */
function plainNodesLeft(value: object, budget: number, options: SafeOptions, depth: number): number {
  if (depth > options.maxDepth) return -1;
  if (Array.isArray(value)) {
    if (value.length > options.maxItems || value.length > budget) return -1;
    let left = budget - value.length;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) {
        left = plainNodesLeft(item, left, options, depth + 1);
        if (left < 0) return -1;
      }
    }
    return left;
  }
  if (!hasPlainPrototype(value)) return -1;
  let left = budget;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (--left < 0) return -1;
    if (typeof item === 'object' && item !== null) {
      left = plainNodesLeft(item, left, options, depth + 1);
      if (left < 0) return -1;
    }
  }
  return left;
}

/**
 * One value as JSON text, or undefined when JSON would omit it (undefined, functions, symbols).
 * `budget` gives the careful walker what is left of the record's budget (several values of one
 * call draw on it); none, a fresh one.
 */
export function valueJson(
  value: unknown,
  options: SafeOptions = DEFAULT_SAFE_OPTIONS,
  budget?: () => Spent,
): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveJson(value);
  const json = nativeJson(value, options);
  return json !== NOT_PLAIN ? json : safeJson(value, options, budget === undefined ? undefined : budget());
}

/**
 * valueJson for one of a record's values: what it writes natively counts against the record's
 * budget too, and the walker has the fields (`ancestors`) as its ancestors.
 */
function valueJsonWithin(value: unknown, options: SafeOptions, spent: Spent, ancestors: unknown[]): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveJson(value);
  // A plain tree is written natively within what is left of the nodes, and charged for them.
  let json: string | undefined;
  try {
    const left = plainNodesLeft(value, options.maxNodes - spent.nodes, options, 1);
    if (left < 0) return safeJson(value, options, spent, ancestors);
    json = JSON.stringify(value) as string | undefined;
    spent.nodes = options.maxNodes - left;
  } catch {
    // a cycle, a BigInt deeper down, a throwing getter or toJSON: the careful walker writes it
    return safeJson(value, options, spent, ancestors);
  }
  if (json !== undefined) spent.chars += json.length;
  return json;
}

/** What `nativeJson` gives for a value the careful walker must write. */
const NOT_PLAIN = Symbol('not a plain tree');

/**
 * Native JSON.stringify of a plain tree within budget (undefined when a `toJSON` gives
 * nothing); NOT_PLAIN for anything else, or when stringify throws (a cycle, a BigInt deeper
 * down, a throwing getter or toJSON).
 */
function nativeJson(value: object, options: SafeOptions): string | undefined | typeof NOT_PLAIN {
  try {
    if (isPlainTree(value, options)) return JSON.stringify(value);
  } catch {
    // the careful walker writes it
  }
  return NOT_PLAIN;
}

/** JSON for a non-object (and null); undefined for what JSON omits. BigInt becomes a string. */
function primitiveJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object':
      return 'null';
    default:
      return undefined;
  }
}

/** `,"key":` per key (`,"@key":` for a key the line owns), per options: call sites log the same keys. */
const keyFragmentsByOptions = new WeakMap<SafeOptions, Map<string, string>>();
let lastOptions: SafeOptions | undefined;
let lastFragments = new Map<string, string>();
/** Keys made from data (ids as keys) must not grow the cache without bound. */
const MAX_KEY_FRAGMENTS = 4096;

function keyFragments(options: SafeOptions): Map<string, string> {
  if (options !== lastOptions) {
    let found = keyFragmentsByOptions.get(options);
    if (found === undefined) {
      found = new Map();
      keyFragmentsByOptions.set(options, found);
    }
    lastOptions = options;
    lastFragments = found;
  }
  return lastFragments;
}

/**
 * Thrown (and caught) when fields hold a key such as `"@level"` beside which a key the line
 * owns would be renamed into a duplicate: the key-by-key path names them apart.
 */
const OWNED_NAME_TAKEN = new Error('a key the line owns is renamed into one the fields hold');

function keyFragment(fragments: Map<string, string>, key: string, core: ReadonlySet<string> | undefined): string {
  let fragment = fragments.get(key);
  if (fragment === undefined) {
    // Never kept, so every record holding such a key takes the key-by-key path.
    if (key.charCodeAt(0) === 64 && core?.has(key.slice(1))) throw OWNED_NAME_TAKEN;
    fragment = ',' + (core?.has(key) ? quote(`@${key}`) : quote(key)) + ':';
    if (fragments.size >= MAX_KEY_FRAGMENTS) fragments.clear();
    fragments.set(key, fragment);
  }
  return fragment;
}

/**
 * The fields of a record as a JSON fragment `,"k":v,...` ready to splice into a line.
 * Keys whose value JSON would omit are skipped, as JSON.stringify does.
 */
export function fieldsJson(fields: object, options: SafeOptions = DEFAULT_SAFE_OPTIONS): string {
  const core = options.coreKeys;
  try {
    if (isPlainContainer(fields) && !Array.isArray(fields)) {
      // Primitive values are written here directly (cheaper than a native call each), plain
      // objects and arrays by one native stringify each. Anything JSON would mangle (Error,
      // Map, Buffer, BigInt…) sends the whole object down the key-by-key path.
      const fragments = keyFragments(options);
      let out = '';
      let count = 0;
      // The values written natively draw on one budget, as on the key-by-key path.
      let nodesLeft = options.maxNodes;
      let chars = 0;
      for (const key in fields) {
        // Own keys only, as JSON.stringify and pino: a polluted Object.prototype adds nothing to a line.
        if (!hasOwn.call(fields, key)) continue;
        // Many keys: one native stringify of the whole object may do (the keys so far are wasted);
        // else the key-by-key path, which keeps the record's budget for the keys themselves too.
        if (++count === WHOLE_FROM_KEYS) {
          const whole = plainFieldsJson(fields as Record<string, unknown>, options, core);
          return whole === undefined ? fieldsJsonByKey(fields, options) : whole;
        }
        const value = (fields as Record<string, unknown>)[key];
        switch (typeof value) {
          case 'string':
            out += keyFragment(fragments, key, core) + quote(value);
            break;
          case 'number':
            out += keyFragment(fragments, key, core) + (Number.isFinite(value) ? String(value) : 'null');
            break;
          case 'boolean':
            out += keyFragment(fragments, key, core) + (value ? 'true' : 'false');
            break;
          case 'undefined':
          case 'function':
          case 'symbol':
            break;
          case 'object':
            if (value === null) out += keyFragment(fragments, key, core) + 'null';
            else {
              nodesLeft = plainNodesLeft(value, nodesLeft, options, 1);
              if (nodesLeft < 0) return fieldsJsonByKey(fields, options);
              // A toJSON may give what JSON leaves out (undefined, a function): the key goes too.
              const json: string | undefined = JSON.stringify(value);
              if (json === undefined) break;
              chars += json.length;
              if (chars > options.maxChars) return fieldsJsonByKey(fields, options);
              out += keyFragment(fragments, key, core) + json;
            }
            break;
          default:
            return fieldsJsonByKey(fields, options);
        }
      }
      return out;
    }
  } catch {
    // a cycle, a BigInt deeper down, a throwing getter or toJSON: go key by key
  }
  return fieldsJsonByKey(fields, options);
}

/** From this many keys on, fields go to one native stringify when they can (see plainFieldsJson). */
const WHOLE_FROM_KEYS = 8;

/**
 * Fields of many keys that are a plain tree, with no key the line owns and no value JSON
 * would drop at the top (where a `toJSON` function would change the whole object): one
 * native stringify of the whole object, as a hand-written logger would, instead of a call
 * and a rope piece per key, which the write then has to flatten. Else undefined, and the
 * key-by-key path decides. Small fields stay key by key: a native call costs more than
 * writing two or three primitives.
 */
function plainFieldsJson(
  fields: Record<string, unknown>,
  options: SafeOptions,
  core: ReadonlySet<string> | undefined,
): string | undefined {
  // A Proxy can list other keys to stringify than to the loops below.
  if (types.isProxy(fields)) return undefined;
  // The keys and every value draw on one budget, as they do on the careful path.
  let keys = 0;
  let left = options.maxNodes;
  for (const key in fields) {
    const value = fields[key];
    if (++keys > options.maxItems || --left < 0) return undefined;
    if (typeof value === 'object') {
      if (value === null) continue;
      left = plainNodesLeft(value, left, options, 1);
      if (left < 0) return undefined;
    } else if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return undefined;
  }
  // Checked after every getter has run (one may add a key): from here to stringify's own
  // listing no code of the caller's runs. A toJSON (even one not enumerable, or inherited)
  // would replace the whole object.
  if ('toJSON' in fields) return undefined;
  if (core !== undefined) for (const key in fields) if (core.has(key)) return undefined;
  const json = JSON.stringify(fields);
  if (json.length > options.maxChars) return undefined;
  // A boxed primitive that has an object literal for its prototype passes the checks above,
  // and JSON writes it as its value ("3", "[object String]"): no object to take the members of.
  if (json.charCodeAt(0) !== 123) return undefined;
  return json.length > 2 ? ',' + json.slice(1, -1) : '';
}

/**
 * fieldsJson for fields that came out of JSON.parse untouched: plain trees whose size the
 * line bounds (no cycles, getters, toJSON, BigInt or shared references), so each object
 * value goes to native JSON.stringify whole, without the plain-tree probe. A value nested
 * deeper than the stack allows makes stringify throw: then the careful path writes it.
 */
export function parsedFieldsJson(fields: object, options: SafeOptions = DEFAULT_SAFE_OPTIONS): string {
  const core = options.coreKeys;
  const fragments = keyFragments(options);
  let out = '';
  try {
    for (const key in fields) {
      if (!hasOwn.call(fields, key)) continue;
      const value = (fields as Record<string, unknown>)[key];
      switch (typeof value) {
        case 'string':
          out += keyFragment(fragments, key, core) + quote(value);
          break;
        case 'number':
          // JSON.parse gives Infinity for 1e999.
          out += keyFragment(fragments, key, core) + (Number.isFinite(value) ? String(value) : 'null');
          break;
        case 'boolean':
          out += keyFragment(fragments, key, core) + (value ? 'true' : 'false');
          break;
        case 'object':
          out += keyFragment(fragments, key, core) + (value === null ? 'null' : JSON.stringify(value));
          break;
        default:
          return fieldsJson(fields, options);
      }
    }
    return out;
  } catch {
    return fieldsJson(fields, options);
  }
}

function fieldsJsonByKey(fields: object, options: SafeOptions): string {
  const core = options.coreKeys;
  let out = '';
  // One budget for the record's values: a hundred keys holding one Map of a megabyte were
  // a hundred megabytes of line.
  const spent: Spent = { nodes: 0, chars: 0 };
  try {
    // A Map logged as the call's object: its entries are the fields, as they are when nested.
    if (isAnyMap(fields)) return objectMembers(safeJson(fields, options), core);
    // A value that refers back to the fields (`req.self = req`) is "[Circular]", as anywhere deeper.
    const ancestors = ancestorsOf(fields);
    // The call's own keys are cut as a nested object's are: at maxItems, or once the budget is spent.
    let count = 0;
    let written = 0;
    for (const key in fields) {
      if (!hasOwn.call(fields, key)) continue;
      if (count++ >= options.maxItems || overBudget(spent, options)) {
        const total = Object.keys(fields).length;
        // Under a name of its own: JSON readers keep the last of a repeated key.
        let marker = '…';
        for (let n = 2; hasOwn.call(fields, marker); n++) marker = `… (${n})`;
        return `${out},${quote(marker)}:${quote(`truncated: ${written} of ${total} entries written`)}`;
      }
      spent.nodes++;
      // A getter that throws is said in its place; the keys around it stay as they are.
      const value = readProperty(fields, key);
      const json = valueJsonWithin(value, options, spent, ancestors);
      const name = core?.has(key) ? ownedKeyName(fields, key) : key;
      if (json === undefined) continue;
      // An object's text was counted where it was written.
      spent.chars += name.length + 3 + (typeof value === 'object' && value !== null ? 0 : json.length);
      out += ',' + quote(name) + ':' + json;
      written++;
    }
    return out;
  } catch {
    // The keys could not be listed (a Proxy's trap threw): the careful walker writes what it can.
    return objectMembers(safeJson(fields, options), core);
  }
}

/** The careful walker's text of the fields as a fragment; what is no object (a marker) under "fields". */
function objectMembers(json: string, core: ReadonlySet<string> | undefined): string {
  if (json === '{}') return '';
  if (json.length <= 2 || json[0] !== '{') return `,"fields":${json}`;
  return core === undefined ? ',' + json.slice(1, -1) : renamedCoreKeys(json, core);
}

/** The members of a JSON object as a fragment, a key the line owns written as `"@<key>"`. */
function renamedCoreKeys(objectJson: string, core: ReadonlySet<string>): string {
  const parsed = JSON.parse(objectJson) as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(parsed)) {
    out += ',' + quote(core.has(key) ? ownedKeyName(parsed, key) : key) + ':' + JSON.stringify(parsed[key]);
  }
  return out;
}

/**
 * The name a field by a key the line owns is written under: `"@<key>"`, or with one more "@"
 * while the fields hold that name too (`{ level, "@level" }`), so no key is written twice
 * (a JSON reader would keep only the last).
 */
function ownedKeyName(fields: object, key: string): string {
  let name = `@${key}`;
  while (hasOwn.call(fields, name)) name = `@${name}`;
  return name;
}

/** What errorObject writes for a getter of the error's (other than its stack) that throws. */
export type GetterThrew = (key: string, error: unknown) => unknown;

const SAY_GETTER_THREW: GetterThrew = (key, error) => describeThrow(`${key} getter`, error);

/**
 * Error → plain object: type, message, stack, code, cause chain, AggregateError members, own
 * props. `threw` says what a getter that throws is written as: by default its message; the
 * redactor's form of an error a path goes through writes one that leaves it out (it may
 * quote what the path covers, and no path reaches into that text).
 */
export function errorObject(
  error: Error,
  seen: Set<unknown> = new Set(),
  depth = 0,
  threw: GetterThrew = SAY_GETTER_THREW,
): Record<string, unknown> {
  seen.add(error);
  const out: Record<string, unknown> = {};
  const read = (key: string): unknown => {
    try {
      return (error as unknown as Record<string, unknown>)[key];
    } catch (e) {
      return key === 'stack' ? describeThrow('stack getter', e) : threw(key, e);
    }
  };
  out.type = safeName(error);
  // As pino's err serializer: the causes' messages follow the error's ("outer: inner") and
  // their stacks follow its stack ("caused by: …"), so a reader of one field sees the chain.
  out.message = withCauses(error, (e) => e.message, ': ', '');
  const stack = read('stack');
  if (typeof stack === 'string') out.stack = withCauses(error, (e) => e.stack, '\ncaused by: ', stack);
  const code = read('code');
  if (code !== undefined) out.code = code;
  const cause = read('cause');
  if (cause !== undefined) {
    // The head of a long chain is what explains the failure; the tail is cut.
    if (seen.has(cause)) out.cause = '[Circular]';
    else if (depth >= MAX_CAUSE_DEPTH) out.cause = '[cause chain truncated]';
    else out.cause = isAnyError(cause) ? errorObject(cause, seen, depth + 1, threw) : cause;
  }
  const errors = read('errors');
  if (Array.isArray(errors)) {
    const shown = errors.slice(0, MAX_ERROR_MEMBERS).map((member: unknown) => {
      if (seen.has(member)) return '[Circular]';
      return isAnyError(member) && depth < MAX_CAUSE_DEPTH ? errorObject(member, seen, depth + 1, threw) : member;
    });
    if (errors.length > MAX_ERROR_MEMBERS) shown.push(`… ${errors.length - MAX_ERROR_MEMBERS} more error(s)`);
    // pino's name for an AggregateError's members.
    out.aggregateErrors = shown;
  }
  let keys: string[] = [];
  try {
    keys = Object.keys(error);
  } catch {
    keys = [];
  }
  for (const key of keys) {
    // An array of errors is written once, as aggregateErrors; any other `errors` (a
    // validation error's map of fields) is the error's own key, written as pino does.
    // Own keys of `out` only: an error's own `constructor` or `valueOf` is data like any other.
    if (hasOwn.call(out, key) || (key === 'errors' && Array.isArray(errors))) continue;
    const value = read(key);
    const error = isAnyError(value);
    const shown =
      error && !seen.has(value) && depth < MAX_CAUSE_DEPTH
        ? errorObject(value, seen, depth + 1, threw)
        : error
          ? '[Circular]'
          : value;
    // defineProperty: an own key "__proto__" stays a key, not out's prototype.
    Object.defineProperty(out, key, { value: shown, enumerable: true, writable: true, configurable: true });
  }
  // A name the error inherits that says more than its type (a DOMException's "AbortError"),
  // as pino writes it; an own name was written above, and "Error" says nothing.
  if (!hasOwn.call(out, 'name')) {
    const name = read('name');
    if (typeof name === 'string' && name !== '' && name !== out.type && name !== 'Error') out.name = name;
  }
  return out;
}

/** The constructor's name, as pino's err serializer gives (`e.name = 'X'` keeps `Error`); else the name. */
function safeName(error: Error): string {
  try {
    const ctorName = typeof error.constructor === 'function' ? error.constructor.name : undefined;
    if (typeof ctorName === 'string' && ctorName) return ctorName;
    return typeof error.name === 'string' && error.name ? error.name : 'Error';
  } catch {
    return 'Error';
  }
}

/**
 * A field of the error followed by the same field of each error-like cause, joined by
 * `separator`; `first` stands for the error's own value when it is already read. A chain is
 * followed to MAX_CAUSE_DEPTH and stops at a cycle; a throwing getter ends it.
 */
function withCauses(error: Error, field: (e: Error) => unknown, separator: string, first: string): string {
  const seen = new Set<unknown>([error]);
  let out = first;
  try {
    if (first === '') out = textOf(field(error));
    let current: unknown = (error as { cause?: unknown }).cause;
    for (let depth = 0; isErrorLike(current) && depth < MAX_CAUSE_DEPTH; depth++) {
      if (seen.has(current)) return `${out}${separator}...`;
      seen.add(current);
      out += separator + textOf(field(current as Error));
      current = (current as { cause?: unknown }).cause;
    }
  } catch {
    // A getter that throws ends the chain; what was read stays.
  }
  return out;
}

/**
 * An error's message (or stack) as text: a string as it is, an object as its JSON (String()
 * gave "[object Object]", and what it held showed nowhere), nothing as "".
 */
export function textOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) return valueJson(value) ?? '';
  return String(value ?? '');
}

function isErrorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/** What the walker has spent on one record: values visited and characters written. */
export interface Spent {
  nodes: number;
  chars: number;
}

const OVER_BUDGET = '"[truncated: serialisation budget spent]"';

/** The walk's ancestors at the top of a record's values: the fields, and what they were copied from. */
function ancestorsOf(fields: object): unknown[] {
  return [fields, ...originalsOf(fields)];
}

/**
 * The careful walker: never throws; bounded depth, values visited, characters written and
 * items per collection; cycles as "[Circular]". Hostile shapes (a sparse array of 1e8, a
 * graph of shared references, getters that return fresh objects) end with a marker.
 */
export function safeJson(
  value: unknown,
  options: SafeOptions = DEFAULT_SAFE_OPTIONS,
  spent: Spent = { nodes: 0, chars: 0 },
  ancestors: unknown[] = [],
): string {
  try {
    return walk(value, 0, ancestors, options, spent) ?? 'null';
  } catch (error) {
    return quote(describeThrow('serializer', error));
  }
}

function walk(
  value: unknown,
  depth: number,
  ancestors: unknown[],
  options: SafeOptions,
  spent: Spent,
): string | undefined {
  if (++spent.nodes > options.maxNodes || spent.chars > options.maxChars) return OVER_BUDGET;
  if (typeof value !== 'object' || value === null) {
    const json = primitiveJson(value);
    if (json !== undefined) spent.chars += json.length;
    return json;
  }
  const obj = value as Record<string, unknown>;
  if (ancestors.includes(obj)) return '"[Circular]"';
  if (isAnyDate(obj)) {
    return Number.isNaN(obj.getTime()) ? '"Invalid Date"' : quote(obj.toISOString());
  }
  // A boxed primitive (`new Number(3)`) is its value, as JSON writes it: walked as an object
  // it was `{}` and the value was lost.
  if (isBoxedScalar(obj)) return boxedJson(obj, spent);
  if (Buffer.isBuffer(obj)) {
    const shown = obj.subarray(0, options.maxBufferBytes);
    const truncated = obj.length > shown.length ? ',"truncated":true' : '';
    return `{"type":"Buffer","length":${obj.length},"base64":"${shown.toString('base64')}"${truncated}}`;
  }
  if (obj instanceof Stream && typeof obj.toJSON !== 'function') {
    // A socket, a request, a file stream: its internals are never what the reader wants.
    return `{"type":${quote(constructorNameOr(obj, 'Stream'))},"stream":true}`;
  }
  if (ArrayBuffer.isView(obj)) return binaryJson(obj);
  // JSON would write these as {}: what they hold, or its size, says more.
  if (types.isAnyArrayBuffer(obj)) return binaryJson(obj);
  if (types.isRegExp(obj)) return regExpJson(obj);
  if (depth >= options.maxDepth) return Array.isArray(obj) ? '"[Array]"' : '"[Object]"';

  const originals = originalsOf(obj);
  // A second copy of an object a first copy of stands for (two paths through it) is it too.
  for (const original of originals) if (ancestors.includes(original)) return '"[Circular]"';
  ancestors.push(obj);
  for (const original of originals) ancestors.push(original);
  try {
    if (isAnyError(obj)) return walk(errorObject(obj), depth, ancestors, options, spent);
    if (typeof obj.toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = (obj.toJSON as () => unknown)();
      } catch (error) {
        return quote(describeThrow('toJSON', error));
      }
      return walk(replaced, depth + 1, ancestors, options, spent);
    }
    const next = (item: unknown): string | undefined => walk(item, depth + 1, ancestors, options, spent);
    if (Array.isArray(obj)) {
      const parts: string[] = [];
      const shown = Math.min(obj.length, options.maxItems);
      for (let i = 0; i < shown && !overBudget(spent, options); i++) parts.push(next(readProperty(obj, i)) ?? 'null');
      return `[${withMore(parts, obj.length)}]`;
    }
    if (isAnySet(obj)) {
      const parts: string[] = [];
      for (const item of obj) {
        if (parts.length >= options.maxItems || overBudget(spent, options)) break;
        parts.push(next(item) ?? 'null');
      }
      return `[${withMore(parts, obj.size)}]`;
    }
    const parts: string[] = [];
    const isMap = isAnyMap(obj);
    const entries: Iterable<[unknown, unknown]> = isMap
      ? obj
      : Object.keys(obj).map((key) => [key, undefined] as [unknown, unknown]);
    // Map keys that read the same as text (1 and "1") are named apart: JSON keeps one of a repeated key.
    const names = isMap ? new Set<string>() : undefined;
    const suffixes = isMap ? new Map<string, number>() : undefined;
    let count = 0;
    for (const [key, item] of entries) {
      if (count++ >= options.maxItems || overBudget(spent, options)) {
        const total = isMap ? obj.size : Object.keys(obj).length;
        parts.push(`"…":${quote(`truncated: ${parts.length} of ${total} entries written`)}`);
        break;
      }
      let name = isMap ? mapKey(key, next) : (key as string);
      const json = next(isMap ? item : readProperty(obj, name));
      if (json === undefined) continue;
      if (names !== undefined) {
        if (names.has(name) || name === '…') name = distinctName(names, suffixes!, name);
        names.add(name);
      }
      spent.chars += name.length + 3;
      parts.push(`${quote(name)}:${json}`);
    }
    return `{${parts.join(',')}}`;
  } catch (error) {
    // Proxies can throw from ownKeys or getPrototypeOf; say so instead of failing the line.
    return quote(describeThrow('inspection', error));
  } finally {
    ancestors.length -= 1 + originals.length;
  }
}

/**
 * The byteLength getters of the binary kinds, read from the built-ins themselves: an object
 * may have been given another prototype (or a class that hides byteLength), and its own
 * `byteLength` then says anything or nothing.
 */
function intrinsicGetter(proto: object, key: PropertyKey): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(proto, key)!.get!;
}
const typedArrayLength = intrinsicGetter(Object.getPrototypeOf(Uint8Array.prototype) as object, 'byteLength');
const typedArrayKind = intrinsicGetter(Object.getPrototypeOf(Uint8Array.prototype) as object, Symbol.toStringTag);
const dataViewLength = intrinsicGetter(DataView.prototype, 'byteLength');
const arrayBufferLength = intrinsicGetter(ArrayBuffer.prototype, 'byteLength');
const sharedBufferLength = intrinsicGetter(SharedArrayBuffer.prototype, 'byteLength');

/** A typed array, DataView or (Shared)ArrayBuffer as its type and size: its bytes say little in a line. */
function binaryJson(obj: object): string {
  let kind: string;
  let length: unknown;
  if (types.isDataView(obj)) {
    kind = 'DataView';
    length = dataViewLength.call(obj);
  } else if (types.isSharedArrayBuffer(obj)) {
    kind = 'SharedArrayBuffer';
    length = sharedBufferLength.call(obj);
  } else if (types.isArrayBuffer(obj)) {
    kind = 'ArrayBuffer';
    length = arrayBufferLength.call(obj);
  } else {
    kind = typedArrayKind.call(obj) as string;
    length = typedArrayLength.call(obj);
  }
  // A view's type is its class (a subclass of Uint8Array is itself), as before; a buffer's is its kind.
  const type = ArrayBuffer.isView(obj) ? constructorNameOr(obj, kind) : kind;
  return `{"type":${quote(type)},"length":${length as number}}`;
}

/** The constructor's name, or `fallback` when it has none or reading it throws. */
function constructorNameOr(obj: object, fallback: string): string {
  try {
    const name: unknown = (obj as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : fallback;
  } catch {
    return fallback;
  }
}

function boxedJson(boxed: { valueOf(): unknown }, spent: Spent): string {
  let json: string | undefined;
  try {
    json = primitiveJson(boxed.valueOf());
  } catch (error) {
    json = quote(describeThrow('valueOf', error));
  }
  spent.chars += json?.length ?? 0;
  return json ?? 'null';
}

/** A RegExp as its text (`"/a+b/gi"`); its source or flags getters may have been replaced to throw. */
function regExpJson(re: RegExp): string {
  try {
    return quote(String(re));
  } catch {
    return '"[RegExp]"';
  }
}

function overBudget(spent: Spent, options: SafeOptions): boolean {
  return spent.nodes >= options.maxNodes || spent.chars > options.maxChars;
}

/** Items written, plus a marker string for the ones left out. */
function withMore(parts: string[], total: number): string {
  if (parts.length < total) parts.push(quote(`… ${total - parts.length} more`));
  return parts.join(',');
}

/** A property, or `[getter threw: …]` in its place when its getter throws. */
export function readProperty(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (error) {
    return describeThrow('getter', error);
  }
}

/**
 * `name (2)`, `name (3)`, …: the first not among `names`. `suffixes` keeps where each name's
 * count got to, so a Map of thousands of keys that read alike is not counted from 2 each time.
 */
function distinctName(names: ReadonlySet<string>, suffixes: Map<string, number>, name: string): string {
  let n = suffixes.get(name) ?? 2;
  while (names.has(`${name} (${n})`)) n++;
  suffixes.set(name, n + 1);
  return `${name} (${n})`;
}

/**
 * A Map key as text. An object key is walked as the Map's items are (`walkItem`): within the
 * record's budget and depth, and a key that is an ancestor (a Map keyed by itself) is
 * "[Circular]"; walked apart, such a key never came back and Maps keyed by Maps doubled the
 * line at each level.
 */
function mapKey(key: unknown, walkItem: (item: unknown) => string | undefined): string {
  if (typeof key === 'string') return key;
  try {
    return typeof key === 'object' && key !== null ? (walkItem(key) ?? 'null') : String(key);
  } catch {
    return '[key]';
  }
}
