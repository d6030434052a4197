import { types } from 'node:util';
import { isAnyDate, isAnyError, isAnyMap, isAnySet } from '../util/value-kinds.js';
import { noteCopy } from './redacted-copies.js';
import { errorObject, readProperty, safeJson } from './serialize.js';
import { censorTextPattern, scrubErrorNames, scrubErrorTexts } from './redact-text.js';

/**
 * What replaces a redacted value: a fixed value, a function of it, or removal of the key. The
 * function is declared as a method so that one written for the values it expects
 * (`(value: string) => …`, as pino's `any` allows) is taken, as TypeScript takes a method's.
 */
export type Censor = string | number | boolean | null | CensorFunction;

interface CensorMethod {
  censor(value: unknown, path: string[]): unknown;
}
/** A censor function: what the value is replaced with, given the value and its path. */
export type CensorFunction = CensorMethod['censor'];

export interface RedactOptions {
  paths: string[];
  censor?: Censor | undefined;
  remove?: boolean | undefined;
}

/**
 * Redacts a copy of `obj`. As pino: a record's top-level key holding undefined is left (it is
 * not written); in a value interpolated into the message (`inMessage`) it is censored.
 */
export type Redactor = (<T extends object>(obj: T, inMessage?: boolean, censored?: string[]) => T) & {
  /** Keys redacted at the top level (a one-segment path): `msg` there redacts the message too. */
  readonly topLevel: ReadonlySet<string>;
  /** A path `*` (every top-level key): as pino, it reaches the message too. */
  readonly everyTopLevel: boolean;
  /** `text` with every text in `censored` (collected by a call) replaced by the censor's text. */
  readonly scrub: (text: string, censored: readonly string[]) => string;
  /** A producer's line that is not JSON: the values after the keys the paths name, censored. */
  readonly redactText: (text: string) => string;
  /**
   * The censor is a value (a string, number, boolean or null), not a function: what it
   * redacts out of JSON data is still JSON data (a line read from a producer stays whole).
   */
  readonly censorsWithValue: boolean;
  /** Whether a path goes into the top-level `key` (names it, or starts with `*`). */
  readonly reachesUnder: (key: string) => boolean;
};

/**
 * Said in place of a thrown message when the code that threw was handed what a path covers:
 * the message may quote it (a validator naming the field it refused, Node's JSON.parse its
 * input), and no path reaches into a text. `what` names the part the code was handed.
 */
export function messageLeftOut(what: string): string {
  return `its message left out, as redaction reaches ${what}`;
}

const WILDCARD = Symbol('wildcard');
type Segment = string | typeof WILDCARD;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Parses `a.b`, `a[*].c`, `*.token`, `a["x-y"]`, `list[0]` into segments (`["*"]` is `[*]`, as in pino).
 * Throws a RangeError describing the problem for malformed paths.
 */
export function parseRedactPath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new RangeError(`invalid redact path "${path}": ${what} at character ${i + 1}`);
  };
  if (path.length === 0) fail('empty path');
  while (i < path.length) {
    const ch = path[i];
    if (ch === '[') {
      const quoted = quotedKeyAt(path, i + 1);
      const close = quoted === undefined ? path.indexOf(']', i) : quoted.end;
      if (close === -1) fail('unclosed "["');
      const inner = path.slice(i + 1, close).trim();
      // pino's paths read `a["*"]` as `a.*`: one moved from pino must censor what it did there.
      if (quoted !== undefined) segments.push(quoted.key === '*' ? WILDCARD : quoted.key);
      else if (inner === '*') segments.push(WILDCARD);
      else if (/^\d+$/.test(inner)) segments.push(inner);
      else fail(`expected *, an index or a quoted key inside brackets`);
      i = close + 1;
      if (path[i] === '.') {
        i++;
        if (i >= path.length) fail('trailing "."');
      }
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    const key = path.slice(i, end);
    if (key.length === 0) fail('empty segment');
    segments.push(key === '*' ? WILDCARD : key);
    i = end;
    if (path[i] === '.') {
      i++;
      if (i >= path.length) fail('trailing "."');
    }
  }
  return segments;
}

