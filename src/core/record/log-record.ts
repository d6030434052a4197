import type { ContextFrame } from './context.js';
import type { LevelTable } from './levels.js';
import type { Redactor } from './redact.js';
import { fieldsJson, quote, type SafeOptions } from './serialize.js';

/** Turns a record into one output line (ending in "\n"). */
export interface Formatter {
  readonly name: string;
  format(record: LogRecord): string;
}

export type TimestampMode = 'epoch' | 'iso' | false;
export type LevelFormat = 'number' | 'label';

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

  private buildPrefix(level: number): string {
    return this.levelFormat === 'label' ? `{"level":${quote(this.levels.label(level))}` : `{"level":${level}`;
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
    if (this.timestamp === 'epoch') json = ',"time":' + time;
    else if (this.timestamp === 'iso') json = ',"time":"' + new Date(time).toISOString() + '"';
    this.lastTime = time;
    this.lastTimeJson = json;
    return json;
  }

  messageJson(msg: string | undefined): string {
    return msg === undefined ? '' : this.messageKeyJson + quote(msg);
  }
}

/** What a logger (or child) contributes to each of its records. */
export interface RecordScope {
  readonly shape: RecordShape;
  /** `,"pid":1,"hostname":"h","name":"api","reqId":"r1"`: base and bindings, serialised once. */
  readonly bindingsJson: string;
  readonly redactor: Redactor | undefined;
}

/**
 * One log event, built once per call and shared by every transport. Formatted output is
 * cached per formatter, so two transports with the same format pay for it once.
 */
export class LogRecord {
  private firstFormatter: Formatter | undefined = undefined;
  private firstOutput = '';
  private moreOutputs: Map<Formatter, string> | undefined = undefined;
  private jsonLine: string | undefined = undefined;
  /** Routing bookkeeping, owned by the router: targets sent to, and which failed and why. */
  sentTo = 0;
  reasons: { target: string; error: Error }[] | undefined = undefined;
  reported = false;
  /** Made by the logger itself (drop summaries, validation warnings), not by the application. */
  internal = false;

  constructor(
    readonly level: number,
    readonly time: number,
    readonly msg: string | undefined,
    /** Call-site fields, already redacted; Error values are serialised when formatted. */
    readonly fields: Readonly<Record<string, unknown>> | undefined,
    readonly scope: RecordScope,
    readonly context: ContextFrame | undefined,
  ) {}

  get label(): string {
    return this.scope.shape.levels.label(this.level);
  }

  /** The canonical NDJSON line, pino-compatible, ending in "\n". Never throws. */
  json(): string {
    if (this.jsonLine === undefined) this.jsonLine = buildJsonLine(this);
    return this.jsonLine;
  }

  private parsedView: Readonly<Record<string, unknown>> | undefined = undefined;

  /** A plain, JSON-safe object of the record: exactly what the JSON line holds (a fresh copy). */
  toObject(): Record<string, unknown> {
    return JSON.parse(this.json()) as Record<string, unknown>;
  }

  /** The same object, parsed once and shared by formatters: read it, never modify it. */
  view(): Readonly<Record<string, unknown>> {
    this.parsedView ??= this.toObject();
    return this.parsedView;
  }

  toJSON(): Record<string, unknown> {
    return this.toObject();
  }

  /** Formats with the given formatter once; later calls return the cached line. */
  formatted(formatter: Formatter): string {
    if (this.firstFormatter === formatter) return this.firstOutput;
    if (this.firstFormatter === undefined) {
      this.firstFormatter = formatter;
      this.firstOutput = safeFormat(formatter, this);
      return this.firstOutput;
    }
    this.moreOutputs ??= new Map();
    let out = this.moreOutputs.get(formatter);
    if (out === undefined) {
      out = safeFormat(formatter, this);
      this.moreOutputs.set(formatter, out);
    }
    return out;
  }
}

function safeFormat(formatter: Formatter, record: LogRecord): string {
  try {
    return formatter.format(record);
  } catch (error) {
    return record.json().slice(0, -2) + `,"formatError":${quote(`${formatter.name}: ${String(error)}`)}}\n`;
  }
}

function contextJson(record: LogRecord): string {
  const frame = record.context;
  if (frame === undefined) return '';
  const key = record.scope.redactor ?? null;
  if (frame.cacheJson !== undefined && frame.cacheKey === key) return frame.cacheJson;
  const fields = record.scope.redactor ? record.scope.redactor(frame.fields) : frame.fields;
  const json = fieldsJson(fields, record.scope.shape.safe);
  frame.cacheKey = key;
  frame.cacheJson = json;
  return json;
}

function buildJsonLine(record: LogRecord): string {
  const shape = record.scope.shape;
  try {
    return (
      shape.prefix(record.level) +
      shape.timeJson(record.time) +
      record.scope.bindingsJson +
      contextJson(record) +
      (record.fields === undefined ? '' : fieldsJson(record.fields, shape.safe)) +
      shape.messageJson(record.msg) +
      '}\n'
    );
  } catch (error) {
    // Last resort: the record still yields a line that says what went wrong.
    let msg = '';
    try {
      msg = shape.messageJson(record.msg === undefined ? undefined : String(record.msg));
    } catch {
      msg = '';
    }
    return `${shape.prefix(record.level)}${shape.timeJson(record.time)}${msg},"logError":${quote(
      'record could not be serialised: ' + String(error),
    )}}\n`;
  }
}
