import type { ContextFrame } from './context.js';
import type { Redactor } from './redact.js';
import { fieldsJson, parsedFieldsJson, quote } from './serialize.js';
import { noteCopy } from './redacted-copies.js';
import type { RecordShape } from './shape.js';
import { describeThrown } from '../util/thrown.js';
import { endsLines } from './ending-lines.js';

/** Turns a record into one output line (ending in "\n"). */
export interface Formatter {
  readonly name: string;
  format(record: LogRecord): string;
}

/** The serializers a scope's logger applies (its SerializerSet): context fields go through them too. */
export interface ScopeSerializers {
  readonly keys: readonly string[];
  apply(fields: Record<string, unknown>, redactor?: Redactor): Record<string, unknown>;
}

/** What a logger (or child) contributes to each of its records. */
export interface RecordScope {
  readonly shape: RecordShape;
  /** `,"pid":1,"hostname":"h","name":"api","reqId":"r1"`: base and bindings, serialised once. */
  readonly bindingsJson: string;
  readonly redactor: Redactor | undefined;
  /**
   * What object-form keeps for the scope's records (see scopeState): on the scope, not in a
   * WeakMap, as a child logger made per request makes a scope each. A scope spread from
   * another starts with the other's, which holds only while their heads read the same.
   */
  viewState: unknown;
  /** Its logger's serializers (none: the fields are written as they are). */
  readonly serializers?: ScopeSerializers | undefined;
}

/** One log event as transports, formatters and users see it: read-only. */
export interface LogRecord {
  /** Numeric level (30 for info). */
  readonly level: number;
  /** Its name ("info", or a custom level's). */
  readonly label: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly msg: string | undefined;
  /** Call-site fields, already redacted; Error values are serialised when formatted. */
  readonly fields: Readonly<Record<string, unknown>> | undefined;
  /** The canonical NDJSON line, pino-compatible, ending in "\n" ("\r\n" with `crlf`). Never throws. */
  json(): string;
  /** A plain, JSON-safe object of the record: exactly what the JSON line holds (a fresh copy). */
  toObject(): Record<string, unknown>;
  /** The same object, parsed once and shared: read it, never modify it. */
  view(): Readonly<Record<string, unknown>>;
  /** Formats with the given formatter once; later calls return the cached line. */
  formatted(formatter: Formatter): string;
  /** The key the message is written under ("msg" unless configured). */
  readonly messageKey: string;
  /** Whether the line carries a time (false with `timestamp: false`). */
  readonly timestamped: boolean;
}

/**
 * The canonical pino-compatible line as a formatter: the record builds and keeps that line
 * itself, so formatting with this one is the line, with no cache entry of its own.
 */
export const canonicalJsonFormatter: Formatter = {
  name: 'json',
  format: (record: LogRecord) => record.json(),
};

/** Reasons a record failed at one target each, kept by the router. */
export interface FailureReason {
  target: string;
  error: Error;
}

/** The router's record of a record's failures: each target's reason, and whether it was reported. */
export interface RecordFailure {
  reasons: FailureReason[];
  reported: boolean;
  /**
   * Logged by a listener while failures were reported: if it fails too, it is counted and
   * dead-lettered but not reported to listeners again (a listener that logs each failure
   * to a failing target would otherwise feed itself for ever).
   */
  quiet?: boolean;
  /** Left in a spool by an earlier process: this process never logged it, so it is not in its counts. */
  adopted?: boolean;
  /**
   * Targets that left it out on purpose (see skipReason): the strategy decides it by the rest
   * of its `sentTo`, and when every one left it out it is dropped, not reported.
   */
  leftOutBy?: string[];
  /**
   * Targets that failed it before, whose reasons were not kept: a record revived from a spool
   * past what it keeps in memory, its fate recalled from the router's RecordHolds.
   */
  earlier?: number;
}

/**
 * What a record computes on demand and keeps: formatted lines per formatter, the parsed view.
 * Two slots before a map: a fan-out to json plus two other formats (the usual most) then
 * makes no map per record.
 */
