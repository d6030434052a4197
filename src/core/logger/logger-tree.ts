import { describeThrown } from '../util/thrown.js';
import { isAnyError } from '../util/value-kinds.js';
import { withErrorLike } from './error-like.js';
import { SerializerSet } from './serializers.js';
import type { ContextFrame } from '../record/context.js';
import type { LevelInput, LevelTable } from '../record/levels.js';
import { impl, LogRecordImpl, type LogRecord, type RecordScope } from '../record/log-record.js';
import { LineRecord } from '../record/line-record.js';
import { type Redactor, redactMessage, redactMessageValue } from '../record/redact.js';
import type { RecordShape } from '../record/shape.js';
import type { Router } from '../routing/router.js';
import { activeSpanJson, tracingAvailable } from '../record/trace-context.js';
import { dispatchingCall } from '../record/object-form.js';
import { forgetCopies, noteCopy } from '../record/redacted-copies.js';
import { registerForExit, unregisterForExit } from './exit-hooks.js';
import { FieldPickers } from './field-pickers.js';
import { type RecordParts, splitParsedObject, splitRecordObject } from './record-object.js';

const LEADING_NULS = /^\0+/;

export interface LoggerTreeOptions {
  levels: LevelTable;
  shape: RecordShape;
  router: Router;
  redactor: Redactor | undefined;
  exitFlush: boolean;
  /** How long the end of a script waits for asynchronous transports to send what they hold. */
  exitTimeoutMs: number;
  handleExceptions: boolean;
  handleSignals: boolean;
  /** Base bindings, serialised once. */
  baseJson: string;
  /** pino's onChild: told of every child logger. */
  onChild?: (child: never) => void;
  /** pino's errorKey and nestedKey. */
  errorKey: string;
  nestedKey: string | undefined;
  /** pino's mixin and formatters.log, as one step on a call's fields (undefined: none, and no cost). */
  fieldsHook?: FieldsHook;
  /** The same step with another formatters.log in place of the tree's: a child's (pino's child `formatters.log`). */
  fieldsHookWith?: (log: (fields: Record<string, unknown>) => Record<string, unknown>) => FieldsHook;
  /** pino's hooks.logMethod (undefined: none, and the level methods are the plain ones). */
  logMethodHook?: LogMethodHook;
}

/** Turns a call's fields (undefined for a message alone) into the record's. */
export type FieldsHook = (
  fields: Record<string, unknown> | undefined,
  level: number,
  logger: unknown,
  /** The paths the result is redacted by: what the hook throws may quote what they cover. */
  redactor: Redactor | undefined,
) => Record<string, unknown> | undefined;

/** pino's hooks.logMethod: sees an enabled call's arguments and calls `method` with some (or not). */
export type LogMethodHook = (
  this: unknown,
  args: unknown[],
  method: (...args: unknown[]) => void,
  level: number,
) => void;

/** What holds input not yet made into records (a log.stream() with a line begun): taken at exit. */
export interface HeldInput {
  /** Makes records of what it holds, now. */
  takeHeld(): void;
  /** The logger is closing: stop waiting for a blocked target (it may never unblock). */
  loggerClosing(): void;
}

/**
 * What a root logger and all its children share: levels, record shape, router, counters,
 * and the one path by which every record enters the router (`emit`).
 */
export class LoggerTree {
  closed = false;
  /** Records carry the active span's ids when @opentelemetry/api is installed (checked once). */
  private readonly tracing = tracingAvailable();
  /** Set when the process exits: no later tick will come to write what is buffered. */
  private writeThrough = false;
  logged = 0;
  droppedAfterClose = 0;
  /** Calls that named a level the logger does not know (each also diagnosed). */
  unknownLevels = 0;
  readonly levels: LevelTable;
  readonly shape: RecordShape;
  readonly router: Router;
  readonly redactor: Redactor | undefined;
  readonly handleExceptions: boolean;
  readonly handleSignals: boolean;
  readonly rootScope: RecordScope;
  readonly onChild: ((child: never) => void) | undefined;
  readonly errorKey: string;
  readonly nestedKey: string | undefined;
  readonly fieldsHook: FieldsHook | undefined;
  readonly fieldsHookWith: LoggerTreeOptions['fieldsHookWith'];
  readonly logMethodHook: LogMethodHook | undefined;

