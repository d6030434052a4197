import { noteCopyForRedaction } from '../record/redacted-copies.js';
import { readProperty } from '../record/serialize.js';
import type { SerializerSet } from './serializers.js';
import { isAnyError } from '../util/value-kinds.js';

/**
 * pino passes whatever is logged under `err` through its err serializer, which reshapes any
 * object with a string `message` (a plain object from JSON, an error from another realm):
 * `type` from its constructor, `message`, `stack` ("" when it has none), then its other
 * enumerable keys. Errors themselves, of whatever realm, are written by the serialiser (the
 * reshaped copy lost a cause, and redaction's paths into it); a user's own serializer for
 * the key sees the value as logged.
 */
export function withErrorLike(
  fields: Record<string, unknown>,
  errorKey: string,
  serializers: SerializerSet,
): Record<string, unknown> {
  let shaped: Record<string, unknown>;
  let like: Record<string, unknown>;
  try {
    const value = fields[errorKey];
    if (typeof value !== 'object' || value === null || isAnyError(value)) return fields;
    like = value as Record<string, unknown>;
    if (typeof like.message !== 'string' || serializers.all[errorKey] !== undefined) return fields;
    shaped = errorLikeObject(like);
  } catch {
    // A getter or a Proxy trap that throws: the serialiser marks it where it is, the other fields stay.
    return fields;
  }
  const out = { ...fields, [errorKey]: shaped };
  // Values that refer back to the fields or to the error-like object refer to what these
  // copies stand for: without this, redaction of the copies was undone one level down.
  noteCopyForRedaction(out, fields);
  noteCopyForRedaction(shaped, like);
  return out;
}

function errorLikeObject(like: Record<string, unknown>): Record<string, unknown> {
  const ctor = readProperty(like, 'constructor');
  const out: Record<string, unknown> = {
    type: typeof ctor === 'function' ? ctor.name : readProperty(like, 'name'),
    message: like.message,
    stack: typeof like.stack === 'string' ? like.stack : '',
  };
  // Own keys only, as every other object is written: a polluted Object.prototype adds nothing.
  for (const key of Object.keys(like)) {
    // defineProperty: a key "__proto__" (JSON.parse makes them) stays a key, not a prototype.
    if (!Object.hasOwn(out, key) || out[key] === undefined)
      Object.defineProperty(out, key, { value: readProperty(like, key), enumerable: true, writable: true });
  }
  return out;
}