interface RecordCache {
  formatter: Formatter | undefined;
  output: string;
  formatter2: Formatter | undefined;
  output2: string;
  more: Map<Formatter, string> | undefined;
  view: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The record as built once per call and shared by every transport. Formatted output is
 * cached per formatter, so two transports with the same format pay for it once. The
 * routing fields are the router's bookkeeping and not part of the public LogRecord.
 * Records can wait in memory by the hundred thousand (a batch waiting for the network), so
 * what most records never need is one field made when first needed (a cache), or has its
 * usual value on the prototype and becomes a field of its own only where it differs (a
 * failure, the internal flag, a trace): 8 bytes less per record for each.
 */
export class LogRecordImpl implements LogRecord {
  protected jsonLine: string | undefined = undefined;
  private cache: RecordCache | undefined = undefined;
  /** Routing bookkeeping, owned by the router: targets sent to, and which failed and why. */
  sentTo = 0;
  declare failure: RecordFailure | undefined;
  /**
   * Its tag in the router's RecordHolds (a router with several targets), else -1 (on the
   * prototype: a logger with one target keeps its records 8 bytes smaller; made a field of
   * every record, a fan-out to three files measured 1.01x–1.03x the time of this).
   */
  declare holdTag: number;
  /** Made by the logger itself (drop summaries, validation warnings), not by the application. */
  declare internal: boolean;
  /** The active OpenTelemetry span as a JSON fragment, taken at the log call ('' when none). */
  declare traceJson: string;

  constructor(
    readonly level: number,
    readonly time: number,
    readonly msg: string | undefined,
    /** Call-site fields, already redacted; Error values are serialised when formatted. */
    protected callFields: Readonly<Record<string, unknown>> | undefined,
    readonly scope: RecordScope,
    readonly context: ContextFrame | undefined,
  ) {}

  /** Call-site fields, already redacted; Error values are serialised when formatted. */
  get fields(): Readonly<Record<string, unknown>> | undefined {
    return this.callFields;
  }

  get label(): string {
    return this.scope.shape.levels.label(this.level);
  }

  get messageKey(): string {
    return this.scope.shape.messageKey;
  }

  get timestamped(): boolean {
    return this.scope.shape.timestamp !== false;
  }

  /** The canonical NDJSON line, pino-compatible, ending in "\n". Never throws. */
  json(): string {
    // Left as the rope of pieces it is built from: a file or console joins it into a chunk
    // within the tick; a record that waits longer is flattened by keepFlat().
    return this.jsonLine ?? this.lateJson();
  }

  /**
   * Builds the line at the log call (the logger does, once). Apart from json(): every
   * transport reads json() for a line already built, and V8 compiles the building into each
   * caller whose call site has seen it run; here only this one has.
   */
  build(): void {
    this.jsonLine ??= buildJsonLine(this);
  }

  /** The line of a record the logger did not build (a test's, a plugin's own). */
  private lateJson(): string {
    this.jsonLine = buildJsonLine(this);
    return this.jsonLine;
  }

  /**
   * Builds the line now from fields that came out of JSON.parse untouched (a log.stream()
   * line): plain trees, so their objects go to native JSON.stringify without the probe.
   */
  buildFromParsed(): void {
    this.jsonLine ??= buildJsonLine(this, true);
  }

  /** A plain, JSON-safe object of the record: exactly what the JSON line holds (a fresh copy). */
  toObject(): Record<string, unknown> {
    return JSON.parse(this.json()) as Record<string, unknown>;
  }

  /** The same object, parsed once and shared by formatters: read it, never modify it. */
  view(): Readonly<Record<string, unknown>> {
    const cache = this.cached();
    cache.view ??= this.toObject();
    return cache.view;
  }

  private cached(): RecordCache {
    this.cache ??= {
      formatter: undefined,
      output: '',
      formatter2: undefined,
      output2: '',
      more: undefined,
      view: undefined,
    };
    return this.cache;
  }

  toJSON(): Record<string, unknown> {
    return this.toObject();
  }