  /** For lines that already hold their base (a spool, a shipped producer's): nothing added, base keys kept. */
  readonly revivedScope: RecordScope;
  private closing: Promise<boolean> | undefined;
  /** Copies the fields of log.stream()'s parsed lines. */
  private readonly pickers: FieldPickers;
  /**
   * Copies the fields of lines records waited as, when asked for: pickers of their own, as
   * those lines' shapes (bindings and all) would push the stream's out, and use up the code
   * a tree may make for them.
   */
  private readonly linePickers: FieldPickers;
  private readonly exitTimeoutMs: number;
  /** The end of a script is being waited for, or it ran out of time once (no second wait). */
  private endingScript = false;
  /** log.stream()s not yet closed, held weakly (one left unended must not live as long as the logger). */
  private holders: Set<WeakRef<HeldInput>> | undefined;
  private holdersGone: FinalizationRegistry<WeakRef<HeldInput>> | undefined;

  constructor(options: LoggerTreeOptions) {
    this.levels = options.levels;
    this.shape = options.shape;
    this.router = options.router;
    this.redactor = options.redactor;
    this.handleExceptions = options.handleExceptions;
    this.handleSignals = options.handleSignals;
    this.exitTimeoutMs = options.exitTimeoutMs;
    this.onChild = options.onChild;
    this.errorKey = options.errorKey;
    this.nestedKey = options.nestedKey;
    this.fieldsHook = options.fieldsHook;
    this.fieldsHookWith = options.fieldsHookWith;
    this.logMethodHook = options.logMethodHook;

    this.pickers = new FieldPickers(this.shape.messageKey);
    this.linePickers = new FieldPickers(this.shape.messageKey);
    this.rootScope = this.scopeFor(options.baseJson);
    this.revivedScope = { shape: this.shape.forReplay(), bindingsJson: '', redactor: undefined, viewState: undefined };
    if (options.exitFlush) registerForExit(this);
  }

  scopeFor(bindingsJson: string): RecordScope {
    return { shape: this.shape, bindingsJson, redactor: this.redactor, viewState: undefined };
  }

  /** Every record enters the router here: counted once, dropped (and counted) after close. */
  emit(
    level: number,
    time: number,
    msg: string | undefined,
    fields: Readonly<Record<string, unknown>> | undefined,
    scope: RecordScope,
    context: ContextFrame | undefined,
    internal = false,
    /** The fields came out of JSON.parse untouched: plain trees, written without the probe. */
    parsedFields = false,
  ): void {
    // The logger's own records (a validating target's warning, a drop summary) made while
    // close() runs are still routed, as a crash's is: the transports are open until the close
    // is done, and the warning was the one trace of a record a check left out.
    if (this.closed && (this.closeDone || !internal)) {
      forgetCopies();
      // Counted beside the invariant, and said once: a log call after close() is a shutdown-order
      // bug. Not the logger's own records (a drop summary written as close() runs): not the caller's.
      if (this.droppedAfterClose++ === 0 && !internal) {
        this.router.diagnose('a record was logged after close(): dropped, counted in droppedAfterClose (said once)');
      }
      return;
    }
    const record = new LogRecordImpl(level, time, msg, fields, scope, context);
    if (internal) record.internal = true;
    if (this.tracing) record.traceJson = activeSpanJson();
    // The line is built now, as pino does: what every transport sees is the values as they
    // were at the call, whatever the caller changes afterwards.
    if (parsedFields) record.buildFromParsed();
    else record.build();
    forgetCopies();
    this.logged++;
    dispatchingCall(record);
    try {
      this.router.dispatch(record);
    } finally {
      dispatchingCall(undefined);
    }
    if (this.writeThrough) this.router.flushSync();
  }

