import type { LevelTable } from './levels.js';
import { quote, type SafeOptions } from './serialize.js';

export type TimestampMode = 'epoch' | 'iso' | false;
/**
 * How the level is written: its number, its name, or the JSON entries a function gives for
 * a level (pino's formatters.level, made into text once per level, never per record).
 */
export type LevelFormat = 'number' | 'label' | ((label: string, value: number) => string);

/** How a line ends, and pino's hooks.streamWrite, which sees each line as built and gives the line written. */
export interface LineOptions {
  /** pino's crlf: lines end in "\r\n" instead of "\n". */
  crlf?: boolean;
  /** pino's hooks.streamWrite: undefined when not configured (the line is then used as built). */
  streamWrite?: (line: string) => string;
  /** The keys pino's formatters.level writes, which a line read back holds as its level. */
  levelKeys?: ReadonlySet<string>;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** Settings shared by a logger tree that decide the JSON shape, precomputed once. */
export class RecordShape {
  readonly messageKey: string;
  private readonly messageKeyJson: string;
  private readonly prefixes = new Map<number, string>();
  /** What ends every line: "\n", or "\r\n" with pino's crlf. */
  readonly end: string;
  /** The object's close and the line's end, joined once: `}\n`. */
  private readonly close: string;
  /** pino's hooks.streamWrite (undefined: none, and the line is used as built). */
  readonly streamWrite: ((line: string) => string) | undefined;
  /** The keys formatters.level writes (none for "number" and "label"). */
  readonly levelKeys: ReadonlySet<string>;

  constructor(
    readonly levels: LevelTable,
    readonly timestamp: TimestampMode,
    readonly levelFormat: LevelFormat,
    messageKey: string,
    readonly safe: SafeOptions,
    lines: LineOptions = {},
  ) {
    this.messageKey = messageKey;
    this.messageKeyJson = ',' + quote(messageKey) + ':';
    this.end = lines.crlf === true ? '\r\n' : '\n';
    this.streamWrite = lines.streamWrite;
    this.levelKeys = lines.levelKeys ?? NO_KEYS;
    this.close = '}' + this.end;
    this.lastMessageTail = this.close;
    for (const value of Object.values(levels.values)) this.prefixes.set(value, this.buildPrefix(value));
  }

  /**
   * The shape for lines read back (a spool): their base keys are already fields of their
   * own, so only level, time and the message key stay reserved. They end as this shape's
   * lines do; hooks.streamWrite already saw them when they were first built, so it is left out.
   */
  forReplay(): RecordShape {
    const coreKeys = new Set(['level', 'time', this.messageKey]);
    const safe = { ...this.safe, coreKeys };
    return new RecordShape(this.levels, this.timestamp, this.levelFormat, this.messageKey, safe, {
      crlf: this.end === '\r\n',
      levelKeys: this.levelKeys,
    });
  }

  /**
   * A line read back that formatters.level wrote: those fields taken out and the level's
   * number put in their place, so the record made again writes them once, from its number
   * (they came back as fields, and were written twice).
   */
  readWrittenLevel(object: Record<string, unknown>): void {
    if (this.levelKeys.size === 0) return;
    // The fields first: a formatter may write a number of its own under `level` (a severity).
    const level = this.levelWritten(object);
    if (level !== undefined) {
      for (const key of this.levelKeys) delete object[key];
      object.level = level;
      return;
    }
    // No level writes these fields (the formatter changed since the line was parked): its
    // `level`, if any, is read as any line's, and the rest kept under invalidLevel.
    const other: Record<string, unknown> = {};
    for (const key of this.levelKeys) {
      if (key === 'level' || !Object.hasOwn(object, key)) continue;
      other[key] = object[key];
      delete object[key];
    }
    if (Object.keys(other).length > 0) object.invalidLevel = other;
  }

  /**
   * The level whose formatters.level fields the object holds, a child's own included; of two
   * written alike (trace and debug both "DEBUG"), the higher, so the record is not taken for
   * less than it was.
   */
  private levelWritten(object: Record<string, unknown>): number | undefined {
    let found: number | undefined;
    for (const value of this.levels.numbers()) {
      if (found !== undefined && value <= found) continue;
      const written = this.writtenFields(value);
      if (written === undefined) continue;
      const same = (key: string) => JSON.stringify(written[key]) === JSON.stringify(object[key]);
      if (Object.keys(written).every(same)) found = value;
    }
    return found;
  }

  private readonly written = new Map<number, Record<string, unknown> | undefined>();

  /** The fields formatters.level writes for a level, as a line read back holds them (made once). */
  private writtenFields(value: number): Record<string, unknown> | undefined {
    if (this.written.has(value)) return this.written.get(value);
    let fields: Record<string, unknown> | undefined;
    try {
      fields = JSON.parse(`${this.prefix(value)}}`) as Record<string, unknown>;
    } catch {
      fields = undefined;
    }
    this.written.set(value, fields);
    return fields;
  }

