import { hasPlainPrototype } from '../util/plain-prototype.js';
import { headJson, impl, type LogRecord, type LogRecordImpl } from './log-record.js';

const hasOwn = Object.prototype.hasOwnProperty;

/*
 * A check that reads every record (the validating transport with a JSON Schema) needs the
 * record as an object, exactly as its JSON line holds it. Parsing the line costs more than
 * checking it, so the object is built from the record's parts when that is provably the same
 * thing: the head (level, time, bindings, context, trace) parsed once per distinct head text,
 * the call-site fields taken as they are when they are JSON values already. Anything
 * JSON would change (an Error, a Date, a hole or undefined in an array, NaN, -0, a toJSON
 * method, an array longer or a tree deeper or bigger than the line writes in full) falls
 * back to parsing the line.
 */

interface Limits {
  maxDepth: number;
  maxItems: number;
}

/** The nodes left of `budget` when `value` comes back from JSON unchanged, else -1. */
function jsonNodesLeft(value: unknown, budget: number, depth: number, limits: Limits): number {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return budget;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? budget : -1;
    case 'object': {
      if (value === null) return budget;
      if (depth > limits.maxDepth) return -1;
      let left = budget;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype || value.length > limits.maxItems) return -1;
        for (let i = 0; i < value.length; i++) {
          if (--left < 0 || !(i in value)) return -1;
          left = jsonNodesLeft(value[i], left, depth + 1, limits);
          if (left < 0) return -1;
        }
        return left;
      }
      // A nested null-prototype object would be handed over as it is, unlike JSON.parse's, and one made by
      // Object.create(defaults) with its inherited keys: parse instead (hence no constructor shortcut here).
      if (Object.getPrototypeOf(value) !== Object.prototype) return -1;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return -1;
      for (const key in value) {
        if (--left < 0) return -1;
        left = jsonNodesLeft((value as Record<string, unknown>)[key], left, depth + 1, limits);
        if (left < 0) return -1;
      }
      return left;
    }
    default:
      return -1;
  }
}

/**
 * The record as a plain object equal to `JSON.parse(record.json())`. Nested values may be
 * the caller's own objects: read it, never modify it or keep it.
 */
type Build = (head: Record<string, unknown>, fields: object | undefined, msg: unknown) => Record<string, unknown>;

function makeBuilder(headKeys: readonly string[], fieldKeys: readonly string[], messageKey: string | undefined): Build {
  const fromFields = new Set(fieldKeys);
  const order = [...new Set([...headKeys, ...fieldKeys, ...(messageKey === undefined ? [] : [messageKey])])];
  // As in JSON.parse: a key keeps its first position and takes its last value.
  const parts = order.map((key) => {
    const name = JSON.stringify(key);
    const value = key === messageKey ? 'm' : fromFields.has(key) ? `f[${name}]` : `h[${name}]`;
    return `${name}: ${value}`;
  });
  return new Function('h', 'f', 'm', `return { ${parts.join(', ')} };`) as Build;
}

/** A builder for one set of field keys (in order) and whether a message is written. */
interface Builder {
  keys: string[];
  withMessage: boolean;
  build: Build;
}

/** Per scope: the parsed head while it stays the same text, and the builders for its keys. */
interface ScopeState {
  json: string;
  object: Record<string, unknown>;
  keys: string[];
  /**
   * The head holds the message key or `__proto__` (an object literal would set the prototype,
   * not a key): the record's object is parsed from its line instead.
   */
  parseLine: boolean;
  /** The builders of every scope with these head keys (see buildersFor). */
  builders: Builder[];
  /** The builder the scope's last record took: the next record's fields are read against its keys. */
  last: Builder | undefined;
}
/** Builders kept per head; records of a logger with more shapes of fields than this are parsed from their line. */
const MAX_BUILDERS = 32;

/**
 * Builders by the head keys they follow, for every scope: a child logger made per request has
 * the keys of the one before, so it takes its builders (and formatters what they keep per key
 * set, see sharedViewKeys) instead of compiling its own. Held weakly: a head's builders live
 * while a scope of that head does (its viewState holds them), as what formatters keep per key
 * set (code, a node per leaf of the records) can be large, and heads with keys made from data
 * (`child({ [id]: … })`) must not keep it for the process's life. Bounded too: past the bound
 * a head's builders are its scope's alone.
 */
const headBuilders = new Map<string, WeakRef<Builder[]>>();
const headsGone = new FinalizationRegistry<string>((signature) => {
  if (headBuilders.get(signature)?.deref() === undefined) headBuilders.delete(signature);
});
const MAX_HEADS = 256;

/** The head keys buildersFor was last asked for: children of one logger ask for the same, one after another. */
let lastHead: { keys: readonly string[]; messageKey: string; builders: Builder[] } | undefined;

function buildersFor(keys: readonly string[], messageKey: string): Builder[] {
  if (lastHead !== undefined && lastHead.messageKey === messageKey && sameKeys(lastHead.keys, keys)) {
    return lastHead.builders;
  }
  const signature = JSON.stringify([messageKey, ...keys]);
  let builders = headBuilders.get(signature)?.deref();
  if (builders === undefined) {
    builders = [];
    if (headBuilders.size < MAX_HEADS) {
      headBuilders.set(signature, new WeakRef(builders));
      headsGone.register(builders, signature);
    }
  }
  lastHead = { keys, messageKey, builders };
  return builders;
}

