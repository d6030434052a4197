import type { LevelTable } from '../record/levels.js';
import type { RecordShape } from '../record/shape.js';
import type { FieldPickers } from './field-pickers.js';
import { isAnyDate } from '../util/value-kinds.js';

/** The range a Date can hold: a time outside it cannot be written as ISO text. */
const MAX_TIME = 8.64e15;

const MESSAGE_KEYS = ['msg', 'message'];

/** A record object taken apart: level, time, message and the rest. */
export interface RecordParts {
  level: number;
  time: number;
  msg: string | undefined;
  fields: Record<string, unknown>;
  /** The message was an object (pino writes one as it is), kept as `invalidMessage`. */
  messageObject: boolean;
}

/** The first string message under a common key, taken out of the fields. */
function takeMessage(fields: Record<string, unknown>): string | undefined {
  for (const key of MESSAGE_KEYS) {
    const value = fields[key];
    if (typeof value === 'string') {
      delete fields[key];
      return value;
    }
  }
  return undefined;
}

/**
 * A record given as a plain object (log.stream(), spool replay), taken apart: level, time,
 * message and the rest. A value that cannot serve as one of the first three (an object as
 * the message, a time in year 300,000) is kept as a field with a marker instead:
 * `invalidLevel`, `invalidTime`, `invalidMessage`.
 */
export function splitRecordObject(
  object: Record<string, unknown>,
  shape: RecordShape,
  levels: LevelTable,
  otherMessageKeys: boolean,
): RecordParts {
  const { level: rawLevel, time: rawTime, [shape.messageKey]: read, ...fields } = object;
  // An own key only: a messageKey of `toString` must not read what every object inherits.
  const given = read === undefined || Object.hasOwn(object, shape.messageKey) ? read : undefined;
  // Other loggers' objects name the message `msg` (pino, bunyan) or `message` (winston); a
  // replayed line of our own keeps a `message` field as the field it was.
  const rawMsg = given === undefined && otherMessageKeys ? takeMessage(fields) : given;
  return settle(rawLevel, rawTime, rawMsg, fields, levels);
}

/**
 * splitRecordObject for an object that came out of JSON.parse (a log.stream() line): the
 * same parts, the fields in the same key order, copied by `pickers` with no rest spread
 * (a slow generic copy) and no delete (which would make the copy a dictionary).
 */
export function splitParsedObject(
  object: Record<string, unknown>,
  shape: RecordShape,
  levels: LevelTable,
  pickers: FieldPickers,
): RecordParts {
  const messageKey = shape.messageKey;
  let taken = messageKey;
  let msg = object[messageKey];
  // An own key only: a messageKey of `toString` must not read what every object inherits.
  if (msg !== undefined && !Object.hasOwn(object, messageKey)) msg = undefined;
  if (msg === undefined) {
    for (const key of MESSAGE_KEYS) {
      if (key !== messageKey && typeof object[key] === 'string') {
        taken = key;
        msg = object[key];
        break;
      }
    }
  }
  return settle(object.level, object.time, msg, pickers.fields(object, taken), levels);
}

const MAX_LEVEL = 1000;

/**
 * A producer's level name: as the table has it, else in lower case (`"WARN"`, as the config
 * reads level names), or Python's and syslog's `warning`.
 */
function levelNamed(name: string, levels: LevelTable): number | undefined {
  const exact = levels.readBack(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  return levels.readBack(lower === 'warning' ? 'warn' : lower);
}

function settle(
  rawLevel: unknown,
  rawTime: unknown,
  rawMsg: unknown,
  fields: Record<string, unknown>,
  levels: LevelTable,
): RecordParts {
  let level: number | undefined;
  // A level is a whole number from 0 to 1000, as the config's are: a producer's 1e308 or 30.5
  // was taken as it came (a record above fatal that every filter lets through).
  if (typeof rawLevel === 'number' && Number.isInteger(rawLevel) && rawLevel >= 0 && rawLevel <= MAX_LEVEL) {
    level = rawLevel;
  } else if (typeof rawLevel === 'string') level = levelNamed(rawLevel, levels);
  if (level === undefined) {
    // Looked up only when the record has no usable level of its own.
    level = levels.builtin('info');
    if (rawLevel !== undefined) fields.invalidLevel = rawLevel;
  }
  let time =
    typeof rawTime === 'number'
      ? rawTime
      : typeof rawTime === 'string'
        ? Date.parse(rawTime)
        : isAnyDate(rawTime)
          ? rawTime.getTime()
          : Number.NaN;
  if (!(Math.abs(time) <= MAX_TIME)) {
    if (rawTime !== undefined) fields.invalidTime = rawTime;
    time = Date.now();
  }
  let msg: string | undefined;
  if (typeof rawMsg === 'string') msg = rawMsg;
  else if (typeof rawMsg === 'number' || typeof rawMsg === 'boolean') msg = String(rawMsg);
  else if (rawMsg !== undefined) fields.invalidMessage = rawMsg;
  return { level, time, msg, fields, messageObject: msg === undefined && rawMsg !== undefined };
}
