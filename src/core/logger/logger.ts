import { currentContext } from '../record/context.js';
import type { LevelInput } from '../record/levels.js';
import type { RecordScope } from '../record/log-record.js';
import { fieldsJson } from '../record/serialize.js';
import type { Transport } from '../plugin/transport.js';
import type { RouterEvents } from '../routing/events.js';
import type { RouterStats } from '../routing/router.js';
import { formatMessage } from './format-message.js';
import type { LoggerTree } from './logger-tree.js';
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
  /** Calls that named an unknown level: ignored, counted and diagnosed. */
  unknownLevels: number;
}

export interface ChildOptions {
  level?: LevelInput;
}

export type LoggerEvents = RouterEvents;

function noop(): void {}

/**
 * The logger: level methods that are no-ops below the threshold (so a disabled call costs
 * one empty function call), record building for enabled ones, children with bindings
 * serialised once. Its state is private, so no custom level name can reach it; a level
 * name may not shadow anything on the prototype (see reservedLevelNames).
 */
export class Logger {
  declare trace: LogFn;
  declare debug: LogFn;
  declare info: LogFn;
  declare warn: LogFn;
  declare error: LogFn;
  declare fatal: LogFn;

  #tree: LoggerTree;
  #scope: RecordScope;
  #threshold: number;

  /** @internal Loggers are made by createLogger() and child(). */
  constructor(tree: LoggerTree, level: number, bindingsJson: string) {
    this.#tree = tree;
    this.#scope = tree.scopeFor(bindingsJson);
    this.#threshold = level;
    this.#installMethods();
  }

  get level(): string {
    return this.#tree.levels.label(this.#threshold);
  }

  /** An unknown name keeps the current level; the call is counted and diagnosed. */
  set level(level: LevelInput) {
    const value = this.#tree.levelOf(level, 'level');
    if (value === undefined) return;
    this.#threshold = value;
    this.#installMethods();
  }

  /** The numeric threshold of this logger. */
  get levelValue(): number {
    return this.#threshold;
  }

  /** False for an unknown level (counted and diagnosed). */
  isLevelEnabled(level: LevelInput): boolean {
    const value = this.#tree.levelOf(level, 'isLevelEnabled');
    return value !== undefined && value >= this.#threshold && value >= this.#tree.router.minThreshold;
  }