/**
 * A quoted key inside brackets from `start` (after the `[`): `"x]y"`, `'it\\'s'` (a backslash
 * keeps the next character), and the index of the `]` that closes it (-1 when none does).
 * Undefined when no quote opens there.
 */
function quotedKeyAt(path: string, start: number): { key: string; end: number } | undefined {
  let i = start;
  while (path[i] === ' ') i++;
  const quote = path[i];
  if (quote !== '"' && quote !== "'") return undefined;
  let key = '';
  for (i++; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length) key += path[++i];
    else if (ch === quote) {
      let j = i + 1;
      while (path[j] === ' ') j++;
      return { key, end: path[j] === ']' ? j : -1 };
    } else key += ch;
  }
  return { key, end: -1 };
}

/** `redact: ['msg']` covers the message as pino's does (the whole of it). */
export function redactMessage(redactor: Redactor, key: string, msg: string): string | undefined {
  const value = redactMessageValue(redactor, key, msg);
  return value === undefined ? undefined : String(value);
}

/**
 * The value under the message key as the line's fields have it redacted: `msg` censors the
 * whole, and for an object there (pino writes it as it is) `msg.password` or `*.password`
 * what is inside. Undefined when a path removes it.
 */
export function redactMessageValue(redactor: Redactor, key: string, value: unknown): unknown {
  // Only a path of the key alone (or `*`) reaches a text; any path may reach into an object.
  const inside = typeof value === 'object' && value !== null;
  if (!inside && !redactor.topLevel.has(key) && !redactor.everyTopLevel) return value;
  const redacted = redactor({ [key]: value }) as Record<string, unknown>;
  return Object.hasOwn(redacted, key) ? redacted[key] : undefined;
}

/** Compiles redaction paths once; the returned function copies only what it changes. */
export function createRedactor(options: RedactOptions): Redactor | undefined {
  if (options.paths.length === 0) return undefined;
  const compiled = options.paths.map(parseRedactPath);
  const censor = options.censor === undefined ? '[Redacted]' : options.censor;
  const replace = typeof censor === 'function' ? guardedCensor(censor) : () => censor;
  const remove = options.remove === true;
  // What stands for a censored text inside another text (an error's stack, a parent's message).
  const censorText = remove ? '' : typeof censor === 'function' ? '[Redacted]' : String(censor);

  const redactor = <T extends object>(root: T, inMessage = false, censored?: string[]): T => {
    const walk: Walk = { replace, remove, leaveUndefined: !inMessage, inMessage, texts: censored, censorText };
    let current: object = root;
    for (const segments of compiled) current = redactAt(current, segments, 0, [], walk);
    return current as T;
  };
  const topLevel = new Set(compiled.flatMap((s) => (s.length === 1 && typeof s[0] === 'string' ? [s[0]] : [])));
  const pattern = censorTextPattern(compiled.map((s) => s.filter((x): x is string => typeof x === 'string')));
  const scrub = (text: string, texts: readonly string[]): string => scrubErrorTexts(text, texts, censorText, false);
  const redactText = (text: string): string =>
    pattern === null
      ? censorText
      : text.replace(pattern, (_match, head: string, _quote: string, value: string) =>
          value.startsWith('"') ? `${head}"${censorText}"` : head + censorText,
        );
  const everyTopLevel = compiled.some((s) => s.length === 1 && s[0] === WILDCARD);
  const censorsWithValue = typeof censor !== 'function';
  const firstKeys = new Set(compiled.flatMap((s) => (typeof s[0] === 'string' ? [s[0]] : [])));
  const firstWildcard = compiled.some((s) => s[0] === WILDCARD);
  const reachesUnder = (key: string): boolean => firstWildcard || firstKeys.has(key);
  return Object.assign(redactor, { topLevel, everyTopLevel, scrub, redactText, censorsWithValue, reachesUnder });
}

/**
 * A censor function that throws fails the redaction (the call is logged saying so), but its
 * message may quote the value it was given: that text is taken out of the message.
 */
