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
  /**
   * Keys the line itself owns (level, time, the message key, base keys): a field by such a
   * name is written as `"@<key>"`, so no reader ever sees a forged level or time.
   */
  coreKeys?: ReadonlySet<string>;
}

export const DEFAULT_SAFE_OPTIONS: SafeOptions = { maxDepth: 16, maxBufferBytes: 1024 };

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
    reason = error instanceof Error ? error.message : String(error);
  } catch {
    reason = 'unknown';
  }
  return `[${kind} threw: ${reason}]`;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** One value as JSON text, or undefined when JSON would omit it (undefined, functions, symbols). */
export function valueJson(value: unknown, options: SafeOptions = DEFAULT_SAFE_OPTIONS): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveJson(value);
  try {
    if (isPlainContainer(value)) return JSON.stringify(value);
  } catch {
    // fall through to the careful walker
  }
  return safeJson(value, options);
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
      let out = '';
      for (const key in fields) {
        const value = (fields as Record<string, unknown>)[key];
        const name = core !== undefined && core.has(key) ? quote(`@${key}`) : quote(key);
        switch (typeof value) {
          case 'string':
            out += ',' + name + ':' + quote(value);
            break;
          case 'number':
            out += ',' + name + ':' + (Number.isFinite(value) ? String(value) : 'null');
            break;
          case 'boolean':
            out += ',' + name + ':' + (value ? 'true' : 'false');
            break;
          case 'undefined':
          case 'function':
          case 'symbol':
            break;
          case 'object':
            if (value === null) out += ',' + name + ':null';
            else if (isPlainContainer(value)) out += ',' + name + ':' + JSON.stringify(value);
            else return fieldsJsonByKey(fields, options);
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

function fieldsJsonByKey(fields: object, options: SafeOptions): string {
  let out = '';
  try {
    for (const key in fields) {
      if (!hasOwn.call(fields, key)) continue;
      const json = valueJson((fields as Record<string, unknown>)[key], options);
      const name = options.coreKeys?.has(key) ? `@${key}` : key;
      if (json !== undefined) out += ',' + quote(name) + ':' + json;
    }
    return out;
  } catch {
    // A getter on the top-level object threw: redo it key by key with the walker.
    const json = safeJson(fields, options);
    return json.length > 2 && json[0] === '{' ? ',' + json.slice(1, -1) : `,"fields":${json}`;
  }
}

/** Error → plain object: type, message, stack, code, cause chain, AggregateError members, own props. */
export function errorObject(error: Error, seen: Set<unknown> = new Set()): Record<string, unknown> {
  seen.add(error);
  const out: Record<string, unknown> = {};
  const read = (key: string): unknown => {
    try {
      return (error as unknown as Record<string, unknown>)[key];
    } catch (e) {
      return describeThrow(`${key} getter`, e);
    }
  };
  out.type = safeName(error);
  out.message = String(read('message') ?? '');
  const stack = read('stack');
  if (typeof stack === 'string') out.stack = stack;
  const code = read('code');
  if (code !== undefined) out.code = code;
  const cause = read('cause');
  if (cause !== undefined) {
    if (seen.has(cause)) out.cause = '[Circular]';
    else out.cause = cause instanceof Error ? errorObject(cause, seen) : cause;
  }
  const errors = read('errors');
  if (Array.isArray(errors)) {
    out.errors = errors.map((member) =>
      seen.has(member) ? '[Circular]' : member instanceof Error ? errorObject(member, seen) : member,
    );
  }
  let keys: string[] = [];
  try {
    keys = Object.keys(error);
  } catch {
    keys = [];
  }
  for (const key of keys) {
    if (key in out || key === 'errors') continue;
    const value = read(key);
    out[key] = value instanceof Error ? (seen.has(value) ? '[Circular]' : errorObject(value, seen)) : value;
  }
  return out;
}

function safeName(error: Error): string {
  try {
    const ctorName = error.constructor?.name;
    const name = error.name;
    return typeof name === 'string' && name !== 'Error'
      ? name
      : typeof ctorName === 'string' && ctorName
        ? ctorName
        : 'Error';
  } catch {
    return 'Error';
  }
}

/** The careful walker: never throws, bounded depth, cycles as "[Circular]". */
export function safeJson(value: unknown, options: SafeOptions = DEFAULT_SAFE_OPTIONS): string {
  const ancestors: unknown[] = [];
  try {
    return walk(value, 0, ancestors, options) ?? 'null';
  } catch (error) {
    return quote(describeThrow('serializer', error));
  }
}

function walk(value: unknown, depth: number, ancestors: unknown[], options: SafeOptions): string | undefined {
  if (typeof value !== 'object' || value === null) return primitiveJson(value);
  const obj = value as Record<string, unknown>;
  if (ancestors.includes(obj)) return '"[Circular]"';
  if (obj instanceof Date) {
    return Number.isNaN(obj.getTime()) ? '"Invalid Date"' : quote(obj.toISOString());
  }
  if (Buffer.isBuffer(obj)) {
    const shown = obj.subarray(0, options.maxBufferBytes);
    const truncated = obj.length > shown.length ? ',"truncated":true' : '';
    return `{"type":"Buffer","length":${obj.length},"base64":"${shown.toString('base64')}"${truncated}}`;
  }
  if (ArrayBuffer.isView(obj)) {
    return `{"type":${quote(obj.constructor.name)},"length":${obj.byteLength}}`;
  }
  if (depth >= options.maxDepth) return Array.isArray(obj) ? '"[Array]"' : '"[Object]"';

  ancestors.push(obj);
  try {
    if (obj instanceof Error) return walk(errorObject(obj), depth, ancestors, options);
    if (typeof obj.toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = (obj.toJSON as () => unknown)();
      } catch (error) {
        return quote(describeThrow('toJSON', error));
      }
      return walk(replaced, depth + 1, ancestors, options);
    }
    if (Array.isArray(obj)) {
      const parts: string[] = [];
      for (let i = 0; i < obj.length; i++)
        parts.push(walk(readProperty(obj, i), depth + 1, ancestors, options) ?? 'null');
      return `[${parts.join(',')}]`;
    }
    if (obj instanceof Set) {
      const parts: string[] = [];
      for (const item of obj) parts.push(walk(item, depth + 1, ancestors, options) ?? 'null');
      return `[${parts.join(',')}]`;
    }
    if (obj instanceof Map) {
      const parts: string[] = [];
      for (const [key, item] of obj) {
        const json = walk(item, depth + 1, ancestors, options);
        if (json !== undefined) parts.push(`${quote(mapKey(key))}:${json}`);
      }
      return `{${parts.join(',')}}`;
    }
    const parts: string[] = [];
    for (const key of Object.keys(obj)) {
      const json = walk(readProperty(obj, key), depth + 1, ancestors, options);
      if (json !== undefined) parts.push(`${quote(key)}:${json}`);
    }
    return `{${parts.join(',')}}`;
  } catch (error) {
    // Proxies can throw from ownKeys or getPrototypeOf; say so instead of failing the line.
    return quote(describeThrow('inspection', error));
  } finally {
    ancestors.pop();
  }
}

function readProperty(obj: object, key: string | number): unknown {
  try {
    return (obj as Record<string | number, unknown>)[key];
  } catch (error) {
    return describeThrow('getter', error);
  }
}

function mapKey(key: unknown): string {
  if (typeof key === 'string') return key;
  try {
    return typeof key === 'object' && key !== null ? safeJson(key) : String(key);
  } catch {
    return '[key]';
  }
}