  /** A logger whose records all carry `bindings`; they are redacted and serialised now, once. */
  child(bindings: Record<string, unknown>, options: ChildOptions = {}): Logger {
    const tree = this.#tree;
    let own: string;
    try {
      own = fieldsJson(tree.redactor ? tree.redactor(bindings) : bindings, tree.shape.safe);
    } catch (error) {
      // Never throws into the caller: the child logs, saying what was wrong with its bindings.
      own = fieldsJson({ bindingsError: `bindings could not be used: ${describeError(error)}` });
    }
    const json = this.#scope.bindingsJson + own;
    const level = options.level === undefined ? undefined : tree.levelOf(options.level, 'child');
    return new Logger(tree, level ?? this.#threshold, json);
  }

  /** Logs at a level given by name or number; an unknown level drops the call (counted and diagnosed). */
  log(level: LevelInput, ...args: unknown[]): void {
    const value = this.#tree.levelOf(level, 'log');
    if (value === undefined || value < this.#threshold || value < this.#tree.router.minThreshold) return;
    this.#write(value, args.length, args[0], args[1], args);
  }

  /**
   * Resolves once every record logged before the call is delivered or failed: true then,
   * or false if `timeoutMs` passes first (a stalled destination).
   */
  flush(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#tree.router.flush(options.timeoutMs);
  }

  /** Writes buffered lines synchronously, where transports can. */
  flushSync(): void {
    this.#tree.flushSync();
  }

  /**
   * Flushes and ends every transport; resolves (true) when all are closed. With `timeoutMs`,
   * targets that have not settled by then are given up (their records counted as failed or
   * abandoned, their descriptors closed) and it resolves false. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.#tree.close(options.timeoutMs);
  }

  /** `await using log = createLogger()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * A Writable for records from elsewhere (NDJSON lines or objects) that honours
   * backpressure: write() returns false while a `block` target is full.
   */
  stream(options: ProducerStreamOptions = {}): ProducerStream {
    return new ProducerStream(this.#tree, this.#scope, options);
  }

  /** Skip a target until marked healthy again (or its cooldown lets a probe through). */
  markTargetUnhealthy(id: string): void {
    this.#tree.router.markTargetUnhealthy(id);
  }

  markTargetHealthy(id: string): void {
    this.#tree.router.markTargetHealthy(id);
  }

  /** The transports records are routed to, in config order. */
  get transports(): readonly Transport[] {
    return this.#tree.router.transports;
  }

  get closed(): boolean {
    return this.#tree.closed;
  }

  stats(): LoggerStats {
    const tree = this.#tree;
    return {
      logged: tree.logged,
      droppedAfterClose: tree.droppedAfterClose,
      unknownLevels: tree.unknownLevels,
      ...tree.router.stats(),
    };
  }

  on<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.#tree.router.on(event, listener as never);
    return this;
  }

  once<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.#tree.router.once(event, listener as never);
    return this;
  }

  off<K extends keyof LoggerEvents>(event: K, listener: (...args: LoggerEvents[K]) => void): this {
    this.#tree.router.off(event, listener as never);
    return this;
  }

  #installMethods(): void {
    const tree = this.#tree;
    const effective = Math.max(this.#threshold, tree.router.minThreshold);
    const self = this as unknown as Record<string, LogFn>;
    for (const name of tree.levels.names()) {
      const value = tree.levels.values[name]!;
      self[name] = value >= effective ? this.#levelMethod(value) : noop;
    }
  }

  #levelMethod(level: number): LogFn {
    const logger = this;
    return function logAtLevel(a?: unknown, b?: unknown): void {
      // Reading arguments.length/[i] does not materialise an arguments object in V8.
      const n = arguments.length;
      if (n <= 2) logger.#write(level, n, a, b, undefined);
      else logger.#write(level, n, a, b, Array.prototype.slice.call(arguments) as unknown[]);
    } as LogFn;
  }

  #write(level: number, n: number, a: unknown, b: unknown, all: unknown[] | undefined): void {
    const tree = this.#tree;
    let msg: string | undefined;
    try {
      let fields: Record<string, unknown> | undefined;
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
        if (tree.redactor !== undefined) fields = tree.redactor(fields);
      } else if (n > 0 && !(a === undefined || a === null)) {
        msg = n === 1 ? String(a) : formatMessage(String(a), all ?? [a, b], 1);
      } else if (n >= 2) {
        msg = messageFrom(b, n, all, a);
      }
      tree.emit(level, Date.now(), msg, fields, this.#scope, currentContext());
    } catch (error) {
      // Building the record failed (a hostile Proxy, a throwing censor): the call is still
      // logged, with what went wrong in place of what could not be read.
      const logError = `record could not be built: ${describeError(error)}`;
      tree.emit(level, Date.now(), msg, { logError }, this.#scope, undefined);
    }
  }
}

/**
 * Names a custom level may not take: everything a logger has on its prototype chain
 * (methods, accessors, Object's own members such as toString and constructor), plus
 * `then` (a logger must never look like a promise) and `silent` (the level above all).
 */
export function reservedLevelNames(): ReadonlySet<string> {
  const names = new Set(['then', 'silent']);
  for (let proto: object | null = Logger.prototype; proto !== null; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  return names;
}
function messageFrom(b: unknown, n: number, all: unknown[] | undefined, a: unknown): string | undefined {
  if (b === undefined && n === 2) return undefined;
  if (typeof b === 'string') return n === 2 ? b : formatMessage(b, all ?? [a, b], 2);
  return formatMessage(String(b), all ?? [a, b], 2);
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an unprintable error';
  }
}

function safeErrorMessage(error: Error): string {
  try {
    return String(error.message);
  } catch {
    return '[message getter threw]';
  }
}