  exitSync(): void {
    this.takeHeldInput();
    this.writeThrough = true;
    this.router.exitSync();
  }

  /** `holder` is asked for what it holds when the process exits, until `release()`. */
  holdInput(holder: HeldInput): () => void {
    const ref = new WeakRef(holder);
    if (this.holders === undefined) {
      const holders = new Set<WeakRef<HeldInput>>();
      this.holders = holders;
      this.holdersGone = new FinalizationRegistry((gone) => holders.delete(gone));
    }
    this.holders.add(ref);
    this.holdersGone!.register(holder, ref, ref);
    return () => {
      this.holders!.delete(ref);
      this.holdersGone!.unregister(ref);
    };
  }

  /**
   * The process ends: what a log.stream() holds (chunks its writer was told to wait with, a
   * line without its newline yet) becomes records now, before the router writes, parks or
   * fails what it holds; no later tick would let the stream take it.
   */
  private takeHeldInput(): void {
    this.eachHolder((holder) => holder.takeHeld());
  }

  private eachHolder(act: (holder: HeldInput) => void): void {
    if (this.holders === undefined) return;
    for (const ref of [...this.holders]) {
      const holder = ref.deref();
      if (holder === undefined) continue;
      try {
        act(holder);
      } catch {
        // At exit or close, no place to throw: what was made a record before is counted.
      }
    }
  }

  /**
   * The event loop is empty (a script returned): what asynchronous transports hold is sent,
   * or parked, and the process stays alive until then, up to exitTimeoutMs (the pending
   * timeout keeps it alive). Out of time, what is left is parked or failed now.
   */
  beforeExit(): void {
    if (this.closed || this.endingScript || !this.router.holding) return;
    this.endingScript = true;
    void this.router.settleOrPark(this.exitTimeoutMs).then((done) => {
      if (done) {
        this.endingScript = false;
        return;
      }
      this.router.exitSync(new Error(`not sent within exitTimeoutMs (${this.exitTimeoutMs} ms) as the process ended`));
    });
  }

  /**
   * The numeric value of a level in `table` and a logger's `own` names (see LevelTable.value),
   * or undefined (counted and diagnosed) when it is unknown.
   */
  levelOf(
    level: LevelInput,
    where: string,
    table: LevelTable = this.levels,
    own?: Readonly<Record<string, number>>,
  ): number | undefined {
    try {
      return table.value(level, own);
    } catch (error) {
      // `log.level = 'WARN'`, as `$LOG_LEVEL=WARN` is read: level names are lowercase only, so
      // another case names one level at most. A name in no case stays unknown.
      const lower = typeof level === 'string' ? level.toLowerCase() : level;
      if (lower !== level) {
        try {
          return table.value(lower, own);
        } catch {
          // unknown in lowercase too: said below with the name as given
        }
      }
      this.unknownLevels++;
      this.router.diagnose(`${where}: ${(error as Error).message}; ignored`);
      return undefined;
    }
  }

  flushSync(): void {
    this.router.flushSync();
  }

  /** A record that arrives as an object (log.stream()): level, time and message are taken from it. */
  ingest(object: Record<string, unknown>, scope: RecordScope, redactor: Redactor | undefined): void {
    this.ingestParts(object, scope, redactor, false);
  }

  /**
   * A record from a JSON line (log.stream()): the object came out of JSON.parse, so it is a
   * plain tree (no cycles, getters, toJSON or BigInt) and, unless a redactor's censor put
   * something else in, its line is written by native JSON.stringify without the probe.
   */
  ingestParsed(object: Record<string, unknown>, scope: RecordScope, redactor: Redactor | undefined): void {
    this.ingestParts(object, scope, redactor, true);
  }