  /** Formats with the given formatter once; later calls return the cached line. */
  formatted(formatter: Formatter): string {
    if (formatter === canonicalJsonFormatter) return this.json();
    const cache = this.cached();
    if (cache.formatter === formatter) return cache.output;
    if (cache.formatter === undefined) {
      cache.formatter = formatter;
      cache.output = safeFormat(formatter, this);
      return cache.output;
    }
    if (cache.formatter2 === formatter) return cache.output2;
    if (cache.formatter2 === undefined) {
      cache.formatter2 = formatter;
      cache.output2 = safeFormat(formatter, this);
      return cache.output2;
    }
    cache.more ??= new Map();
    let out = cache.more.get(formatter);
    if (out === undefined) {
      out = safeFormat(formatter, this);
      cache.more.set(formatter, out);
    }
    return out;
  }
}

// The usual values of the fields declared above, shared by every record that keeps them.
Object.assign(LogRecordImpl.prototype, { failure: undefined, holdTag: -1, internal: false, traceJson: '' });

/**
 * A plugin formatter's line, whatever it does: a throw or a result that is not a string
 * (which would break the sinks that measure and join lines) gives the JSON line with a
 * `formatError`; a line without its "\n" gets one, so it does not run into the next.
 */
function safeFormat(formatter: Formatter, record: LogRecordImpl): string {
  let line: unknown;
  let format: unknown;
  let builtIn = false;
  try {
    // Read once (a getter runs once) and called as `formatter.format(record)` is: with the
    // formatter as `this`, not through a `call` the function may have of its own.
    format = formatter.format;
    if (typeof format !== 'function') throw new TypeError('formatter.format is not a function');
    builtIn = endsLines(format);
    line = Reflect.apply(format, formatter, [record]);
  } catch (error) {
    return withFormatError(formatter, record, describeThrown(error));
  }
  if (typeof line !== 'string') {
    return withFormatError(formatter, record, `returned ${line === null ? 'null' : typeof line}, not a string`);
  }
  if (builtIn) return line;
  return line === '' || line.charCodeAt(line.length - 1) === 10 ? line : `${line}\n`;
}

function withFormatError(formatter: Formatter, record: LogRecordImpl, problem: string): string {
  return withLineError(record.json(), record.scope.shape.end, 'formatError', `${String(formatter.name)}: ${problem}`);
}

function contextJson(record: LogRecordImpl): string {
  const frame = record.context;
  if (frame === undefined) return '';
  const scope = record.scope;
  const redactor = scope.redactor;
  const safe = scope.shape.safe;
  const serializers = scope.serializers?.keys.length ? scope.serializers : undefined;
  // One rendering per frame, for the last logger that wrote it: another logger writes the same
  // fields with its own keys renamed (`@name` beside its base's `name`), limits, serializers
  // and paths, so the cache holds for the same ones only.
  const cache = frame.cache;
  if (cache !== undefined && cache.redactor === redactor && cache.safe === safe && cache.serializers === serializers) {
    return cache.json;
  }
  // The frame's fields are a merged copy: redaction of it must not be undone by a value that
  // refers back to a caller's object it was merged from.
  if (redactor !== undefined) for (const source of frame.sources) noteCopy(frame.fields, source);
  let fields = frame.fields as Record<string, unknown>;
  if (serializers !== undefined) fields = serializers.apply(fields, redactor);
  if (redactor !== undefined) fields = redactor(fields);
  const json = fieldsJson(fields, safe);
  frame.cache = { redactor, safe, serializers, json };
  return json;
}

/** The line up to the call-site fields: `{"level":30,"time":…` with bindings, context and trace. */
export function headJson(record: LogRecordImpl): string {
  const head = record.scope.shape.head(record.level, record.time, record.scope);
  return head + contextJson(record) + record.traceJson;
}

function buildJsonLine(record: LogRecordImpl, parsedFields = false): string {
  const shape = record.scope.shape;
  let line: string;
  try {
    const fields = record.fields;
    let fieldsPart = '';
    if (fields !== undefined)
      fieldsPart = parsedFields ? parsedFieldsJson(fields, shape.safe) : fieldsJson(fields, shape.safe);
    line = headJson(record) + fieldsPart + shape.messageTail(record.msg);
  } catch (error) {
    // Last resort: the record still yields a line that says what went wrong.
    let msg = '';
    try {
      msg = shape.messageJson(record.msg === undefined ? undefined : String(record.msg));
    } catch {
      msg = '';
    }
    // Level, time, bindings and message survive; the failure is said in place of the fields.
    const logError = quote(`record could not be serialised: ${String(error)}`);
    const head = shape.prefix(record.level) + shape.timeJson(record.time) + record.scope.bindingsJson;
    line = `${head}${msg},"logError":${logError}}${shape.end}`;
  }
  // Only a logger with pino's hooks.streamWrite pays for more than this check.
  return shape.streamWrite === undefined ? line : streamWritten(shape.streamWrite, line, shape.end);
}

/**
 * The line pino's hooks.streamWrite gives for `line`, ending as the logger's lines end. A hook
 * that throws or gives what is no JSON object line (not a string, empty, not `{…}`) loses no
 * record: the line as built is kept, with a `streamWriteError` saying what the hook did.
 */
function streamWritten(hook: (line: string) => string, line: string, end: string): string {
  let out: unknown;
  try {
    out = hook(line);
  } catch (error) {
    return withLineError(line, end, 'streamWriteError', `hooks.streamWrite threw: ${describeThrown(error)}`);
  }
  if (typeof out !== 'string') {
    const kind = out === null ? 'null' : typeof out;
    return withLineError(line, end, 'streamWriteError', `hooks.streamWrite returned ${kind}, not a string`);
  }
  const body = withoutEnd(out);
  if (body.charCodeAt(0) !== 123 || body.charCodeAt(body.length - 1) !== 125) {
    const problem = `hooks.streamWrite returned ${out === '' ? 'an empty string' : 'text that is no JSON object'}`;
    return withLineError(line, end, 'streamWriteError', problem);
  }
  // A line break inside would make one record two lines (or more) for every reader of NDJSON.
  if (body.includes('\n') || body.includes('\r')) return unbroken(line, end, body);
  return body + end;
}

/**
 * A hook's line with breaks inside. Within JSON a raw line break can only be whitespace between
 * tokens (a string holds it escaped), so an object written over several lines (JSON.stringify with
 * an indent) is written compact, as lines are built (the presets that cut fields out of a line
 * read it so); other text with breaks keeps the line as built.
 */
function unbroken(line: string, end: string, body: string): string {
  const compact = withoutSpaces(body);
  try {
    const parsed: unknown = JSON.parse(compact);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return compact + end;
  } catch {
    // Not one JSON object: said below.
  }
  return withLineError(line, end, 'streamWriteError', 'hooks.streamWrite returned text with line breaks inside');
}

/** JSON text without the whitespace between its tokens (strings kept as they are). */
function withoutSpaces(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 32 || c === 9 || c === 10 || c === 13) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** A line without its end ("\n" or "\r\n"). */
export function withoutEnd(line: string): string {
  if (line.charCodeAt(line.length - 1) !== 10) return line;
  return line.slice(0, line.charCodeAt(line.length - 2) === 13 ? -2 : -1);
}

/** A JSON line (`{…}` and its end) with one more string field before its closing brace. */
function withLineError(line: string, end: string, key: string, problem: string): string {
  const body = withoutEnd(line);
  const open = body.length > 2 ? ',' : '';
  return `${body.slice(0, -1)}${open}"${key}":${quote(problem)}}${end}`;
}

/**
 * A record about to wait in memory (a batch waiting for the network, a backpressure queue):
 * its line is a rope of a dozen pieces; reading a character makes V8 flatten it into one
 * string now, so the record keeps one small string alive, not the pieces: a third of the
 * memory and GC work.
 */
export function keepFlat(record: LogRecord): void {
  record.json().charCodeAt(0);
}

/** The implementation behind a public record (every record in a logger is one). */
export function impl(record: LogRecord): LogRecordImpl {
  return record as LogRecordImpl;
}

/**
 * What a spool keeps in memory of a parked record that went to several targets: its target
 * count and failure state, shared, so that its replay (a new record made from the line) fails
 * or drops that record under the strategy instead of counting a second one; and its tag in
 * the router's RecordHolds, so that what settles the replay settles the record.
 */
export interface Fate {
  sentTo: number;
  failure: RecordFailure;
  holdTag: number;
}

/**
 * A record's fate to keep beside its parked line: undefined when it went to one target only
 * and is not quiet, or only its tag in the router's RecordHolds (a number, no allocation) when that is all it has.
 */
export function fateOf(record: LogRecord): Fate | number | undefined {
  const r = record as LogRecordImpl;
  // A quiet record (a listener's, logged while failures were reported) stays quiet: revived
  // without the mark, its drop from the spool's bound was reported to the listener again,
  // which logged again, for ever.
  if (!(r.sentTo > 1) && r.failure?.quiet !== true) return r.holdTag !== -1 ? r.holdTag : undefined;
  r.failure ??= { reasons: [], reported: false };
  return { sentTo: r.sentTo, failure: r.failure, holdTag: r.holdTag };
}

/** Gives a record revived from a parked line the fate of the record it was. */
export function carryFate(revived: LogRecord, fate: Fate | number | undefined): void {
  if (fate === undefined) return;
  const r = revived as LogRecordImpl;
  if (typeof fate === 'number') {
    // Its target count is not known here: 0 says so, for the router to recall it from the tag.
    r.holdTag = fate;
    r.sentTo = 0;
    return;
  }
  r.sentTo = fate.sentTo;
  r.failure = fate.failure;
  if (fate.holdTag !== -1) r.holdTag = fate.holdTag;
}

/** Made by the logger itself (drop summaries, validation warnings), not by the application? */
export function madeByLogger(record: LogRecord): boolean {
  return (record as Partial<LogRecordImpl>).internal === true;
}
