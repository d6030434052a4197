import { impl, type LogRecordImpl, type RecordScope } from '../../../core/record/log-record.js';
import { isPlainTree, valueJson } from '../../../core/record/serialize.js';
import type { HttpPreset, Verdict } from '../preset.js';

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
      const entries = appendAttributes('', value as Record<string, unknown>, undefined, undefined);
      return `{"kvlistValue":{"values":[${entries}]}}`;
    }
    default:
      return `{"stringValue":${JSON.stringify(String(value))}}`;
  }
}

/** Keys the record's own OTLP fields carry (or the resource does), never repeated as attributes. */
const OWN_KEYS = new Set(['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags']);

/** Attribute keys as JSON strings: the same few keys come back in every record. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 4096;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * `out` with `{"key":…,"value":…}` entries added for an object's keys: a key the JSON line
 * renames (a field named like a core key) renamed the same way, the record's own keys and
 * the message key left out (`messageKey` undefined inside nested values: nothing left out).
 */
function appendAttributes(
  out: string,
  object: Readonly<Record<string, unknown>>,
  core: ReadonlySet<string> | undefined,
  messageKey: string | undefined,
): string {
  for (const key in object) {
    const name = core?.has(key) ? `@${key}` : key;
    if (messageKey !== undefined && (name === messageKey || OWN_KEYS.has(name))) continue;
    const value = jsonValue(object[key]);
    if (value === undefined) continue;
    out += `${out === '' ? '' : ','}{"key":${quotedKey(name)},"value":${anyValueJson(value)}}`;
  }
  return out;
}

/**
 * A value as JSON would have it: plain trees as they are, anything else (a Date, an Error, a
 * Map, a Buffer) through the serialiser; undefined where JSON leaves the key out.
 */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return undefined;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null || isPlainTree(value)) return value;
  const json = valueJson(value);
  return json === undefined ? undefined : JSON.parse(json);
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
  /** The other bindings as attribute entries. */
  attributes: string;
  /** Whether `name` is bound (otherwise a record's own `name` field names the service). */
  named: boolean;
}

const scopes = new WeakMap<RecordScope, ScopeOtlp>();

function resourceJson(service: unknown, processAttributes: Record<string, unknown>): string {
  const name = JSON.stringify(typeof service === 'string' ? service : 'unknown_service');
  const attributes = appendAttributes(
    `{"key":"service.name","value":{"stringValue":${name}}}`,
    processAttributes,
    undefined,
    undefined,
  );
  return `{"attributes":[${attributes}]}`;
}

function scopeOtlp(scope: RecordScope): ScopeOtlp {
  let cached = scopes.get(scope);
  if (cached !== undefined) return cached;
  const bindings = JSON.parse(`{${scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
  // Without a prototype, a binding named __proto__ is a key like any other, not a parent.
  const processAttributes: Record<string, unknown> = Object.create(null);
  const rest: Record<string, unknown> = Object.create(null);
  for (const key in bindings) {
    const resourceKey = RESOURCE_BINDINGS.get(key);
    if (resourceKey !== undefined) processAttributes[resourceKey] = bindings[key];
    else rest[key] = bindings[key];
  }
  cached = {
    resource: resourceJson(bindings.name, processAttributes),
    attributes: appendAttributes('', rest, undefined, scope.shape.messageKey),
    named: 'name' in bindings,
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

/** The trace ids: from the active span taken at the log call, or the record's own fields. */
function traceJson(record: LogRecordImpl): string {
  const fields = record.fields;
  if (record.traceJson === '' && (fields === undefined || !('trace_id' in fields || 'span_id' in fields))) return '';
  const trace = record.traceJson ? (JSON.parse(`{${record.traceJson.slice(1)}}`) as Record<string, unknown>) : {};
  if (fields !== undefined)
    for (const key of ['trace_id', 'span_id', 'trace_flags'])
      if (key in fields && !(key in trace)) trace[key] = fields[key];
  let out = '';
  if (typeof trace.trace_id === 'string') out += `,"traceId":${JSON.stringify(trace.trace_id)}`;
  if (typeof trace.span_id === 'string') out += `,"spanId":${JSON.stringify(trace.span_id)}`;
  if (typeof trace.trace_flags === 'number') out += `,"flags":${trace.trace_flags}`;
  return out;
}

/**
 * One record as an OTLP LogRecord, read from its bindings (worked out once per logger),
 * context and fields as they are: no second walk of the JSON line.
 */
function logRecordJson(record: LogRecordImpl, scope: ScopeOtlp): string {
  const core = record.scope.shape.safe.coreKeys;
  const messageKey = record.messageKey;
  let attributes = scope.attributes;
  if (record.context !== undefined) attributes = appendAttributes(attributes, record.context.fields, core, messageKey);
  if (record.fields !== undefined) attributes = appendAttributes(attributes, record.fields, core, messageKey);
  const nanos = `"${record.time}000000"`;
  return (
    `{"timeUnixNano":${nanos},"observedTimeUnixNano":${nanos},"severityNumber":${severityNumber(record.level)},` +
    `"severityText":${severityText(record.label)},"body":{"stringValue":${JSON.stringify(record.msg ?? '')}},` +
    `"attributes":[${attributes}]${traceJson(record)}}`
  );
}

/** The resource of a record whose logger binds no `name`: its own `name` field names the service. */
function resourceOf(record: LogRecordImpl, scope: ScopeOtlp): string {
  if (scope.named || record.fields === undefined || typeof record.fields.name !== 'string') return scope.resource;
  const bindings = JSON.parse(`{${record.scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
  const processAttributes: Record<string, unknown> = Object.create(null);
  for (const [key, resourceKey] of RESOURCE_BINDINGS)
    if (key in bindings) processAttributes[resourceKey] = bindings[key];
  return resourceJson(record.fields.name, processAttributes);
}

/**
 * OTLP/HTTP JSON: an ExportLogsServiceRequest, records grouped by `service.name` (the
 * logger's `name`). Per the OTLP spec only 429, 502, 503 and 504 are retried;
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
      const resource = resourceOf(r, scope);
      if (resource !== lastResource) {
        lastResource = resource;
        list = byResource.get(resource) ?? [];
        byResource.set(resource, list);
      }
      list.push(logRecordJson(r, scope));
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