  /** `redactor`: the stream's logger's (a child's own paths included), also with keepOrigin. */
  private ingestParts(
    object: Record<string, unknown>,
    scope: RecordScope,
    redactor: Redactor | undefined,
    parsed: boolean,
  ): void {
    // A stream goes on to its end after close() (see delivery.md): its lines are counted, as
    // documented, without the word a log call after close() gets.
    if (this.closed) {
      this.droppedAfterClose++;
      return;
    }
    let parts: RecordParts;
    let fields: Record<string, unknown>;
    let msg: string | undefined;
    try {
      parts = parsed
        ? splitParsedObject(object, this.shape, this.levels, this.pickers)
        : splitRecordObject(object, this.shape, this.levels, true);
      if (parts.level < this.router.minThreshold) return;
      // The fields are a copy of the object: a value that refers back to the object refers to
      // what the copy stands for, so redaction of the copy is not undone one level down.
      if (redactor !== undefined && !parsed) noteCopy(parts.fields, object);
      // An error's censored message and stack, which the line's message may repeat: a producer's
      // `log.error(err)` writes the error's message as the line's, as a log call here does.
      if (redactor === undefined) {
        fields = parts.fields;
        msg = parts.msg;
      } else {
        const censored: string[] = [];
        fields = redactor(parts.fields, false, censored);
        msg = parts.msg === undefined ? undefined : redactMessage(redactor, this.shape.messageKey, parts.msg);
        if (parts.messageObject) fields = this.redactMessageObject(fields, redactor);
        if (msg !== undefined && censored.length > 0) msg = redactor.scrub(msg, censored);
      }
    } catch (error) {
      // A hostile object (a Proxy whose traps throw): logged all the same, saying so.
      const info = this.levels.builtin('info');
      if (info >= this.router.minThreshold) {
        this.emit(
          info,
          Date.now(),
          undefined,
          { logError: `record could not be read: ${String(error)}` },
          scope,
          undefined,
        );
      }
      return;
    }
    // Redacted with a value, parsed data is still parsed data: written whole, as without
    // redaction (the careful walker's budget cut a 25,000-item list when a path was set).
    const plain = parsed && (redactor === undefined || redactor.censorsWithValue);
    this.emit(parts.level, parts.time, msg, fields, scope, undefined, false, plain);
  }

  /**
   * A producer's message that is an object, kept as `invalidMessage`: the paths written for
   * the message (`msg`, `msg.password`) reach it as they reach an object logged as the
   * message here, beside those that name `invalidMessage` or a wildcard (applied already).
   */
  private redactMessageObject(fields: Record<string, unknown>, redactor: Redactor): Record<string, unknown> {
    if (!Object.hasOwn(fields, 'invalidMessage')) return fields;
    const value = redactMessageValue(redactor, this.shape.messageKey, fields.invalidMessage);
    if (value === fields.invalidMessage) return fields;
    const copy = { ...fields };
    if (value === undefined) delete copy.invalidMessage;
    else copy.invalidMessage = value;
    return copy;
  }

