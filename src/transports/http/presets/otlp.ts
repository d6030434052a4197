import type { LogRecord } from '../../../core/record/log-record.js';
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
    out += `${out ? ',' : ''}{"key":${JSON.stringify(key)},"value":${anyValueJson(object[key])}}`;
  }
  return out;
}

const OWN_KEYS = new Set(['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags']);

function logRecordJson(record: LogRecord, view: Readonly<Record<string, unknown>>): string {
  const nanos = `"${record.time}000000"`;
  let out =
    `{"timeUnixNano":${nanos},"observedTimeUnixNano":${nanos},"severityNumber":${severityNumber(record.level)},` +
    `"severityText":${JSON.stringify(record.label.toUpperCase())},` +
    `"body":{"stringValue":${JSON.stringify(record.msg ?? '')}},` +
    `"attributes":[${attributesJson(view, (key) => OWN_KEYS.has(key) || key === record.messageKey)}]`;
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
      const view = record.view();
      const service = typeof view.name === 'string' ? view.name : 'unknown_service';
      let list = byService.get(service);
      if (!list) {
        list = [];
        byService.set(service, list);
      }
      list.push(logRecordJson(record, view));
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
