import type { SerializerSet } from './serializers.js';

/**
 * pino passes whatever is logged under `err` through its err serializer, which reshapes any
 * object with a string `message` (a plain object from JSON, an error from another realm):
 * `type` from its constructor, `message`, `stack` ("" when it has none), then its other
 * enumerable keys. Errors themselves are written by the serialiser; a user's own serializer
 * for the key sees the value as logged.
 */
export function withErrorLike(
  fields: Record<string, unknown>,
  errorKey: string,
  serializers: SerializerSet,
): Record<string, unknown> {
  const value = fields[errorKey];
  if (typeof value !== 'object' || value === null || value instanceof Error) return fields;
  const like = value as Record<string, unknown>;
  if (typeof like.message !== 'string' || serializers.all[errorKey] !== undefined) return fields;
  return { ...fields, [errorKey]: errorLikeObject(like) };
}

function errorLikeObject(like: Record<string, unknown>): Record<string, unknown> {
  const ctor = like.constructor;
  const out: Record<string, unknown> = {
    type: typeof ctor === 'function' ? ctor.name : like.name,
    message: like.message,
    stack: typeof like.stack === 'string' ? like.stack : '',
  };
  for (const key in like) {
    // defineProperty: a key "__proto__" (JSON.parse makes them) stays a key, not a prototype.
    if (!Object.hasOwn(out, key) || out[key] === undefined)
      Object.defineProperty(out, key, { value: like[key], enumerable: true, writable: true });
  }
  return out;
}
