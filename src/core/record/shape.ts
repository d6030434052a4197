import type { LevelTable } from './levels.js';
import { quote, type SafeOptions } from './serialize.js';

export type TimestampMode = 'epoch' | 'iso' | false;
/**
 * How the level is written: its number, its name, or the JSON entries a function gives for
 * a level (pino's formatters.level, made into text once per level, never per record).
 */
export type LevelFormat = 'number' | 'label' | ((label: string, value: number) => string);

/** Settings shared by a logger tree that decide the JSON shape, precomputed once. */
export class RecordShape {
  readonly messageKey: string;
  private readonly messageKeyJson: string;
  private readonly prefixes = new Map<number, string>();

  constructor(
    readonly levels: LevelTable,
    readonly timestamp: TimestampMode,
    readonly levelFormat: LevelFormat,
    messageKey: string,
    readonly safe: SafeOptions,
  ) {
    this.messageKey = messageKey;
    this.messageKeyJson = ',' + quote(messageKey) + ':';
    for (const value of Object.values(levels.values)) this.prefixes.set(value, this.buildPrefix(value));
  }

  /**
   * The shape for lines read back (a spool): their base keys are already fields of their
   * own, so only level, time and the message key stay reserved.
   */
  forReplay(): RecordShape {
    const coreKeys = new Set(['level', 'time', this.messageKey]);
    return new RecordShape(this.levels, this.timestamp, this.levelFormat, this.messageKey, { ...this.safe, coreKeys });
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

  private lastMillionth = Number.NaN;
  private lastMillionthJson = '';

  /**
   * `,"time":1700000000123`. Times a few apart (records read back from a log, one per
   * millisecond) share their leading digits: those are kept, and only the last six are made
   * from a small integer, which costs a third of turning the whole double into text.
   */
  private epochJson(time: number): string {
    if (!(time >= 1e6 && time <= Number.MAX_SAFE_INTEGER && Math.floor(time) === time)) return ',"time":' + time;
    const millionth = Math.floor(time / 1e6);
    if (millionth !== this.lastMillionth) {
      this.lastMillionth = millionth;
      this.lastMillionthJson = ',"time":' + millionth;
    }
    // 1e6 + the last six digits is a small integer whose text after its "1" is those digits, zero-padded.
    return this.lastMillionthJson + String(1e6 + (time - millionth * 1e6)).slice(1);
  }

  private lastMessage: string | undefined = undefined;
  private lastMessageTail = '}\n';

  /** The message fragment (`,"msg":"…"`, or '' without one). */
  messageJson(msg: string | undefined): string {
    return msg === undefined ? '' : this.messageKeyJson + quote(msg);
  }

  /**
   * The end of a line: the message fragment and `}\n`. A call site logs the same text again
   * and again, so the last one is kept (one string fewer per record, and no re-quoting).
   */
  messageTail(msg: string | undefined): string {
    if (msg === this.lastMessage) return this.lastMessageTail;
    const tail = this.messageJson(msg) + '}\n';
    this.lastMessage = msg;
    this.lastMessageTail = tail;
    return tail;
  }

  private lastHeadLevel = Number.NaN;
  private lastHeadTime = Number.NaN;
  private lastHeadBindings = '';
  private lastHead = '';

  /** `{"level":30,"time":…` and the bindings: the same for a burst of records from one logger, so the last is kept. */
  head(level: number, time: number, bindingsJson: string): string {
    if (level === this.lastHeadLevel && time === this.lastHeadTime && bindingsJson === this.lastHeadBindings) {
      return this.lastHead;
    }
    const head = this.prefix(level) + this.timeJson(time) + bindingsJson;
    this.lastHeadLevel = level;
    this.lastHeadTime = time;
    this.lastHeadBindings = bindingsJson;
    this.lastHead = head;
    return head;
  }
}

/** ISO text of a time, or null for one a Date cannot hold (never throws). */
function isoJson(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? 'null' : '"' + date.toISOString() + '"';
}