function guardedCensor(censor: (value: unknown, path: string[]) => unknown) {
  return (value: unknown, path: string[]): unknown => {
    try {
      return censor(value, path);
    } catch (error) {
      let message: string;
      try {
        message = isAnyError(error) ? String(error.message) : String(error);
      } catch {
        message = 'an unprintable error';
      }
      for (const text of valueTexts(value)) if (text.length > 0) message = message.split(text).join('[Redacted]');
      throw new Error(`censor threw at ${path.join('.')}: ${message}`);
    }
  };
}

/** The ways a value may be written into a message: its string and its JSON. */
function valueTexts(value: unknown): string[] {
  const texts: string[] = [];
  try {
    texts.push(String(value));
  } catch {
    // no string form
  }
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') texts.push(json);
  } catch {
    // no JSON form
  }
  return texts.sort((a, b) => b.length - a.length);
}

interface Walk {
  replace: (value: unknown, path: string[]) => unknown;
  remove: boolean;
  leaveUndefined: boolean;
  inMessage: boolean;
  /** Texts censored so far (messages, stacks): an error's message and stack repeat its causes'. */
  texts: string[] | undefined;
  /**
   * Error names and types censored so far, each with the length `texts` had when it was noted
   * (an empty text is added for it there, so the walk looks at texts alone to know whether
   * anything an error repeats was censored under it).
   */
  names?: { name: string; at: number }[];
  censorText: string;
}

/**
 * Sets an own data property, even for the key "__proto__". A key the copy already holds is
 * a plain store (the copies made here hold writable data properties only), which costs a
 * tenth of defining it; a new key is defined, so no setter on Object.prototype can take it.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key !== '__proto__' && hasOwn.call(target, key)) target[key] = value;
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy to change: a getter that throws is said in its place, as the serialiser would. */
function cloneShallow(obj: object): Record<string, unknown> {
  if (obj instanceof Map) return new Map(obj) as unknown as Record<string, unknown>;
  if (Array.isArray(obj)) return obj.slice() as unknown as Record<string, unknown>;
  try {
    return { ...(obj as Record<string, unknown>) };
  } catch {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) setOwn(copy, key, readProperty(obj, key));
    return copy;
  }
}

/**
 * An Error as the line writes it: its serialised object, or, when the error has a `toJSON` of
 * its own (an own key, which the serialised object keeps), what that returns, as the writer
 * then writes. Paths were matched against the serialised object only, so keys only toJSON
 * gave were written in clear.
 */
function errorForm(error: Error): object | null {
  const form = errorObject(error, undefined, 0, () => THREW_UNDER_PATH);
  const toJSON = form.toJSON;
  return typeof toJSON === 'function' ? replacedBy(toJSON as () => unknown, form) : form;
}

/**
 * What `toJSON` gives as an object a path can go into; null for anything else. One that
 * throws: the serialiser says "[toJSON threw: …]" in its place, nothing to redact in that.
 */
function replacedBy(toJSON: () => unknown, obj: object): object | null {
  try {
    const replaced: unknown = toJSON.call(obj);
    return typeof replaced === 'object' && replaced !== null ? replaced : null;
  } catch {
    return THREW_UNDER_PATH;
  }
}

/**
 * Written for a value a path goes through whose toJSON or getter throws: the serialiser would
 * say "[toJSON threw: <message>]", and the message may quote what the path covers (Node's
 * JSON.parse quotes its input; an application's own text names the field).
 */
export const THREW_UNDER_PATH_TEXT = `[threw while read; ${messageLeftOut('under it')}]`;
const THREW_UNDER_PATH: object = Object.freeze({
  toJSON: () => THREW_UNDER_PATH_TEXT,
});

/** writtenForm's answer for a Map: its entries are redacted as they are, as an object's keys. */
const ENTRIES: object = Object.freeze({});

