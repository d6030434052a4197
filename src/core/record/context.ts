import { AsyncLocalStorage } from 'node:async_hooks';

/** One withContext frame: the merged fields plus a slot for their serialised form. */
export interface ContextFrame {
  readonly fields: Readonly<Record<string, unknown>>;
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
  const merged = parent ? { ...parent.fields, ...fields } : { ...fields };
  return storage.run({ fields: merged }, fn);
}

/** The fields in force here, or undefined. Cheap when withContext was never called. */
export function currentContext(): ContextFrame | undefined {
  return everUsed ? storage.getStore() : undefined;
}

/** A copy of the current context fields, for code that wants to read them. */
export function getContext(): Record<string, unknown> {
  return { ...(currentContext()?.fields ?? {}) };
}
