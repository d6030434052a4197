import type { z } from 'zod';
import { loadZod } from './load-zod.cjs';
import { NO, type PlainCheck } from './plain-checks.js';

const lazySchemas = new WeakMap<object, PlainCheck | undefined>();

/**
 * A zod schema made on first use. What is handed out is a stand-in that zod itself turns
 * into the schema when first touched (the schema's constructor runs on the stand-in), so
 * it is the schema in every way that matters: same identity inside zod's own bookkeeping
 * (a JSON Schema export, a schema of a user's that contains it), `instanceof`, methods.
 * `plain` is an optional check in plain code for the usual, valid input: what it accepts
 * it parses as the schema would, so a logger with ordinary options never loads zod (see
 * parseFast); anything it does not vouch for goes to the schema, for its exact messages.
 */
export function lazySchema<S extends z.ZodType>(build: (zod: typeof z) => S, plain?: PlainCheck): S {
  const target = {};
  let state: 'idle' | 'building' | 'ready' = 'idle';
  const ready = (): object => {
    if (state !== 'idle') return target;
    state = 'building';
    try {
      const made = build(loadZod().z) as unknown as { _zod: { def: unknown; constr: (def: unknown) => void } };
      Object.setPrototypeOf(target, Object.getPrototypeOf(made));
      made._zod.constr.call(standIn, made._zod.def);
      state = 'ready';
    } catch (error) {
      state = 'idle';
      throw error;
    }
    return target;
  };
  const standIn: object = new Proxy(target, {
    get: (_t, key) => Reflect.get(ready(), key, standIn),
    set: (_t, key, value) => Reflect.set(ready(), key, value),
    has: (_t, key) => Reflect.has(ready(), key),
    defineProperty: (_t, key, descriptor) => Reflect.defineProperty(ready(), key, descriptor),
    deleteProperty: (_t, key) => Reflect.deleteProperty(ready(), key),
    getOwnPropertyDescriptor: (_t, key) => Reflect.getOwnPropertyDescriptor(ready(), key),
    ownKeys: () => Reflect.ownKeys(ready()),
    getPrototypeOf: () => Reflect.getPrototypeOf(ready()),
    setPrototypeOf: (_t, proto) => Reflect.setPrototypeOf(ready(), proto),
  });
  lazySchemas.set(standIn, plain);
  return standIn as S;
}

/**
 * An object of schemas (a shape to spread into a plugin's schema) whose schemas are made
 * when first read: its keys are known without loading zod.
 */
export function lazyShape<T extends Record<string, z.ZodType>>(build: (zod: typeof z) => T, keys: (keyof T)[]): T {
  let made: T | undefined;
  const shape = {} as T;
  for (const key of keys) {
    Object.defineProperty(shape, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        made ??= build(loadZod().z);
        return made[key];
      },
    });
  }
  return shape;
}

/** Is this one of the package's own schemas, not made yet? (A plugin check must not make it.) */
export function isLazySchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && lazySchemas.has(schema);
}

/**
 * The plain-code check's result for this schema and value, or NO: the schema has none, or
 * it does not vouch for the value (then the schema decides, and says what is wrong).
 */
export function parseFast(schema: unknown, value: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return NO;
  const plain = lazySchemas.get(schema);
  return plain === undefined ? NO : plain(value);
}

export { NO };