/**
 * What the line writes for `obj`, when that is not `obj` itself: an Error as its serialised
 * object (so `err.message`, `err.*` and `err.aggregateErrors` name what is written), a Set as
 * its array, an object with `toJSON` as what it returns (the fields object itself excepted:
 * its toJSON is not called). Undefined when `obj` is written as it is; `null` when what is
 * written is no object, so no path goes into it; ENTRIES for a Map. Errors, Sets, Maps and
 * Dates of any realm (node:vm, a test sandbox) are told apart, as the serialiser tells them.
 */
function writtenForm(obj: object, index: number, walk: Walk): object | null | undefined {
  if (obj instanceof Error) return errorForm(obj);
  if (obj instanceof Set) return [...obj];
  if (obj instanceof Map) return ENTRIES;
  if (Array.isArray(obj)) return undefined;
  // Not an Object of this realm: another realm's value, or one with no prototype. An object
  // literal, the usual value on a path, answers at the first link of its chain.
  if (!(obj instanceof Object)) {
    if (isAnyError(obj)) return errorForm(obj);
    if (isAnySet(obj)) return [...obj];
    if (isAnyMap(obj)) return ENTRIES;
    if ((index > 0 || walk.inMessage) && isAnyDate(obj)) return null;
  }
  if (index === 0 && !walk.inMessage) return undefined;
  if (obj instanceof Date || ArrayBuffer.isView(obj)) return null;
  let toJSON: unknown;
  try {
    toJSON = (obj as { toJSON?: unknown }).toJSON;
  } catch {
    return undefined;
  }
  return typeof toJSON === 'function' ? replacedBy(toJSON as () => unknown, obj) : undefined;
}

