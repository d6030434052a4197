import { DEFAULT_LEVELS, type Formatter, type LogRecord } from '../index.js';

/** The level names and numbers lines are read with: the defaults, and those `--levels` adds. */
export class LevelNames {
  private readonly labels = new Map<number, string>();
  private readonly numbers = new Map<string, number>();

  constructor(custom: ReadonlyMap<string, number> = new Map()) {
    for (const [name, value] of Object.entries(DEFAULT_LEVELS)) this.add(name, value);
    for (const [name, value] of custom) this.add(name, value);
  }

  private add(name: string, value: number): void {
    this.labels.set(value, name);
    this.numbers.set(name, value);
  }

  /** The number of a level name, or undefined for a name not known. */
  numberOf(name: string): number | undefined {
    return this.numbers.get(name);
  }

  /** The name of a level number, or undefined for a number not named. */
  nameOf(value: number): string | undefined {
    return this.labels.get(value);
  }
}

/** The default levels alone. */
export const DEFAULT_NAMES = new LevelNames();

/**
 * A parsed NDJSON line (ours or pino's) seen as a record, so the pretty formatter prints it
 * as it prints a live one: numeric or named level, `time` as epoch ms or ISO text, `msg`.
 */
export class LineRecord implements LogRecord {
  readonly level: number;
  readonly label: string;
  readonly time: number;
  readonly timestamped: boolean;
  readonly msg: string | undefined;
  readonly messageKey: string;
  /** What the formatter reads: the line's object, with a message that is not text as its JSON. */
  private readonly shown: Record<string, unknown>;

  constructor(
    private readonly object: Record<string, unknown>,
    messageKey: string,
    levels: LevelNames = DEFAULT_NAMES,
  ) {
    this.messageKey = messageKey;
    const level = object.level;
    if (typeof level === 'number') {
      this.level = level;
      this.label = levels.nameOf(level) ?? `level ${level}`;
    } else if (typeof level === 'string') {
      this.label = level;
      this.level = levels.numberOf(level) ?? Number.NaN;
    } else {
      this.level = Number.NaN;
      this.label = level === undefined ? 'log' : 'level ?';
    }
    const time = object.time;
    this.time = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Number.NaN;
    this.timestamped = Number.isFinite(this.time) && Math.abs(this.time) <= 8.64e15;
    // An own key only: `--message-key __proto__` or `constructor` must not read what every object inherits.
    const msg = Object.hasOwn(object, messageKey) ? object[messageKey] : undefined;
    this.msg = msg === undefined ? undefined : typeof msg === 'string' ? msg : JSON.stringify(msg);
    // pino takes any JSON value as the message: `{"msg":{"code":7}}` reads as its JSON, not "[object Object]".
    this.shown = msg === undefined || typeof msg === 'string' ? object : { ...object, [messageKey]: this.msg };
  }

  get fields(): Readonly<Record<string, unknown>> {
    return this.shown;
  }

  json(): string {
    return `${JSON.stringify(this.object)}\n`;
  }

  toObject(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.object)) as Record<string, unknown>;
  }

  view(): Readonly<Record<string, unknown>> {
    return this.shown;
  }

  formatted(formatter: Formatter): string {
    return formatter.format(this);
  }
}