  /**
   * A record back from a spool file: its JSON line already holds base, bindings and
   * redaction, so it is rebuilt as fields without adding any. Routed to one target only,
   * it is its own record for failure reporting and was counted when first logged.
   */
  revive(line: string): LogRecord {
    let object: unknown;
    try {
      // A crash can leave NULs where data never landed (the file was extended first): the
      // record after them is still whole.
      object = JSON.parse(line.charCodeAt(0) === 0 ? line.replace(LEADING_NULS, '') : line);
    } catch {
      object = undefined;
    }
    // A damaged spool line may be JSON but no record (`null`, a number, an array): sent as
    // text like any line that is not JSON, never a throw that would end the process.
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      object = { msg: line.trimEnd(), invalidJson: true };
    } else this.shape.readWrittenLevel(object as Record<string, unknown>);
    const parts = splitRecordObject(object as Record<string, unknown>, this.shape, this.levels, true);
    const record = new LogRecordImpl(parts.level, parts.time, parts.msg, parts.fields, this.revivedScope, undefined);
    record.sentTo = 1;
    return record;
  }

  /**
   * May this record wait in a router queue as its line alone (see WaitingRecords)? One of
   * this tree's own shape: a child's own (its level names or message key) would be read
   * back wrong.
   */
  mayWaitAsLine(record: LogRecord): boolean {
    return impl(record).scope.shape === this.shape;
  }

  /** A record that waited as its line, made again with the level, time and message it had. */
  reviveWaiting(line: string, level: number, time: number, msg: string | undefined): LogRecord {
    return new LineRecord(line, level, time, msg, this.revivedScope, this.readLineFields);
  }

  /** The fields of a line the logger wrote: all but level, time and the message. */
  private readonly readLineFields = (line: string): Record<string, unknown> => {
    let object: Record<string, unknown>;
    try {
      object = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Never seen: the line is the logger's own JSON.
      return {};
    }
    const fields = this.linePickers.fields(object, this.shape.messageKey);
    // Its level is known: what formatters.level wrote for it is not a field.
    for (const key of this.shape.levelKeys) delete fields[key];
    return fields;
  };

  /** A warning from the logger itself (a drop summary, a validation warning), routed like any record. */
  warn(fields: Record<string, unknown>, msg: string): void {
    const warn = this.levels.builtin('warn');
    if (warn < this.router.minThreshold) return;
    this.emit(warn, Date.now(), msg, fields, this.rootScope, undefined, true);
  }

  /** The uncaught exception that is about to end the process, as a fatal record. */
  logUncaught(error: unknown, origin: string): void {
    const fatal = this.levels.builtin('fatal');
    if (fatal < this.router.minThreshold) return;
    const message = origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception';
    // Redacted as a logged error is: a crash's error may carry a request's credentials.
    let fields = thrownFields(error);
    try {
      if (this.redactor !== undefined) fields = this.redactor(fields);
    } catch (redactError) {
      fields = { logError: `uncaught error could not be redacted: ${describeThrown(redactError)}` };
    }
    // A crash while close() runs (a shutdown, its likeliest moment) is still routed: the
    // transports are open until the close is done. It was dropped as if logged after close().
    const closing = this.closed && !this.closeDone;
    if (closing) this.closed = false;
    try {
      this.emit(fatal, Date.now(), message, fields, this.rootScope, undefined);
    } finally {
      if (closing) this.closed = true;
    }
  }

  /** close() has ended every transport (or given up on it). */
  private closeDone = false;

  close(timeoutMs?: number): Promise<boolean> {
    // Asked again with a timeout: the close under way gives up by then (it may have had none).
    if (this.closing !== undefined) this.router.limitClose(timeoutMs);
    this.closing ??= (async () => {
      this.closed = true;
      this.eachHolder((holder) => holder.loggerClosing());
      try {
        // A stream handed in as a transport has no deadline of its own: exitTimeoutMs is its.
        return await this.router.close(timeoutMs, this.exitTimeoutMs);
      } finally {
        this.closeDone = true;
        // Records a close({ timeoutMs }) abandoned inside a transport are failed at the process's
        // end (see Router.exitSync): the logger stays on the exit path until then.
        if (!this.router.abandonedAny) unregisterForExit(this);
      }
    })();
    return this.closing;
  }
}

/**
 * What was thrown, under `err`, as a logged value is written: an Error as one, an object
 * with a string `message` (an error from another realm) in the error's shape, any other
 * object by its fields and a primitive as itself. Made into an Error, it was written as
 * "[object Object]" with a stack of this logger's own frames, and what it held was lost.
 */
function thrownFields(thrown: unknown): Record<string, unknown> {
  if (typeof thrown === 'object' && thrown !== null) {
    try {
      return isAnyError(thrown) ? { err: thrown } : withErrorLike({ err: thrown }, 'err', NO_SERIALIZERS);
    } catch (error) {
      // A revoked Proxy: `instanceof` throws. The crash is logged all the same, saying so.
      return { err: { message: `a thrown value that cannot be read (${describeThrown(error)})` } };
    }
  }
  // JSON has no undefined, Symbol or function: their text stands for them.
  if (thrown === undefined || typeof thrown === 'symbol') return { err: describeThrown(thrown) };
  if (typeof thrown === 'function') return { err: '[a function]' };
  return { err: thrown };
}

const NO_SERIALIZERS = new SerializerSet({});
