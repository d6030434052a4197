import type { LogRecord } from '../core/record/log-record.js';
import { sharedView } from '../core/record/object-form.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** A record taken apart for human-oriented formatters. */
export interface RecordParts {
  time: number | undefined;
  label: string;
  msg: string | undefined;
  name: string | undefined;
  pid: unknown;
  hostname: unknown;
  /** Keys of `view` other than the ones above, in line order. */
  fieldKeys: string[];
  /** The record's shared parsed view (redacted, errors serialised); read only. */
  view: Readonly<Record<string, unknown>>;
}

export function recordParts(record: LogRecord): RecordParts {
  const view = sharedView(record);
  const messageKey = record.messageKey;
  const msgValue = view[messageKey];
  const name = view.name;
  const hasName = typeof name === 'string';
  const fieldKeys: string[] = [];
  // Own keys only, as the JSON line: a polluted Object.prototype shows nowhere.
  for (const key in view) if (hasOwn.call(view, key) && !isHeaderKey(key, messageKey, hasName)) fieldKeys.push(key);
  return {
    time: !record.timestamped ? undefined : record.time,
    label: record.label,
    msg: msgValue === undefined ? undefined : String(msgValue),
    name: hasName ? name : undefined,
    pid: view.pid,
    hostname: view.hostname,
    fieldKeys,
    view,
  };
}

let lastTime = Number.NaN;
let lastIso = '';

/** ISO time, remembered for the last millisecond seen (records come in bursts). */
/** Keys the text formats show in the line's head, not among the fields. */
export function isHeaderKey(key: string, messageKey: string, hasName: boolean): boolean {
  return (
    key === 'level' ||
    key === 'time' ||
    key === messageKey ||
    key === 'pid' ||
    key === 'hostname' ||
    (hasName && key === 'name')
  );
}

export function isoTime(time: number): string {
  if (time !== lastTime) {
    lastTime = time;
    lastIso = new Date(time).toISOString();
  }
  return lastIso;
}
