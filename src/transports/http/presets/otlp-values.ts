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

/** What a raw JSON value from the line is as an AnyValue: one of the scalar kinds, null, or nested. */
const STRING = 0;
const BOOL = 1;
const INT = 2;
const DOUBLE = 3;
const NULL = 4;
const NESTED = 5;
const SCALAR_OPENINGS = ['{"stringValue":', '{"boolValue":', '{"intValue":', '{"doubleValue":'];

function rawKind(raw: string): number {
  switch (raw.charCodeAt(0)) {
    case 34: // "
      return STRING;
    case 116: // t
    case 102: // f
      return BOOL;
    case 110: // n
      return NULL;
    case 123: // {
    case 91: // [
      return NESTED;
    default:
      return isIntegerText(raw) ? INT : DOUBLE;
  }
}

/** Is this JSON number an integer that a double holds exactly (15 characters always are)? */
function isIntegerText(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return false; // . e E
  }
  return raw.length <= 15 || Number.isSafeInteger(Number(raw));
}

/** A raw JSON value from the line as OTLP AnyValue JSON: strings, numbers and booleans copied as they are. */
export function rawAnyValue(raw: string): string {
  const kind = rawKind(raw);
  if (kind === NULL) return '{}';
  if (kind === NESTED) return anyValueJson(JSON.parse(raw));
  return `${SCALAR_OPENINGS[kind]}${raw}}`;
}

/**
 * One attribute key's entry openings, made once per key: an attribute is then its opening,
 * the raw value from the line and a closing, with no AnyValue object in between.
 */
export class AttributeKey {
  private readonly opening: string;
  /** The opening with each scalar kind's AnyValue opened too, by kind. */
  private readonly scalarOpenings: string[];

  /** `quotedKey` as the line has it: `"userId"`. */
  constructor(quotedKey: string) {
    this.opening = `{"key":${quotedKey},"value":`;
    this.scalarOpenings = SCALAR_OPENINGS.map((opening) => this.opening + opening);
  }

  /** The `{"key":…,"value":…}` entry for a raw JSON value: what rawAnyValue makes, wrapped. */
  entry(raw: string): string {
    const kind = rawKind(raw);
    return kind < NULL ? `${this.scalarOpenings[kind]}${raw}}}` : `${this.opening}${rawAnyValue(raw)}}`;
  }
}
