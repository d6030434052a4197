import { impl, type LogRecord, type LogRecordImpl, type RecordScope } from '../../../core/record/log-record.js';
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
      return Number.isInteger(value) ? `{"intValue":"${value}"}` : `{"doubleValue":${value}}`;
    case 'object': {
      if (value === null) return '{}';
      if (Array.isArray(value)) return `{"arrayValue":{"values":[${value.map(anyValueJson).join(',')}]}}`;
      return `{"kvlistValue":{"values":[${attributesJson(value as Record<string, unknown>, undefined)}]}}`;
    }
    default:
      return `{"stringValue":${JSON.stringify(String(value))}}`;
  }
}

/** `{"key":…,"value":…}` entries for an object's keys, less the ones in `skip`. */
function attributesJson(object: Record<string, unknown>, skip: ((key: string) => boolean) | undefined): string {
  let out = '';
  for (const key in object) {
    if (skip?.(key)) continue;
    const value = jsonValue(object[key]);
    if (value === undefined) continue;
    out += `${out ? ',' : ''}{"key":${JSON.stringify(key)},"value":${anyValueJson(value)}}`;
  }
  return out;
}

const OWN_KEYS = new Set(['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags']);

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

/** A logger's bindings, parsed once per logger (they are shared by every record it makes). */
const parsedBindings = new WeakMap<RecordScope, Record<string, unknown>>();

function bindingsOf(scope: RecordScope): Record<string, unknown> {
  let bindings = parsedBindings.get(scope);
  if (bindings === undefined) {
    bindings = JSON.parse(`{${scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
    parsedBindings.set(scope, bindings);
  }
  return bindings;
}

/**
 * The record's attributes, read from its bindings, context and fields as they are, with no
 * second walk of the JSON line: the keys the line owns renamed as the line renames them.
 */
function recordAttributes(record: LogRecordImpl): {
  attributes: string;
  trace: Record<string, unknown>;
  name: unknown;
} {
  const core = record.scope.shape.safe.coreKeys;
  const skip = (key: string) => OWN_KEYS.has(key) || key === record.messageKey;
  const rename = (source: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined => {
    if (source === undefined || core === undefined) return source;
    let out: Record<string, unknown> | undefined;
    for (const key in source) {
      if (!core.has(key)) continue;
      out ??= { ...source };
      out[`@${key}`] = out[key];
      delete out[key];
    }
    return out ?? source;
  };
  const bindings = bindingsOf(record.scope);
  const parts = [bindings, rename(record.context?.fields), rename(record.fields)];
  const attributes = parts
    .map((part) => (part === undefined ? '' : attributesJson(part as Record<string, unknown>, skip)))
    .filter((text) => text !== '')
    .join(',');
  const trace = record.traceJson ? (JSON.parse(`{${record.traceJson.slice(1)}}`) as Record<string, unknown>) : {};
  const fields = record.fields ?? {};
  for (const key of ['trace_id', 'span_id', 'trace_flags'])
    if (key in fields && !(key in trace)) trace[key] = fields[key];
  return { attributes, trace, name: bindings.name ?? fields.name };
}

function logRecordJson(record: LogRecord, attributes: string, trace: Record<string, unknown>): string {
  const nanos = `"${record.time}000000"`;
  const view = trace;
  let out =
    `{"timeUnixNano":${nanos},"observedTimeUnixNano":${nanos},"severityNumber":${severityNumber(record.level)},` +
    `"severityText":${JSON.stringify(record.label.toUpperCase())},` +
    `"body":{"stringValue":${JSON.stringify(record.msg ?? '')}},` +
    `"attributes":[${attributes}]`;
  if (typeof view.trace_id === 'string') out += `,"traceId":${JSON.stringify(view.trace_id)}`;
  if (typeof view.span_id === 'string') out += `,"spanId":${JSON.stringify(view.span_id)}`;
  if (typeof view.trace_flags === 'number') out += `,"flags":${view.trace_flags}`;
  return `${out}}`;
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
    const byService = new Map<string, string[]>();
    for (const record of records) {
      const { attributes, trace, name } = recordAttributes(impl(record));
      const service = typeof name === 'string' ? name : 'unknown_service';
      let list = byService.get(service);
      if (!list) {
        list = [];
        byService.set(service, list);
      }
      list.push(logRecordJson(record, attributes, trace));
    }
    const resourceLogs = [...byService].map(
      ([service, logRecords]) =>
        `{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":${JSON.stringify(service)}}}]},` +
        `"scopeLogs":[{"scope":{"name":"streamlog"},"logRecords":[${logRecords.join(',')}]}]}`,
    );
    return `{"resourceLogs":[${resourceLogs.join(',')}]}`;
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
