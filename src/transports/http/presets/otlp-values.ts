/** JSON values as OTLP AnyValue JSON text, written directly: no objects to build and stringify. */

/** A JSON value as OTLP AnyValue JSON text. */
export function anyValueJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return `{"boolValue":${value}}`;
    case 'number':
      if (!Number.isFinite(value)) return '{}';
      // int64 as a JSON number, as the OpenTelemetry SDK sends it (OTLP decoders take numbers or
      // strings; numbers are cheaper to read). Integers beyond 2^53 are not exact: doubles.
      return Number.isSafeInteger(value) ? `{"intValue":${value}}` : `{"doubleValue":${value}}`;
    case 'object': {
      if (value === null) return '{}';
      if (Array.isArray(value)) return `{"arrayValue":{"values":[${value.map(anyValueJson).join(',')}]}}`;
      const values = appendAttributes('', value as Record<string, unknown>);
      return `{"kvlistValue":{"values":[${values}]}}`;
    }
    default:
      return `{"stringValue":${JSON.stringify(String(value))}}`;
  }
}

/** `out` with a `{"key":…,"value":…}` entry added for each of an object's keys. */
export function appendAttributes(out: string, object: Readonly<Record<string, unknown>>): string {
  for (const key in object) {
    out += `${out === '' ? '' : ','}{"key":${JSON.stringify(key)},"value":${anyValueJson(object[key])}}`;
  }
  return out;
}
