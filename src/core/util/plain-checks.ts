/**
 * Checks in plain code for options that are also described by zod schemas: each returns
 * the value as the schema would parse it, or NO when it cannot vouch for it (then the
 * schema decides, and words the error). They accept a subset of what the schemas accept,
 * never more, so the common case needs no zod at all.
 *
 * A string that came from the environment and that a check refuses as a string is offered
 * to it again as an EnvText (by object, record and arrayOf, which know where each value
 * came from): num, bool and oneOf read it as the zod path does (see readItem in issues.ts).
 */
import { EnvText, envBoolean, envNumber, envTextAt } from './env-text.js';

export const NO: unique symbol = Symbol('not vouched for');
export type PlainCheck = (value: unknown) => unknown;

const OPTIONAL = new WeakSet<PlainCheck>();

export function optional(check: PlainCheck): PlainCheck {
  const wrapped: PlainCheck = (value) => (value === undefined ? undefined : check(value));
  OPTIONAL.add(wrapped);
  return wrapped;
}

export const anything: PlainCheck = (value) => value;
export const bool: PlainCheck = (value) =>
  typeof value === 'boolean' ? value : value instanceof EnvText ? (envBoolean(value.text) ?? NO) : NO;

export function text(min = 0, pattern?: RegExp): PlainCheck {
  return (value) =>
    typeof value === 'string' && value.length >= min && (!pattern || pattern.test(value)) ? value : NO;
}

/** A finite number within [min, max]; whole (and safe) when `whole`. */
export function num(min: number, max: number, whole: boolean): PlainCheck {
  return (given) => {
    const value = given instanceof EnvText ? envNumberOrNo(given.text) : given;
    return typeof value === 'number' &&
      Number.isFinite(value) &&
      (!whole || Number.isSafeInteger(value)) &&
      value >= min &&
      value <= max
      ? value
      : NO;
  };
}

function envNumberOrNo(text: string): unknown {
  const read = envNumber(text);
  return 'value' in read ? read.value : NO;
}

export function oneOf(...values: readonly unknown[]): PlainCheck {
  return (value) => {
    if (value instanceof EnvText) {
      // Only a listed number or boolean: a listed string was tried as the string itself.
      const asBoolean = envBoolean(value.text);
      const asNumber = envNumberOrNo(value.text);
      return (
        values.find((v) => (typeof v === 'boolean' ? v === asBoolean : typeof v === 'number' && v === asNumber)) ?? NO
      );
    }
    return values.includes(value) ? value : NO;
  };
}

/** The first check that vouches for the value. */
export function either(...checks: PlainCheck[]): PlainCheck {
  return (value) => {
    for (const check of checks) {
      const out = check(value);
      if (out !== NO) return out;
    }
    return NO;
  };
}

export function where(check: PlainCheck, ok: (value: unknown) => boolean): PlainCheck {
  return (value) => {
    const out = check(value);
    return out !== NO && ok(out) ? out : NO;
  };
}

/**
 * `check(container[key])`; when it refuses a string that came from the environment, the
 * check's verdict on that string read as a number or boolean (an EnvText).
 */
function checkItem(check: PlainCheck, container: object, key: PropertyKey, value: unknown): unknown {
  const checked = check(value);
  if (checked !== NO) return checked;
  const env = envTextAt(container, key, value);
  if (env === undefined) return NO;
  const read = check(env);
  // A check of a plugin's own that passes anything through must not hand on the wrapper.
  return read instanceof EnvText ? NO : read;
}

export function arrayOf(item: PlainCheck): PlainCheck {
  return (value) => {
    if (!Array.isArray(value)) return NO;
    const out: unknown[] = [];
    for (let index = 0; index < value.length; index++) {
      const checked = checkItem(item, value, index, value[index]);
      if (checked === NO) return NO;
      out.push(checked);
    }
    return out;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An object of these keys (others: NO, unless `loose`, when they pass as they are). */
export function object(shape: Record<string, PlainCheck>, loose = false): PlainCheck {
  const keys = Object.keys(shape);
  return (value) => {
    if (!isPlainObject(value)) return NO;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (Object.hasOwn(value, key)) {
        const checked = checkItem(shape[key]!, value, key, value[key]);
        if (checked === NO) return NO;
        out[key] = checked;
      } else if (!OPTIONAL.has(shape[key]!)) return NO;
    }
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue;
      if (!loose || key === '__proto__') return NO;
      out[key] = value[key];
    }
    return out;
  };
}

/** An object whose every key and value pass. */
export function record(key: PlainCheck, item: PlainCheck): PlainCheck {
  return (value) => {
    // z.record looks at symbol keys too (and refuses them as not strings); Object.keys skips them.
    if (!isPlainObject(value) || Object.getOwnPropertySymbols(value).length > 0) return NO;
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(value)) {
      if (name === '__proto__' || key(name) === NO) return NO;
      const checked = checkItem(item, value, name, value[name]);
      if (checked === NO) return NO;
      out[name] = checked;
    }
    return out;
  };
}
