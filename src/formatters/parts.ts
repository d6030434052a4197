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
  // An own key only: a messageKey of `toString` must not read what every object inherits.
  const msgValue = hasOwn.call(view, messageKey) ? view[messageKey] : undefined;
  const name = view.name;
  const hasName = typeof name === 'string';
  const base = baseMask(record);
  const fieldKeys: string[] = [];
  // Own keys only, as the JSON line: a polluted Object.prototype shows nowhere.
  for (const key in view) {
    if (hasOwn.call(view, key) && !isHeaderKey(key, messageKey, hasName, base)) fieldKeys.push(key);
  }
  const rewritten = lineRewritten(record);
  const time = rewritten ? lineTime(view) : !record.timestamped ? undefined : record.time;
  // A `time` the head cannot show (a line's `"garbage"`, a custom timestamp's text) is shown as
  // a field: before, it was shown nowhere.
  if (time === undefined && hasOwn.call(view, 'time') && view.time !== undefined) fieldKeys.unshift('time');
  return {
    time,
    label: rewritten ? lineLabel(record, view) : record.label,
    msg: msgValue === undefined ? undefined : String(msgValue),
    name: hasName ? name : undefined,
    pid: (base & PID) !== 0 ? view.pid : undefined,
    hostname: (base & HOSTNAME) !== 0 ? view.hostname : undefined,
    fieldKeys,
    view,
  };
}

/**
 * Whether pino's `hooks.streamWrite` gave the record's line: the level and time it shows
 * are then the line's (`view`), which the hook may have changed, not the record's own.
 */
export function lineRewritten(record: LogRecord): boolean {
  return (record as Partial<LogRecordImpl>).scope?.shape.streamWrite !== undefined;
}

/** The level's name as the line has it: a number by the logger's levels, a name as it is. */
export function lineLabel(record: LogRecord, view: Readonly<Record<string, unknown>>): string {
  const level = view.level;
  if (typeof level === 'number') return (record as LogRecordImpl).scope.shape.levels.label(level);
  return typeof level === 'string' ? level : 'level ?';
}

/** The line's time: epoch milliseconds, or ISO text read as such; undefined when it has none. */
export function lineTime(view: Readonly<Record<string, unknown>>): number | undefined {
  const time = view.time;
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

let lastTime = Number.NaN;
let lastIso = '';

/** ISO time, remembered for the last millisecond seen (records come in bursts). */
/** Which of pid (1) and hostname (2) are the line's base entries: both for a record of no logger of ours. */
export type BaseMask = number;
export const PID = 1;
export const HOSTNAME = 2;

let lastKeys: ReadonlySet<string> | undefined | null = null;
let lastMask: BaseMask = PID | HOSTNAME;

/**
 * Are `pid` and `hostname` the line's base entries (shown in the head, or left out without
 * showBase)? Not when the logger's base has no such key (`base: null`): it is then a field
 * the call gave, and shown as every other field is. A record of no logger of ours (a line
 * read by the command) takes them for its producer's. Records come by the thousand from one
 * logger: the answer is kept for the last one's keys.
 */
export function baseMask(record: LogRecord): BaseMask {
  const keys = (record as Partial<LogRecordImpl>).scope?.shape.safe.coreKeys;
  if (keys !== lastKeys) {
    lastKeys = keys;
    lastMask =
      keys === undefined ? PID | HOSTNAME : (keys.has('pid') ? PID : 0) | (keys.has('hostname') ? HOSTNAME : 0);
  }
  return lastMask;
}

/** Keys the text formats show in the line's head, not among the fields. */
export function isHeaderKey(key: string, messageKey: string, hasName: boolean, base: BaseMask): boolean {
  return (
    key === 'level' ||
    key === 'time' ||
    key === messageKey ||
    (key === 'pid' && (base & PID) !== 0) ||
    (key === 'hostname' && (base & HOSTNAME) !== 0) ||
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
