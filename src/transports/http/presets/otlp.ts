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

/** A JSON value as an OTLP AnyValue. */
function anyValue(value: unknown): Record<string, unknown> {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    case 'object':
      if (value === null) return {};
      if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
      return { kvlistValue: { values: attributes(value as Record<string, unknown>) } };
    default:
      return { stringValue: String(value) };
  }
}

function attributes(object: Record<string, unknown>): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(object).map(([key, value]) => ({ key, value: anyValue(value) }));
}

const OWN_KEYS = new Set(['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags']);

function logRecord(record: LogRecord): Record<string, unknown> {
  const view = record.view();
  const rest: Record<string, unknown> = {};
  for (const key in view) if (!OWN_KEYS.has(key) && key !== record.messageKey) rest[key] = view[key];
  const out: Record<string, unknown> = {
    timeUnixNano: `${record.time}000000`,
    observedTimeUnixNano: `${record.time}000000`,
    severityNumber: severityNumber(record.level),
    severityText: record.label.toUpperCase(),
    body: { stringValue: record.msg ?? '' },
    attributes: attributes(rest),
  };
  if (typeof view.trace_id === 'string') out.traceId = view.trace_id;
  if (typeof view.span_id === 'string') out.spanId = view.span_id;
  if (typeof view.trace_flags === 'number') out.flags = view.trace_flags;
  return out;
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
    const byService = new Map<string, Record<string, unknown>[]>();
    for (const record of records) {
      const name = record.view().name;
      const service = typeof name === 'string' ? name : 'unknown_service';
      let list = byService.get(service);
      if (!list) {
        list = [];
        byService.set(service, list);
      }
      list.push(logRecord(record));
    }
    const resourceLogs = [...byService].map(([service, logRecords]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeLogs: [{ scope: { name: 'streamlog' }, logRecords }],
    }));
    return JSON.stringify({ resourceLogs });
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