function scopeState(record: LogRecordImpl): ScopeState {
  const json = headJson(record);
  const state = record.scope.viewState as ScopeState | undefined;
  // Records come in bursts within one millisecond, so the head text repeats.
  if (state?.json === json) return state;
  const object = JSON.parse(`${json}}`) as Record<string, unknown>;
  const keys = Object.keys(object);
  const sameKeys =
    state !== undefined && state.keys.length === keys.length && state.keys.every((k, i) => k === keys[i]);
  const messageKey = record.scope.shape.messageKey;
  const parseLine = keys.includes(messageKey) || keys.includes('__proto__');
  const next = {
    json,
    object,
    keys,
    parseLine,
    builders: sameKeys ? state.builders : buildersFor(keys, messageKey),
    last: sameKeys ? state.last : undefined,
  };
  record.scope.viewState = next;
  return next;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The kept builder of the object readOnlyObject last returned (undefined: it parsed the line or built one apart). */
let builtBy: Builder | undefined;

/**
 * The record as a plain object equal to `JSON.parse(record.json())`. Nested values may be
 * the caller's own objects: read it, never modify it or keep it.
 */
export function readOnlyObject(record: LogRecord): Record<string, unknown> {
  builtBy = undefined;
  const r = impl(record);
  const shape = r.scope.shape;
  // hooks.streamWrite may have changed the line: the object is the line's, as formatters see it.
  if (shape.streamWrite !== undefined) return r.toObject();
  const fields = r.fields;
  const withMessage = r.msg !== undefined;
  const state = scopeState(r);
  // The keys are read against the last record's builder's; listed only once they differ.
  const guess = state.last?.withMessage === withMessage ? state.last : undefined;
  let fieldKeys: string[] | undefined;
  let count = 0;
  if (fields !== undefined) {
    if (Array.isArray(fields)) return r.toObject();
    if (!hasPlainPrototype(fields)) return r.toObject();
    const core = shape.safe.coreKeys;
    let budget = shape.safe.maxNodes;
    for (const key in fields) {
      // Own keys only, as the line: an enumerable key of a polluted Object.prototype is not the record's.
      if (!hasOwn.call(fields, key)) continue;
      // A key the line renames ("@level") or a value it leaves out (undefined, a function): parse.
      if (key === '__proto__' || key === shape.messageKey || core?.has(key)) return r.toObject();
      budget = jsonNodesLeft((fields as Record<string, unknown>)[key], budget, 1, shape.safe);
      if (budget < 0) return r.toObject();
      if (fieldKeys !== undefined) fieldKeys.push(key);
      else if (guess?.keys[count] !== key) {
        fieldKeys = guess === undefined ? [] : guess.keys.slice(0, count);
        fieldKeys.push(key);
      }
      count++;
    }
  }
  if (state.parseLine) return r.toObject();
  let builder: Builder | undefined;
  if (fieldKeys === undefined && guess !== undefined && count === guess.keys.length) builder = guess;
  else {
    fieldKeys ??= guess === undefined ? [] : guess.keys.slice(0, count);
    for (const candidate of state.builders) {
      if (candidate.withMessage === withMessage && sameKeys(candidate.keys, fieldKeys)) {
        builder = candidate;
        break;
      }
    }
  }
  if (builder === undefined) {
    if (state.builders.length >= MAX_BUILDERS) return r.toObject();
    const keys = fieldKeys ?? [];
    builder = { keys, withMessage, build: makeBuilder(state.keys, keys, withMessage ? shape.messageKey : undefined) };
    state.builders.push(builder);
  }
  state.last = builder;
  builtBy = builder;
  return builder.build(state.object, fields, r.msg);
}

/** The record whose log call is being dispatched: until it returns, its fields are as the line was built from. */
let inCall: LogRecord | undefined;
let inCallView: Readonly<Record<string, unknown>> | undefined;
let inCallKeys: object | undefined;

/** Set by the logger around the dispatch of a record from a log call (undefined after it). */
export function dispatchingCall(record: LogRecord | undefined): void {
  inCall = record;
  inCallView = undefined;
  inCallKeys = undefined;
}

/**
 * The record as an object for formatters: during its log call, built from its parts (no
 * parse of the line, shared by every formatter of the call); a record formatted later
 * (queued, replayed) takes the parsed view, as the caller may have changed its objects since.
 */
export function sharedView(record: LogRecord): Readonly<Record<string, unknown>> {
  if (record !== inCall) return record.view();
  if (inCallView === undefined) {
    try {
      inCallView = readOnlyObject(record);
      inCallKeys = builtBy;
    } catch {
      // A getter in the caller's object threw while it was read: the line says what it held.
      inCallView = record.view();
      inCallKeys = undefined;
    }
  }
  return inCallView;
}

/**
 * After sharedView(record): an identity for its keys when the view was built from the
 * record's parts. Views with the same identity have the same keys in the same order, so a
 * formatter can work out per identity what it does per key (sorting them, say) and keep it.
 * undefined for a parsed view, whose keys are its own.
 */
export function sharedViewKeys(record: LogRecord): object | undefined {
  return record === inCall ? inCallKeys : undefined;
}
