import { AsyncLocalStorage } from 'node:async_hooks';
import { describeThrown } from '../util/thrown.js';

/** One withContext frame: the merged fields plus a slot for their serialised form. */
export interface ContextFrame {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The callers' objects `fields` was merged from: a value referring back to one refers to `fields`. */
  readonly sources: readonly object[];
  /** Cached JSON fragment, keyed by the redactor that produced it (null: no redaction). */
  cacheKey?: unknown;
  cacheJson?: string;
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
  let merged: Record<string, unknown>;
  try {
    merged = parent ? { ...parent.fields, ...fields } : { ...fields };
  } catch (error) {
    // Fields that cannot be read (a throwing getter, a Proxy) must not keep fn from running:
    // its records say what was wrong, as a child's with such bindings do.
    merged = { ...parent?.fields, contextError: `context fields could not be used: ${describeThrown(error)}` };
  }
  const sources = [...(parent?.sources ?? [])];
  if (typeof fields === 'object' && fields !== null) sources.push(fields);
  return storage.run({ fields: merged, sources }, fn);
}

/** The fields in force here, or undefined. Cheap when withContext was never called. */
export function currentContext(): ContextFrame | undefined {
  return everUsed ? storage.getStore() : undefined;
}

/** A copy of the current context fields, for code that wants to read them. */
export function getContext(): Record<string, unknown> {
  return { ...(currentContext()?.fields ?? {}) };
}
