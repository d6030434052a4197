import { messageLeftOut, type Redactor } from '../record/redact.js';
import { noteCopyForRedaction } from '../record/redacted-copies.js';
import { messageOf } from '../util/thrown.js';

/** Turns one logged value into what the line shows (pino's `serializers`). */
// biome-ignore lint/suspicious/noExplicitAny: a serializer takes whatever the caller logged under its key
export type Serializer = (value: any) => unknown;
export type Serializers = Readonly<Record<string, Serializer>>;

/**
 * Applies serializers to the keys of `fields` they name: a copy with the serialised values,
 * or `fields` itself when no key matches. A serializer that throws leaves a marker in
 * place of the value rather than losing the record.
 */
export function applySerializers(
  fields: Record<string, unknown>,
  serializers: Serializers,
  keys: readonly string[],
  /** The paths the fields are redacted by next: a serializer's thrown message may quote what they cover. */
  redactor?: Redactor,
): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of keys) {
    if (!Object.hasOwn(fields, key)) continue;
    out ??= { ...fields };
    let value: unknown;
    try {
      const input = fields[key];
      value = serializers[key]!(input);
      // A result made from its input (`v => ({ ...v })`) stands for it: a value in it that
      // refers back to the input refers to the result, so redaction of it is not undone.
      if (typeof value === 'object' && value !== null && typeof input === 'object' && input !== null) {
        noteCopyForRedaction(value, input);
      }
    } catch (error) {
      // Anything may be thrown (a value whose message and toString throw too): reading it
      // here must not fail the whole call, which would lose every other field.
      value =
        redactor?.reachesUnder(key) === true
          ? `[serializer ${key} threw; ${messageLeftOut('under it')}]`
          : `[serializer ${key} threw: ${messageOf(error)}]`;
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (out === undefined) return fields;
  // A value that refers back to the fields refers to what this copy stands for (see noteCopy).
  noteCopyForRedaction(out, fields);
  return out;
}

/** A logger's serializers and the keys they apply to, merged with a child's own. */
export class SerializerSet {
  readonly keys: readonly string[];

  constructor(readonly all: Serializers) {
    this.keys = Object.keys(all);
  }

  with(more: Serializers | undefined): SerializerSet {
    return more === undefined || Object.keys(more).length === 0 ? this : new SerializerSet({ ...this.all, ...more });
  }

  apply(fields: Record<string, unknown>, redactor?: Redactor): Record<string, unknown> {
    return this.keys.length === 0 ? fields : applySerializers(fields, this.all, this.keys, redactor);
  }
}
