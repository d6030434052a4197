import { impl, type LogRecordImpl, type RecordScope } from '../../../core/record/log-record.js';
import type { HttpPreset, Verdict } from '../preset.js';
import { LineEntries } from './line-entries.js';

/** OTLP severity numbers for our levels: trace 1, debug 5, info 9, warn 13, error 17, fatal 21. */
function severityNumber(level: number): number {
  if (level >= 60) return 21;
  if (level >= 50) return 17;
  if (level >= 40) return 13;
  if (level >= 30) return 9;
  if (level >= 20) return 5;
  return 1;
}

/** A JSON value as OTLP AnyValue JSON text (written directly: no objects to build and stringify). */
function anyValueJson(value: unknown): string {
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

/** Keys the record's own OTLP fields carry (or the resource does), never repeated as attributes. */
const OWN_KEYS = new Set(['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags']);

/** `out` with a `{"key":…,"value":…}` entry added for each of an object's keys. */
function appendAttributes(out: string, object: Readonly<Record<string, unknown>>): string {
  for (const key in object) {
    out += `${out === '' ? '' : ','}{"key":${JSON.stringify(key)},"value":${anyValueJson(object[key])}}`;
  }
  return out;
}

/** Bindings that describe the process, not the event: OTel's resource attributes for them. */
const RESOURCE_BINDINGS: ReadonlyMap<string, string> = new Map([
  ['pid', 'process.pid'],
  ['hostname', 'host.name'],
]);

/** What a logger's bindings give every record it makes, worked out once per logger. */
interface ScopeOtlp {
  /** The `resource` object's JSON: `service.name` from `name`, and the process bindings. */
  resource: string;
  /** The process bindings, for a record whose own `name` field names the service. */
  processAttributes: Record<string, unknown>;
  /** Whether `name` is bound (otherwise a record's own `name` field names the service). */
  named: boolean;
  /** Keys of the line, quoted as it has them, that are not attributes: the record's own, the resource's. */
  skip: ReadonlySet<string>;
}

const scopes = new WeakMap<RecordScope, ScopeOtlp>();

function resourceJson(service: unknown, processAttributes: Record<string, unknown>): string {
  const name = JSON.stringify(typeof service === 'string' ? service : 'unknown_service');
  const attributes = appendAttributes(`{"key":"service.name","value":{"stringValue":${name}}}`, processAttributes);
  return `{"attributes":[${attributes}]}`;
}

function scopeOtlp(scope: RecordScope): ScopeOtlp {
  let cached = scopes.get(scope);
  if (cached !== undefined) return cached;
  const bindings = JSON.parse(`{${scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
  const processAttributes: Record<string, unknown> = {};
  const inResource = new Set<string>();
  for (const [key, resourceKey] of RESOURCE_BINDINGS) {
    if (!Object.hasOwn(bindings, key)) continue;
    processAttributes[resourceKey] = bindings[key];
    inResource.add(key);
  }
  const messageKey = scope.shape.messageKey;
  cached = {
    resource: resourceJson(bindings.name, processAttributes),
    processAttributes,
    named: Object.hasOwn(bindings, 'name'),
    skip: new Set([...OWN_KEYS, messageKey, ...inResource].map((key) => JSON.stringify(key))),
  };
  scopes.set(scope, cached);
  return cached;
}

/** `"INFO"`, per level label: the same few in every batch. */
const severityTexts = new Map<string, string>();

function severityText(label: string): string {
  let text = severityTexts.get(label);
  if (text === undefined) {
    text = JSON.stringify(label.toUpperCase());
    severityTexts.set(label, text);
  }
  return text;
}

/** A raw JSON value from the line as OTLP AnyValue JSON: strings, numbers and booleans copied as they are. */
function rawAnyValue(raw: string): string {
  switch (raw.charCodeAt(0)) {
    case 34: // "
      return `{"stringValue":${raw}}`;
    case 116: // t
    case 102: // f
      return `{"boolValue":${raw}}`;
    case 110: // n
      return '{}';
    case 123: // {
    case 91: // [
      return anyValueJson(JSON.parse(raw));
    default:
      return isIntegerText(raw) ? `{"intValue":${raw}}` : `{"doubleValue":${raw}}`;
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

/**
 * A record's attributes in line order. A key the line repeats (a field named like a child's
 * binding) keeps its first place and its last value, as JSON.parse reads the line: OTLP
 * wants each key once.
 */
class AttributeList {
  private readonly keys: string[] = [];
  private readonly values: string[] = [];
  /** Made only for records with many keys, where a scan of the keys would be slow. */
  private index: Map<string, number> | undefined;

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
    this.index = undefined;
  }

  set(quotedKey: string, value: string): void {
    const at = this.find(quotedKey);
    if (at >= 0) {
      this.values[at] = value;
      return;
    }
    this.keys.push(quotedKey);
    this.values.push(value);
    this.index?.set(quotedKey, this.keys.length - 1);
  }

  json(): string {
    let out = '';
    for (let i = 0; i < this.keys.length; i++)
      out += `${i === 0 ? '' : ','}{"key":${this.keys[i]},"value":${this.values[i]}}`;
    return out;
  }

  private find(quotedKey: string): number {
    if (this.index === undefined) {
      if (this.keys.length < 32) return this.keys.indexOf(quotedKey);
      this.index = new Map(this.keys.map((key, i) => [key, i]));
    }
    return this.index.get(quotedKey) ?? -1;
  }
}

// One reader and one list for every record: body() runs to the end without yielding.
const entries = new LineEntries();
const attributes = new AttributeList();

/**
 * One record as an OTLP LogRecord and its service name, read from its JSON line: the line
 * holds the values as they were at the log call (a caller may change its objects right
 * after), and its keys and strings are copied as they are, never parsed and re-encoded.
 */
function logRecordJson(record: LogRecordImpl, scope: ScopeOtlp): { json: string; service: string | undefined } {
  let traceId = '';
  let spanId = '';
  let flags = '';
  let service: string | undefined;
  attributes.clear();
  const reader = entries.read(record.json());
  while (reader.next()) {
    const { key, value } = reader;
    if (!scope.skip.has(key)) {
      attributes.set(key, rawAnyValue(value));
      continue;
    }
    const isString = value.charCodeAt(0) === 34;
    if (key === '"trace_id"') traceId = isString ? `,"traceId":${value}` : '';
    else if (key === '"span_id"') spanId = isString ? `,"spanId":${value}` : '';
    else if (key === '"trace_flags"') flags = /^\d+$/.test(value) ? `,"flags":${value}` : '';
    else if (key === '"name"' && !scope.named) service = isString ? (JSON.parse(value) as string) : undefined;
  }
  const nanos = `"${record.time}000000"`;
  const json =
    `{"timeUnixNano":${nanos},"observedTimeUnixNano":${nanos},"severityNumber":${severityNumber(record.level)},` +
    `"severityText":${severityText(record.label)},"body":{"stringValue":${JSON.stringify(record.msg ?? '')}},` +
    `"attributes":[${attributes.json()}]${traceId}${spanId}${flags}}`;
  return { json, service };
}

/** The resource of a record: its logger's, or named by its own `name` field when the logger binds none. */
function resourceOf(service: string | undefined, scope: ScopeOtlp): string {
  return service === undefined ? scope.resource : resourceJson(service, scope.processAttributes);
}

/**
 * OTLP/HTTP JSON: an ExportLogsServiceRequest, records grouped by resource (`service.name`
 * from the logger's `name`, `process.pid` and `host.name` from pino's `pid` and `hostname`).
 * Per the OTLP spec only 429, 502, 503 and 504 are retried;
 * `partialSuccess.rejectedLogRecords` counts that many records as failed, not retried.
 */
export const otlpPreset: HttpPreset = {
  contentType: 'application/json',
  retryable: new Set([429, 502, 503, 504]),
  body(records) {
    // Records grouped by resource, in order; nearly always one group (one process, one name).
    const byResource = new Map<string, string[]>();
    let lastResource = '';
    let list: string[] = [];
    for (const record of records) {
      const r = impl(record);
      const scope = scopeOtlp(r.scope);
      const { json, service } = logRecordJson(r, scope);
      const resource = resourceOf(service, scope);
      if (resource !== lastResource) {
        lastResource = resource;
        list = byResource.get(resource) ?? [];
        byResource.set(resource, list);
      }
      list.push(json);
    }
    let out = '';
    for (const [resource, logRecords] of byResource) {
      out +=
        `${out === '' ? '' : ','}{"resource":${resource},` +
        `"scopeLogs":[{"scope":{"name":"streamlog"},"logRecords":[${logRecords.join(',')}]}]}`;
    }
    return `{"resourceLogs":[${out}]}`;
  },
  classify(response, records): Verdict | undefined {
    if (response.status < 200 || response.status >= 300 || response.body === '') return undefined;
    let rejected = 0;
    let message = 'rejected by the collector';
    try {
      const parsed = JSON.parse(response.body) as {
        partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
      };
      rejected = Number(parsed.partialSuccess?.rejectedLogRecords ?? 0);
      message = parsed.partialSuccess?.errorMessage || message;
    } catch {
      return undefined;
    }
    if (!(rejected > 0)) return undefined;
    // The collector says how many, not which: the last ones count as the rejected.
    const failed = new Map<number, Error>();
    for (let i = Math.max(0, records.length - rejected); i < records.length; i++) failed.set(i, new Error(message));
    return { kind: 'partial', failed, retry: [] };
  },
};
