import type { LevelTable } from '../record/levels.js';
import { registerForExit, unregisterForExit } from './exit-hooks.js';
import { LogRecord, type RecordScope, type RecordShape } from '../record/log-record.js';
import type { Redactor } from '../record/redact.js';
import type { Router } from '../routing/router.js';

/** A record given as a plain object, taken apart: level, time and message, and the rest. */
function splitRecordObject(object: Record<string, unknown>, shape: RecordShape, levels: LevelTable) {
  const { level: rawLevel, time: rawTime, [shape.messageKey]: rawMsg, ...fields } = object;
  let level = levels.value('info');
  if (typeof rawLevel === 'number' && Number.isFinite(rawLevel)) level = rawLevel;
  else if (typeof rawLevel === 'string' && rawLevel !== 'silent' && levels.has(rawLevel)) level = levels.value(rawLevel);
  const parsedTime = typeof rawTime === 'number' ? rawTime : typeof rawTime === 'string' ? Date.parse(rawTime) : Number.NaN;
  return {
    level,
    time: Number.isFinite(parsedTime) ? parsedTime : Date.now(),
    msg: rawMsg === undefined ? undefined : String(rawMsg),
    fields,
  };
}

/** State shared by a root logger and all of its children. */
export class LoggerCore {
  closed = false;
  logged = 0;
  droppedAfterClose = 0;
  private closing: Promise<boolean> | undefined;

  constructor(
    readonly levels: LevelTable,
    readonly shape: RecordShape,
    readonly router: Router,
    readonly redactor: Redactor | undefined,
    exitFlush: boolean,
    readonly handleExceptions: boolean,
    readonly handleSignals: boolean,
    private readonly rootScope: RecordScope,
  ) {
    if (exitFlush) registerForExit(this);
  }

  flushSync(): void {
    this.router.flushSync();
  }

  /** A record that arrives as an object (log.stream()): level, time and message are taken from it. */
  ingest(object: Record<string, unknown>, scope: RecordScope): void {
    if (this.closed) {
      this.droppedAfterClose++;
      return;
    }
    const parts = splitRecordObject(object, this.shape, this.levels);
    if (parts.level < this.router.minThreshold) return;
    const fields = this.redactor ? this.redactor(parts.fields) : parts.fields;
    this.logged++;
    this.router.dispatch(new LogRecord(parts.level, parts.time, parts.msg, fields, scope, undefined));
  }

  /**
   * A record back from a spool file: its JSON line already holds base, bindings and
   * redaction, so it is rebuilt as fields without adding any. Routed to one target only,
   * it is its own record for failure reporting.
   */
  revive(line: string): LogRecord {
    let object: Record<string, unknown>;
    try {
      object = JSON.parse(line) as Record<string, unknown>;
    } catch {
      object = { msg: line.trimEnd(), invalidJson: true };
    }
    const parts = splitRecordObject(object, this.shape, this.levels);
    const record = new LogRecord(parts.level, parts.time, parts.msg, parts.fields, this.revivedScope, undefined);
    record.sentTo = 1;
    return record;
  }

  private revivedScopeCache: RecordScope | undefined;

  private get revivedScope(): RecordScope {
    this.revivedScopeCache ??= { shape: this.shape, bindingsJson: '', redactor: undefined };
    return this.revivedScopeCache;
  }

  /** A warning from the logger itself (e.g. a drop summary), routed like any record. */
  warn(fields: Record<string, unknown>, msg: string): void {
    if (this.closed) return;
    const warn = this.levels.value('warn');
    if (warn < this.router.minThreshold) return;
    this.logged++;
    const record = new LogRecord(warn, Date.now(), msg, fields, this.rootScope, undefined);
    record.internal = true;
    this.router.dispatch(record);
  }

  /** The uncaught exception that is about to end the process, as a fatal record. */
  logUncaught(error: unknown, origin: string): void {
    if (this.closed) return;
    const fatal = this.levels.value('fatal');
    if (fatal < this.router.minThreshold) return;
    const err = error instanceof Error ? error : new Error(String(error));
    const message = origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception';
    this.logged++;
    this.router.dispatch(new LogRecord(fatal, Date.now(), message, { err }, this.rootScope, undefined));
  }

  scopeFor(bindingsJson: string): RecordScope {
    return { shape: this.shape, bindingsJson, redactor: this.redactor };
  }

  close(timeoutMs?: number): Promise<boolean> {
    this.closing ??= (async () => {
      this.closed = true;
      try {
        return await this.router.close(timeoutMs);
      } finally {
        unregisterForExit(this);
      }
    })();
    return this.closing;
  }
}

