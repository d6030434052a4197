import type { LogRecord } from '../../../core/record/log-record.js';
import { LineEntries } from './line-entries.js';
import {
  ATTRIBUTE,
  HOSTNAME,
  kindOf,
  PID,
  resourceOf,
  SERVICE,
  SPAN_ID,
  severityJson,
  TRACE_FLAGS,
  TRACE_ID,
} from './otlp-keys.js';
import { AttributeList, rawAnyValue } from './otlp-values.js';
import { unixNanos } from './unix-nanos.js';

const entries = new LineEntries();
const attributes = new AttributeList();

/** What reading the last line found besides its attributes (one, reused: a body is built without yielding). */
let traceId = '';
let spanId = '';
let flags = '';
let service: string | undefined;
let pid: string | undefined;
let hostname: string | undefined;

let lastMessageKey = '';
let quotedMessageKey = '""';
let lastTime = Number.NaN;
let lastTimes = '';
let lastMsg: string | undefined;
let lastMsgJson = '""';

/**
 * Reads a line entry by entry. Of a key the line repeats, the last value, as JSON.parse reads
 * it; an attribute keeps its first place.
 */
function readEntries(line: string): void {
  traceId = '';
  spanId = '';
  flags = '';
  service = undefined;
  pid = undefined;
  hostname = undefined;
  attributes.clear();
  const reader = entries.read(line);
  while (reader.next()) {
    const value = reader.value;
    const kind = kindOf(reader.key, quotedMessageKey);
    if (kind === ATTRIBUTE) attributes.set(reader.key, rawAnyValue(value));
    else if (kind === SERVICE) service = value;
    else if (kind === PID) pid = value;
    else if (kind === HOSTNAME) hostname = value;
    else {
      const isString = value.charCodeAt(0) === 34;
      if (kind === TRACE_ID) traceId = isString ? `,"traceId":${value}` : '';
      else if (kind === SPAN_ID) spanId = isString ? `,"spanId":${value}` : '';
      else if (kind === TRACE_FLAGS) flags = /^\d+$/.test(value) ? `,"flags":${value}` : '';
    }
  }
}

/**
 * One record as an OTLP LogRecord, read from its JSON line: the line holds the values as
 * they were at the log call (a caller may change its objects right after), and its keys and
 * strings are copied as they are, never parsed and re-encoded. Only the public record is
 * used. `recordResource()` then gives the resource the line names.
 */
export function logRecordJson(record: LogRecord): string {
  if (record.messageKey !== lastMessageKey) {
    lastMessageKey = record.messageKey;
    quotedMessageKey = JSON.stringify(record.messageKey);
  }
  readEntries(record.json());
  // Records come in bursts within one millisecond, and with one message.
  if (record.time !== lastTime) {
    lastTime = record.time;
    const nanos = unixNanos(record.time);
    lastTimes = `{"timeUnixNano":"${nanos}","observedTimeUnixNano":"${nanos}",`;
  }
  if (record.msg !== lastMsg) {
    lastMsg = record.msg;
    lastMsgJson = JSON.stringify(record.msg ?? '');
  }
  return (
    `${lastTimes}${severityJson(record.level, record.label)},"body":{"stringValue":${lastMsgJson}},` +
    `"attributes":[${attributes.json()}]${traceId}${spanId}${flags}}`
  );
}

/** The resource of the last record read: `service.name` from its `name`, and its `pid` and `hostname`. */
export function recordResource(): string {
  return resourceOf(service, pid, hostname);
}
