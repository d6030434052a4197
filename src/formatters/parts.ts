import type { LogRecord, LogRecordImpl } from '../core/record/log-record.js';
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
  const owned = lineKeys(record);
  const fieldKeys: string[] = [];
  // Own keys only, as the JSON line: a polluted Object.prototype shows nowhere.
  for (const key in view) {
    if (hasOwn.call(view, key) && !isHeaderKey(key, messageKey, hasName, owned)) fieldKeys.push(key);
  }
  return {
    time: !record.timestamped ? undefined : record.time,
    label: record.label,
    msg: msgValue === undefined ? undefined : String(msgValue),
    name: hasName ? name : undefined,
    pid: isBaseKey('pid', owned) ? view.pid : undefined,
    hostname: isBaseKey('hostname', owned) ? view.hostname : undefined,
    fieldKeys,
    view,
  };
}

let lastTime = Number.NaN;
let lastIso = '';

/** ISO time, remembered for the last millisecond seen (records come in bursts). */
/**
 * The keys a record's logger owns in its lines (level, time, the message key, its base keys),
 * or undefined for a record of no logger of ours (a line read by the command), whose `pid` and
 * `hostname` are taken for its producer's.
 */
export function lineKeys(record: LogRecord): ReadonlySet<string> | undefined {
  return (record as Partial<LogRecordImpl>).scope?.shape.safe.coreKeys;
}

/**
 * Is `pid` or `hostname` the line's base entry (shown in the head, or left out without
 * showBase)? Not when the logger's base has no such key (`base: null`): it is then a field
 * the call gave, and shown as every other field is.
 */
export function isBaseKey(key: 'pid' | 'hostname', owned: ReadonlySet<string> | undefined): boolean {
  return owned === undefined || owned.has(key);
}

/** Keys the text formats show in the line's head, not among the fields. */
export function isHeaderKey(
  key: string,
  messageKey: string,
  hasName: boolean,
  owned: ReadonlySet<string> | undefined,
): boolean {
  return (
    key === 'level' ||
    key === 'time' ||
    key === messageKey ||
    ((key === 'pid' || key === 'hostname') && isBaseKey(key, owned)) ||
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
