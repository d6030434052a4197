import { AsyncLocalStorage } from 'node:async_hooks';
import { isAnyError, isAnyMap } from '../util/value-kinds.js';

/** One withContext frame: the merged fields plus a slot for their serialised form. */
export interface ContextFrame {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The callers' objects `fields` was merged from: a value referring back to one refers to `fields`. */
  readonly sources: readonly object[];
  /** The fragment as the last logger to write it made it, and what made it so (see contextJson). */
  cache?: { redactor: unknown; safe: unknown; serializers: unknown; json: string };
}

const storage = new AsyncLocalStorage<ContextFrame>();
let everUsed = false;

/**
 * Runs fn with fields attached to every record logged inside it, across awaits,
 * timers and callbacks. Nested calls merge, inner fields winning.
 */
export function withContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  everUsed = true;
  const parent = storage.getStore();
  // A Map gives its entries, as it does as a call's fields (spread, it gave nothing).
  if (isAnyMap(fields)) fields = mapFields(fields);
  let merged: Record<string, unknown>;
  try {
    merged = parent ? { ...parent.fields, ...fields } : { ...fields };
  } catch {
    merged = mergedWithoutReading(parent, fields);
  }
  return storage.run({ fields: merged, sources: sourcesOf(parent, fields) }, fn);
}

/**
 * Fields whose reading threw (a getter, a Proxy's trap): copied as they are defined, getters
 * still getters, so each record's serialiser reads them as it reads bindings and call fields,
 * each key on its own, a throw marked in place and redaction's paths applying (a getter's
 * message could hold what a path hides: `contextError` quoted it, and lost every other
 * field). Fields that cannot even be listed must still not keep fn from running: its records
 * say so, without the message.
 */
function mergedWithoutReading(
  parent: ContextFrame | undefined,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  // The parent's may hold such getters too: copied the same way.
  if (parent !== undefined) Object.defineProperties(merged, Object.getOwnPropertyDescriptors(parent.fields));
  try {
    Object.defineProperties(merged, Object.getOwnPropertyDescriptors(fields));
    return merged;
  } catch (error) {
    const contextError = `context fields could not be listed (${errorName(error)})`;
    Object.defineProperty(merged, 'contextError', { value: contextError, enumerable: true, writable: true });
    return merged;
  }
}

function errorName(error: unknown): string {
  try {
    return isAnyError(error) ? error.name : typeof error;
  } catch {
    return 'unknown';
  }
}

/** A Map's entries as fields, keys as strings (an entry whose key cannot be one is left out). */
function mapFields(map: Map<unknown, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  try {
    for (const [key, value] of map) {
      if (typeof key === 'string' || typeof key === 'number') {
        Object.defineProperty(fields, String(key), { value, enumerable: true, writable: true, configurable: true });
      }
    }
  } catch {
    // a Map subclass whose iterator throws: the entries read so far
  }
  return fields;
}

/**
 * The callers' objects a frame's fields were merged from, for redaction (see ContextFrame):
 * the parent's, less those whose every key the new fields replace. A loop that schedules its
 * next step from inside the last one's context nests without end, and kept every step's
 * fields alive (168 MB after 20,000 steps, then out of memory).
 */
function sourcesOf(parent: ContextFrame | undefined, fields: Record<string, unknown>): object[] {
  const sources: object[] = [];
  for (const source of parent?.sources ?? []) if (!replacedBy(source, fields)) sources.push(source);
  if (typeof fields === 'object' && fields !== null) sources.push(fields);
  return sources;
}

function replacedBy(source: object, fields: Record<string, unknown>): boolean {
  try {
    if (typeof fields !== 'object' || fields === null) return false;
    for (const key of Object.keys(source)) if (!Object.hasOwn(fields, key)) return false;
    return true;
  } catch {
    return false;
  }
}

/** The fields in force here, or undefined. Cheap when withContext was never called. */
export function currentContext(): ContextFrame | undefined {
  return everUsed ? storage.getStore() : undefined;
}

/** A copy of the current context fields, for code that wants to read them. */
export function getContext(): Record<string, unknown> {
  const fields = currentContext()?.fields ?? {};
  try {
    return { ...fields };
  } catch {
    // a getter that throws (see mergedWithoutReading): handed on as a getter, not read here
    return Object.defineProperties({}, Object.getOwnPropertyDescriptors(fields));
  }
}
