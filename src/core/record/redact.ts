import { errorObject } from './serialize.js';

/** What replaces a redacted value: a fixed value, a function of it, or removal of the key. */
export type Censor = string | number | boolean | null | ((value: unknown, path: string[]) => unknown);

export interface RedactOptions {
  paths: string[];
  censor?: Censor;
  remove?: boolean;
}

/**
 * Redacts a copy of `obj`. As pino: a record's top-level key holding undefined is left (it is
 * not written); in a value interpolated into the message (`inMessage`) it is censored.
 */
export type Redactor = (<T extends object>(obj: T, inMessage?: boolean) => T) & {
  /** Keys redacted at the top level (a one-segment path): `msg` there redacts the message too. */
  readonly topLevel: ReadonlySet<string>;
};

const WILDCARD = Symbol('wildcard');
type Segment = string | typeof WILDCARD;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Parses `a.b`, `a[*].c`, `*.token`, `a["x-y"]`, `list[0]` into segments.
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
      const close = path.indexOf(']', i);
      if (close === -1) fail('unclosed "["');
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') segments.push(WILDCARD);
      else if (/^\d+$/.test(inner)) segments.push(inner);
      else if (/^(["']).*\1$/.test(inner)) segments.push(inner.slice(1, -1));
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

/** Compiles redaction paths once; the returned function copies only what it changes. */
export function createRedactor(options: RedactOptions): Redactor | undefined {
  if (options.paths.length === 0) return undefined;
  const compiled = options.paths.map(parseRedactPath);
  const censor = options.censor === undefined ? '[Redacted]' : options.censor;
  const replace =
    typeof censor === 'function'
      ? (value: unknown, path: string[]) => (censor as (v: unknown, p: string[]) => unknown)(value, path)
      : () => censor;
  const remove = options.remove === true;

  const redactor = <T extends object>(root: T, inMessage = false): T => {
    let current: object = root;
    for (const segments of compiled) {
      current = redactAt(current, segments, 0, [], replace, remove, !inMessage);
    }
    return current as T;
  };
  const topLevel = new Set(compiled.flatMap((s) => (s.length === 1 && typeof s[0] === 'string' ? [s[0]] : [])));
  return Object.assign(redactor, { topLevel });
}

/** Sets an own data property, even for the key "__proto__". */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function cloneShallow(obj: object): Record<string, unknown> {
  if (obj instanceof Map) return new Map(obj) as unknown as Record<string, unknown>;
  if (Array.isArray(obj)) return obj.slice() as unknown as Record<string, unknown>;
  if (obj instanceof Error) return errorObject(obj);
  return { ...(obj as Record<string, unknown>) };
}

function redactAt(
  obj: object,
  segments: Segment[],
  index: number,
  trail: string[],
  replace: (value: unknown, path: string[]) => unknown,
  remove: boolean,
  leaveUndefined: boolean,
): object {
  const segment = segments[index]!;
  const last = index === segments.length - 1;
  // A Map's entries are its fields: written out as an object's, so redacted as one's.
  const map = obj instanceof Map ? (obj as Map<unknown, unknown>) : undefined;
  let keys: string[];
  if (map !== undefined) {
    if (segment === WILDCARD) keys = [...map.keys()].filter((k): k is string => typeof k === 'string');
    else if (map.has(segment)) keys = [segment];
    else return obj;
  } else if (segment === WILDCARD) keys = Object.keys(obj);
  else if (hasOwn.call(obj, segment) || (obj instanceof Error && segment in obj)) keys = [segment];
  else return obj;

  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    let value: unknown;
    try {
      value = map !== undefined ? map.get(key) : (obj as Record<string, unknown>)[key];
    } catch {
      value = undefined;
    }
    if (leaveUndefined && last && index === 0 && value === undefined && segment !== WILDCARD && !map) continue;
    const path = [...trail, key];
    if (last) {
      copy ??= cloneShallow(obj);
      if (copy instanceof Map) {
        if (remove) copy.delete(key);
        else copy.set(key, replace(value, path));
      } else if (remove && !Array.isArray(copy)) delete copy[key];
      else setOwn(copy, key, replace(value, path));
    } else if (typeof value === 'object' && value !== null) {
      const next = redactAt(value, segments, index + 1, path, replace, remove, leaveUndefined);
      if (next !== value) {
        copy ??= cloneShallow(obj);
        if (copy instanceof Map) copy.set(key, next);
        else setOwn(copy, key, next);
      }
    }
  }
  return copy ?? obj;
}