  /** The shape of a child with level names of its own (pino's child customLevels): the same lines, its names. */
  withLevels(levels: LevelTable): RecordShape {
    return new RecordShape(levels, this.timestamp, this.levelFormat, this.messageKey, this.safe, {
      crlf: this.end === '\r\n',
      streamWrite: this.streamWrite,
      levelKeys: this.levelKeys,
    });
  }

  private buildPrefix(level: number): string {
    const format = this.levelFormat;
    if (typeof format === 'function') {
      try {
        return '{' + format(this.levels.label(level), level);
      } catch {
        // A level the formatter was not tried on at construction, and it threw: the number stands.
        return `{"level":${level}`;
      }
    }
    return format === 'label' ? `{"level":${quote(this.levels.label(level))}` : `{"level":${level}`;
  }

  prefix(level: number): string {
    return this.prefixes.get(level) ?? this.buildPrefix(level);
  }

  private lastTime = Number.NaN;
  private lastTimeJson = '';

  /** The time fragment; records come in bursts within one millisecond, so the last one is kept. */
  timeJson(time: number): string {
    if (time === this.lastTime) return this.lastTimeJson;
    let json = '';
    if (this.timestamp === 'epoch') json = this.epochJson(time);
    else if (this.timestamp === 'iso') json = ',"time":' + isoJson(time);
    this.lastTime = time;
    this.lastTimeJson = json;
    return json;
  }

  private lastSecond = Number.NaN;
  private lastSecondJson = '';

  /** `,"time":1700000000123`, made as the head makes it (see secondOf). */
  private epochJson(time: number): string {
    const second = secondOf(time);
    if (second < 0) return ',"time":' + time;
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      this.lastSecondJson = ',"time":' + second;
    }
    return this.lastSecondJson + THREE_DIGITS[time - second * 1000];
  }

  private lastMessage: string | undefined = undefined;
  private lastMessageTail: string;

  /** The message fragment (`,"msg":"…"`, or '' without one). */
  messageJson(msg: string | undefined): string {
    return msg === undefined ? '' : this.messageKeyJson + quote(msg);
  }

  /**
   * The end of a line: the message fragment, `}` and the line end. A call site logs the same text again
   * and again, so the last one is kept (one string fewer per record, and no re-quoting).
   */
  messageTail(msg: string | undefined): string {
    if (msg === this.lastMessage) return this.lastMessageTail;
    const tail = this.messageJson(msg) + this.close;
    this.lastMessage = msg;
    this.lastMessageTail = tail;
    return tail;
  }

  private lastHeadLevel = Number.NaN;
  private lastHeadTime = Number.NaN;
  /** The scope of the last head: scopes are never changed (setBindings makes a new one), so its bindings too. */
  private lastHeadScope: object | undefined = undefined;
  private lastHead = '';
  private lastHeadSecond = Number.NaN;
  private lastHeadSecondLevel = Number.NaN;
  private lastHeadSecondJson = '';

  /**
   * `{"level":30,"time":…` and the bindings: the same for a burst of records from one logger,
   * so the last is kept, for the logger's scope. Not for bindings of the same text from
   * another scope: a child made per request has its bindings as a new rope, which comparing
   * by text would flatten (an eighth of a record's time when each child logs once), where
   * making the head again only joins three pieces.
   */
  head(level: number, time: number, scope: { readonly bindingsJson: string }): string {
    if (level === this.lastHeadLevel && time === this.lastHeadTime && scope === this.lastHeadScope)
      return this.lastHead;
    const bindingsJson = scope.bindingsJson;
    let head: string;
    const second = this.timestamp === 'epoch' ? secondOf(time) : -1;
    if (second >= 0) {
      // Records read back from a log are a millisecond apart: the text up to the second is kept.
      if (second !== this.lastHeadSecond || level !== this.lastHeadSecondLevel) {
        this.lastHeadSecond = second;
        this.lastHeadSecondLevel = level;
        this.lastHeadSecondJson = this.prefix(level) + ',"time":' + second;
      }
      head = this.lastHeadSecondJson + THREE_DIGITS[time - second * 1000] + bindingsJson;
    } else head = this.prefix(level) + this.timeJson(time) + bindingsJson;
    this.lastHeadLevel = level;
    this.lastHeadTime = time;
    this.lastHeadScope = scope;
    this.lastHead = head;
    return head;
  }
}

/** "000" to "999": the milliseconds of an epoch time, made once. */
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));
/** Up to here `second + THREE_DIGITS[ms]` is exactly the time's text (and far beyond any real date). */
const MAX_SPLIT_TIME = 1e15;

/**
 * The whole seconds of an epoch time whose text is those seconds' text and three digits
 * of milliseconds (a whole number from 1000 on), else -1. Turning a double such as
 * 1700000000123 into text costs more than all else in a line's head; a second's text is
 * made once and the milliseconds come from a table.
 */
function secondOf(time: number): number {
  if (!(time >= 1000 && time <= MAX_SPLIT_TIME) || Math.floor(time) !== time) return -1;
  const second = Math.floor(time / 1000);
  const ms = time - second * 1000;
  return ms >= 0 && ms < 1000 ? second : -1;
}

/** ISO text of a time, or null for one a Date cannot hold (never throws). */
function isoJson(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? 'null' : '"' + date.toISOString() + '"';
}