/** A censored value's texts that an enclosing error's message and stack may repeat. */
function noteCensored(walk: Walk, key: string, value: unknown, holder: object): void {
  walk.texts ??= [];
  const texts = walk.texts;
  if (typeof value === 'string') {
    if (key === 'message' || key === 'stack') texts.push(value);
    else if ((key === 'name' || key === 'type') && typeof readProperty(holder, 'stack') === 'string') {
      // An error's (one with a stack): V8 writes the name at the head of the stack, and the
      // errors above repeat that stack. A `name` elsewhere (a user's) costs nothing more.
      walk.names ??= [];
      walk.names.push({ name: value, at: texts.length });
      texts.push('');
    }
    return;
  }
  // A getter that threw (its message left out): the stack V8 made from it threw with it, and
  // is said without it too (scrubErrorLike), as it is for a censored name or message.
  if (value === THREW_UNDER_PATH) {
    texts.push('');
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const message = readProperty(value, 'message');
  const stack = readProperty(value, 'stack');
  if (typeof stack === 'string') texts.push(stack);
  if (typeof message === 'string') texts.push(message);
  if (isAnyError(value)) {
    // Its serialised message and stack follow its causes too.
    const written = errorObject(value);
    if (typeof written.stack === 'string') texts.push(written.stack);
    if (typeof written.message === 'string') texts.push(written.message);
  } else {
    // A written form ("own: cause…"): the errors above repeat its own message alone too.
    const own = ownMessageOfWritten(value);
    if (own !== undefined) texts.push(own);
  }
}

function redactAt(obj: object, segments: Segment[], index: number, trail: string[], walk: Walk): object {
  const form = writtenForm(obj, index, walk);
  if (form === null) return obj;
  if (form === THREW_UNDER_PATH) return form;
  const entries = form === ENTRIES;
  const source = form === undefined || entries ? obj : form;
  const textsBefore = walk.texts?.length ?? 0;
  const copy = entries
    ? redactMapAt(obj as Map<unknown, unknown>, segments, index, trail, walk)
    : redactObjectAt(source, segments, index, trail, walk);
  if (copy === undefined) {
    // Unchanged: a toJSON's result is kept, so toJSON is not asked twice (it may answer otherwise).
    return source !== obj && !isAnyError(obj) && !isAnySet(obj) ? source : obj;
  }
  noteCopy(copy, obj);
  // The copy is of what toJSON returned (or the error's written form): a value in it that
  // refers back to that object refers to the copy too.
  if (source !== obj) noteCopy(copy, source);
  const texts = walk.texts;
  // With causes, the message censored is the written "outer: inner"; the stack and the line's
  // message repeat only the error's own, which goes with it.
  if (texts !== undefined && texts.length > textsBefore) {
    const written = readProperty(source, 'message');
    const own = isAnyError(obj) ? readProperty(obj, 'message') : ownMessageOfWritten(source);
    if (typeof own === 'string' && own !== written && texts.indexOf(written as string, textsBefore) >= 0) {
      texts.push(own);
    }
  }
  if (texts !== undefined && texts.length > textsBefore && !Array.isArray(copy) && !(copy instanceof Map)) {
    const names = walk.names?.filter((noted) => noted.at >= textsBefore).map((noted) => noted.name) ?? [];
    scrubErrorLike(copy, texts.slice(textsBefore), names, walk.censorText);
  }
  return copy;
}

/**
 * An error's message and stack repeat its own message and its causes': censored ones are taken
 * out. So are they from the causes and members written under it: a chain that loops back
 * (`inner.cause = outer`) writes the outer message again in the inner's message and stack.
 */
function scrubErrorLike(
  copy: Record<string, unknown>,
  texts: readonly string[],
  names: readonly string[],
  censorText: string,
  depth = 0,
): void {
  for (const key of ['message', 'stack']) {
    const value = hasOwn.call(copy, key) ? copy[key] : undefined;
    if (typeof value !== 'string') continue;
    let scrubbed: string;
    // V8 makes a stack from the message and name when first read: a getter of either that
    // throws makes the stack's throw too, with its text, which may quote what it held.
    if (key === 'stack' && value.startsWith(STACK_THREW)) scrubbed = STACK_THREW_LEFT_OUT;
    else {
      scrubbed = scrubErrorTexts(value, texts, censorText, key === 'stack');
      if (key === 'stack' && names.length > 0) scrubbed = scrubErrorNames(scrubbed, names, censorText);
    }
    if (scrubbed !== value) setOwn(copy, key, scrubbed);
  }
  // Written forms (plain objects errorObject made) a cause chain or an AggregateError nests.
  if (depth >= MAX_SCRUB_DEPTH) return;
  const nestedCopy = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const nested = { ...(value as Record<string, unknown>) };
    scrubErrorLike(nested, texts, names, censorText, depth + 1);
    return nested;
  };
  const cause = hasOwn.call(copy, 'cause') ? copy.cause : undefined;
  if (cause !== undefined) setOwn(copy, 'cause', nestedCopy(cause));
  const members = hasOwn.call(copy, 'aggregateErrors') ? copy.aggregateErrors : undefined;
  if (Array.isArray(members)) setOwn(copy, 'aggregateErrors', members.map(nestedCopy));
}

/**
 * The error's own message in its written form (a copy an earlier path made, a shipped line):
 * the message is "own: cause…" and the stack's first line "Name: own". Undefined unless both
 * agree, so no other text is taken for it.
 */
function ownMessageOfWritten(form: object): string | undefined {
  const message = readProperty(form, 'message');
  const stack = readProperty(form, 'stack');
  if (typeof message !== 'string' || typeof stack !== 'string') return undefined;
  const firstLine = stack.split('\n', 1)[0]!;
  const start = firstLine.indexOf(': ');
  if (start < 0) return undefined;
  const own = firstLine.slice(start + 2);
  return own.length > 0 && message.startsWith(`${own}: `) ? own : undefined;
}

/** A stack whose getter threw, as errorObject writes it. */
const STACK_THREW = '[stack getter threw: ';
const STACK_THREW_LEFT_OUT = `[stack getter threw; ${messageLeftOut('the error')}]`;

/** Causes and members scrubbed under an error, as deep as a cause chain is written. */
const MAX_SCRUB_DEPTH = 10;

