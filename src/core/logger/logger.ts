import { currentContext } from '../record/context.js';
import { formatMessage } from './format-message.js';
import type { LevelInput } from '../record/levels.js';
import type { LoggerCore } from './logger-tree.js';
import { LogRecord, type RecordScope } from '../record/log-record.js';
import type { RouterEvents, RouterStats } from '../routing/router.js';
import { fieldsJson } from '../record/serialize.js';
import type { Transport } from '../plugin/transport.js';
import { ProducerStream, type ProducerStreamOptions } from './producer-stream.js';

/** A level method: pino's calling convention. */
export interface LogFn {
  (): void;
  (msg: string, ...args: unknown[]): void;
  (obj: object | null | undefined, msg?: string, ...args: unknown[]): void;
  (value: unknown, ...args: unknown[]): void;
}

export interface LoggerStats extends RouterStats {
  /** Records built and routed. */
  logged: number;
  /** Calls made after close(), ignored. */
  droppedAfterClose: number;
}

export interface ChildOptions {
  level?: LevelInput;
}

export type LoggerEvents = RouterEvents;

function noop(): void {}

/**
 * The logger: level methods that are no-ops below the threshold (so a disabled call costs
 * one empty function call), record building for enabled ones, children with bindings
 * serialised once.
 */
export class Logger {
  declare trace: LogFn;
  declare debug: LogFn;
  declare info: LogFn;
  declare warn: LogFn;
  declare error: LogFn;
  declare fatal: LogFn;

  private threshold: number;
  private readonly scope: RecordScope;

  constructor(
    private readonly core: LoggerCore,
    level: number,
    bindingsJson: string,
  ) {
    this.scope = core.scopeFor(bindingsJson);
    this.threshold = level;
    this.installMethods();
  }

  get level(): string {
    return this.core.levels.label(this.threshold);
  }

  set level(level: LevelInput) {
    this.threshold = this.core.levels.value(level);
    this.installMethods();
  }

  /** The numeric threshold of this logger. */
  get levelValue(): number {
    return this.threshold;
  }

  isLevelEnabled(level: LevelInput): boolean {
    const value = this.core.levels.value(level);
    return value >= this.threshold && value >= this.core.router.minThreshold;
  }

  /** A logger whose records all carry `bindings`; they are redacted and serialised now, once. */
  child(bindings: Record<string, unknown>, options: ChildOptions = {}): Logger {
    const redacted = this.core.redactor ? this.core.redactor(bindings) : bindings;
    const json = this.scope.bindingsJson + fieldsJson(redacted, this.core.shape.safe);
    const level = options.level === undefined ? this.threshold : this.core.levels.value(options.level);
    return new Logger(this.core, level, json);
  }

  /** Logs at a level given by name or number (for custom levels from code). */
  log(level: LevelInput, ...args: unknown[]): void {
    let value: number;
    try {
      value = this.core.levels.value(level);
    } catch {
      return;
    }
    if (value < this.threshold || value < this.core.router.minThreshold) return;
    this.write(value, args.length, args[0], args[1], args);
  }

  /**
   * Resolves once every record logged before the call is delivered or failed: true then,
   * or false if `timeoutMs` passes first (a stalled destination).
   */
  flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.core.router.flush(options.timeoutMs);
  }

  /** Writes buffered lines synchronously, where transports can. */
  flushSync(): void {
    this.core.flushSync();
  }

  /**
   * Flushes and ends every transport; resolves (true) when all are closed. With `timeoutMs`,
   * targets that have not settled by then are given up (their records counted as failed or
   * abandoned, their descriptors closed) and it resolves false. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.core.close(options.timeoutMs);
  }

  /**
   * A Writable for records from elsewhere (NDJSON lines or objects) that honours
   * backpressure: write() returns false while a `block` target is full.
   */
  stream(options: ProducerStreamOptions = {}): ProducerStream {
    return new ProducerStream(this.core, this.scope, options);
  }

  /** Skip a target until marked healthy again (or its cooldown lets a probe through). */
  markTargetUnhealthy(id: string): void {
    this.core.router.markTargetUnhealthy(id);
  }

  markTargetHealthy(id: string): void {
    this.core.router.markTargetHealthy(id);
  }

  /** The transports records are routed to, in config order. */
  get transports(): readonly Transport[] {
    return this.core.router.transports;
  }

  get closed(): boolean {
    return this.core.closed;
  }

  stats(): LoggerStats {
    return { logged: this.core.logged, droppedAfterClose: this.core.droppedAfterClose, ...this.core.router.stats() };
  }

  on<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.core.router.on(event, listener as never);
    return this;
  }

  once<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.core.router.once(event, listener as never);
    return this;
  }

  off<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.core.router.off(event, listener as never);
    return this;
  }

  private installMethods(): void {
    const effective = Math.max(this.threshold, this.core.router.minThreshold);
    const self = this as unknown as Record<string, LogFn>;
    for (const name of this.core.levels.names()) {
      const value = this.core.levels.values[name]!;
      self[name] = value >= effective ? this.levelMethod(value) : noop;
    }
  }

  private levelMethod(level: number): LogFn {
    const logger = this;
    return function logAtLevel(a?: unknown, b?: unknown): void {
      // Reading arguments.length/[i] does not materialise an arguments object in V8.
      const n = arguments.length;
      if (n <= 2) logger.write(level, n, a, b, undefined);
      else logger.write(level, n, a, b, Array.prototype.slice.call(arguments) as unknown[]);
    } as LogFn;
  }

  private write(level: number, n: number, a: unknown, b: unknown, all: unknown[] | undefined): void {
    const core = this.core;
    if (core.closed) {
      core.droppedAfterClose++;
      return;
    }
    try {
      let fields: Record<string, unknown> | undefined;
      let msg: string | undefined;
      if (typeof a === 'string') {
        msg = n === 1 ? a : formatMessage(a, all ?? [a, b], 1);
      } else if (typeof a === 'object' && a !== null) {
        if (a instanceof Error) {
          fields = { err: a };
          msg = n >= 2 ? messageFrom(b, n, all, a) : safeErrorMessage(a);
        } else {
          fields = a as Record<string, unknown>;
          if (n >= 2) msg = messageFrom(b, n, all, a);
        }
        if (core.redactor !== undefined) fields = core.redactor(fields);
      } else if (n > 0 && !(a === undefined || a === null)) {
        msg = n === 1 ? String(a) : formatMessage(String(a), all ?? [a, b], 1);
      } else if (n >= 2) {
        msg = messageFrom(b, n, all, a);
      }
      core.logged++;
      core.router.dispatch(new LogRecord(level, Date.now(), msg, fields, this.scope, currentContext()));
    } catch (error) {
      core.router.diagnose('a log call failed and was dropped', error);
    }
  }
}

function messageFrom(b: unknown, n: number, all: unknown[] | undefined, a: unknown): string | undefined {
  if (b === undefined && n === 2) return undefined;
  if (typeof b === 'string') return n === 2 ? b : formatMessage(b, all ?? [a, b], 2);
  return formatMessage(String(b), all ?? [a, b], 2);
}

function safeErrorMessage(error: Error): string {
  try {
    return String(error.message);
  } catch {
    return '[message getter threw]';
  }
}