function redactObjectAt(
  obj: object,
  segments: Segment[],
  index: number,
  trail: string[],
  walk: Walk,
): Record<string, unknown> | undefined {
  let segment = segments[index]!;
  const last = index === segments.length - 1;
  // An AggregateError's `errors` are written as `aggregateErrors` (pino's name): either names
  // them, in the error's written form whether it was made for this path or an earlier one (a
  // copy), or came written (a shipped line). Other `errors` are written as they are.
  if (segment === 'errors' && !hasOwn.call(obj, 'errors') && hasOwn.call(obj, 'aggregateErrors')) {
    segment = 'aggregateErrors';
  }
  let keys: string[];
  if (segment === WILDCARD) keys = Object.keys(obj);
  else if (hasOwn.call(obj, segment)) keys = [segment];
  else return undefined;

  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    let value: unknown;
    let threw = false;
    try {
      value = (obj as Record<string, unknown>)[key];
    } catch {
      threw = true;
    }
    const path = [...trail, key];
    if (threw && !last) {
      copy ??= cloneShallow(obj);
      if (hasOwn.call(copy, key)) setOwn(copy, key, THREW_UNDER_PATH);
      continue;
    }
    if (threw) value = readProperty(obj, key);
    if (walk.leaveUndefined && last && index === 0 && value === undefined && segment !== WILDCARD) continue;
    if (last) {
      copy ??= cloneShallow(obj);
      // The copy holds the keys the writer writes (own, enumerable): one it does not hold is
      // never in the line, and set on the copy it would be.
      if (!hasOwn.call(copy, key)) continue;
      noteCensored(walk, key, value, obj);
      // Removed from a list, an item leaves its place (JSON writes it null), as pino does.
      if (walk.remove) {
        if (Array.isArray(copy)) copy[Number(key)] = undefined;
        else delete copy[key];
      } else setOwn(copy, key, walk.replace(value, path));
    } else {
      const next =
        typeof value === 'object' && value !== null ? redactAt(value, segments, index + 1, path, walk) : value;
      // A value read through a getter or a Proxy is kept as read: read again by the writer it
      // may hold what this walk did not see (an answer that differs the second time).
      // An error's getter that threw on the way: its form, saying so without the message, is written.
      if (next !== value || value === THREW_UNDER_PATH || readAnswersAnew(obj, key)) {
        copy ??= cloneShallow(obj);
        if (hasOwn.call(copy, key)) setOwn(copy, key, next);
      }
    }
  }
  return copy;
}

/** Whether reading `key` again may answer otherwise, and the writer would read it: a getter it writes, a Proxy. */
function readAnswersAnew(obj: object, key: string): boolean {
  if (types.isProxy(obj)) return true;
  try {
    return Object.getOwnPropertyDescriptor(obj, key)?.get !== undefined;
  } catch {
    return false;
  }
}

/** A Map's entries are its fields: written out as an object's (keys as their text), so redacted as one's. */
function redactMapAt(
  map: Map<unknown, unknown>,
  segments: Segment[],
  index: number,
  trail: string[],
  walk: Walk,
): Record<string, unknown> | undefined {
  const segment = segments[index]!;
  const last = index === segments.length - 1;
  let copy: Map<unknown, unknown> | undefined;
  for (const [entryKey, value] of map) {
    const name = mapKeyName(entryKey);
    if (name === undefined || (segment !== WILDCARD && name !== segment)) continue;
    const path = [...trail, name];
    if (last) {
      copy ??= new Map(map);
      noteCensored(walk, name, value, map);
      if (walk.remove) copy.delete(entryKey);
      else copy.set(entryKey, walk.replace(value, path));
    } else if (typeof value === 'object' && value !== null) {
      const next = redactAt(value, segments, index + 1, path, walk);
      if (next !== value) {
        copy ??= new Map(map);
        copy.set(entryKey, next);
      }
    }
  }
  return copy as Record<string, unknown> | undefined;
}

/**
 * The key a Map entry is written under: an object key as its JSON, as the writer writes it
 * (a wildcard left it in clear, and no path could name it).
 */
function mapKeyName(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'object' && key !== null) return safeJson(key);
  try {
    return String(key);
  } catch {
    return undefined;
  }
}
