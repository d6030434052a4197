import { currentContext } from '../record/context.js';
import { DEFAULT_LEVELS, type LevelInput, type LevelName, type LevelTable } from '../record/levels.js';
import type { RecordScope } from '../record/log-record.js';
import {
  createRedactor,
  messageLeftOut,
  type RedactOptions,
  type Redactor,
  redactMessage,
  redactMessageValue,
} from '../record/redact.js';
import {
  enterRedactingCall,
  forgetCopies,
  leaveRedactingCall,
  noteCopyForRedaction,
} from '../record/redacted-copies.js';
import { fieldsJson, type SafeOptions, safeJson, textOf } from '../record/serialize.js';
import { isTransport, type Transport } from '../plugin/transport.js';
import type { RouterStats } from '../routing/router.js';
import { formatMessage, joinArgs } from './format-message.js';
import { withErrorLike } from './error-like.js';
import { httpFields } from './http-objects.js';
import { VERSION } from './version.js';
import { LoggerEventSource } from './logger-events.js';
import type { FieldsHook, LoggerTree } from './logger-tree.js';
import { adoptPinoSymbols, type PinoMembers } from './pino-symbols.cjs';
import { ProducerStream, type ProducerStreamOptions } from './producer-stream.js';
import type { Serializer, SerializerSet, Serializers } from './serializers.js';
import { describeThrown } from '../util/thrown.js';
import { hasPlainPrototype } from '../util/plain-prototype.js';
import { isAnyError } from '../util/value-kinds.js';

/** What `child(bindings, { customLevels })` adds to the child's type, as pino's child does. */
export type ChildLevelMethods<ChildLevels extends string> = { readonly [K in ChildLevels]: LogFn } & {
  readonly customLevels: { [K in ChildLevels]: number };
};

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

/** pino's child options. Others (pino-http and Fastify pass their own) are ignored. */
export interface ChildOptions<ChildLevels extends string = never> {
  level?: LevelInput | undefined;
  /**
   * pino's: level methods for this child and its children. A name the logger's levels have
   * at that number is the same level; another logs at its number (`"level": 35`).
   */
  customLevels?: { [level in ChildLevels]: number } | undefined;
  /** Added to the parent's; applied to the child's bindings and to every record's fields. */
  serializers?: Serializers | undefined;
  /** Redaction paths for this child, in place of the tree's. */
  redact?: string[] | RedactOptions | undefined;
  /** Put before every message of the child (after the parent's prefix). */
  msgPrefix?: string | undefined;
  /**
   * pino's: `bindings` reshapes this child's own bindings (not its children's), `log` each
   * record's fields in place of the parent's (its children inherit it). A child's `level`
   * formatter is not used, as in pino: the level is written as the logger writes it.
   */
  formatters?: {
    level?: (label: string, value: number) => object;
    bindings?: (bindings: Record<string, unknown>) => object;
    log?: (fields: Record<string, unknown>) => object;
  };
}

/** What one logger holds of its own: level, scope (bindings, redaction), serializers, message prefix. */
export interface LoggerSettings {
  level: number;
  scope: RecordScope;
  serializers: SerializerSet;
  msgPrefix: string | undefined;
  /** Levels a child was given beyond the tree's (pino's child `customLevels`), by name. */
  extraLevels?: Readonly<Record<string, number>>;
  /** pino's mixin and formatters.log for this logger (undefined: the tree's). */
  fieldsHook?: FieldsHook;
}

export type { LoggerEvents } from './logger-events.js';

function noop(): void {}

const NO_EXTRA_LEVELS: Readonly<Record<string, number>> = Object.freeze({});

/** What a logger answers under pino's own member symbols (see pino-symbols.cts); set in Logger's static block. */
let pinoMembers: PinoMembers<Logger>;

/**
 * The logger: level methods that are no-ops below the threshold (so a disabled call costs
 * one empty function call), record building for enabled ones, children with bindings
 * serialised once. Its state is private, so no custom level name can reach it; a level
 * name may not shadow anything on the prototype (see reservedLevelNames).
 */
export class Logger extends LoggerEventSource {
  declare trace: LogFn;
  declare debug: LogFn;
  declare info: LogFn;
  declare warn: LogFn;
  declare error: LogFn;
  declare fatal: LogFn;

  #tree: LoggerTree;
  #scope: RecordScope;
  #threshold: number;
  #serializers: SerializerSet;
  #msgPrefix: string | undefined;
  /** pino's serializer for the message key (`serializers.msg`), applied to each record's message. */
  #msgSerializer: Serializer | undefined;
  /** Whether a message has more done to it (a prefix, a serializer): one check on the hot path for both. */
  #messageSteps: boolean;
  #extraLevels: Readonly<Record<string, number>>;
  #fieldsHook: FieldsHook | undefined;

  static {
    pinoMembers = {
      // An object's JSON as this logger binds it (serializers and redaction applied), so that
      // pino-http finds props it bound before in the bindings' text.
      stringify: (logger, value) => {
        if (typeof value !== 'object' || value === null) return '{}';
        const props = value as Record<string, unknown>;
        return `{${bindingsFragment(logger.#tree, logger.#serializers, logger.#scope.redactor, props).slice(1)}}`;
      },
      // The bindings as the lines hold them, `,"key":value…`, base keys included, as pino's.
      chindings: (logger) => logger.#scope.bindingsJson,
    };
  }

  /** @internal Loggers are made by createLogger() and child(). */
  constructor(tree: LoggerTree, settings: LoggerSettings) {
    super();
    this.#tree = tree;
    // Context fields are written through the logger's serializers too (see contextJson).
    this.#scope =
      settings.scope.serializers === settings.serializers
        ? settings.scope
        : { ...settings.scope, serializers: settings.serializers };
    this.#threshold = settings.level;
    this.#serializers = settings.serializers;
    this.#msgPrefix = settings.msgPrefix;
    const messageKey = tree.shape.messageKey;
    const all = settings.serializers.all;
    this.#msgSerializer = Object.hasOwn(all, messageKey) ? all[messageKey] : undefined;
    this.#messageSteps = this.#msgPrefix !== undefined || this.#msgSerializer !== undefined;
    this.#extraLevels = settings.extraLevels ?? NO_EXTRA_LEVELS;
    this.#fieldsHook = settings.fieldsHook ?? tree.fieldsHook;
    this.#installMethods();
  }

  get level(): string {
    return this.#levels.nameFor(this.#threshold, this.#extraLevels);
  }

  /** The level names this logger knows: the tree's, and a child's own customLevels (its shape carries them). */
  get #levels(): LevelTable {
    return this.#scope.shape.levels;
  }

  /** An unknown name keeps the current level; the call is counted and diagnosed. Emits pino's `level-change`. */
  set level(level: LevelInput) {
    const value = this.#tree.levelOf(level, 'level', this.#levels, this.#extraLevels);
    if (value === undefined) return;
    const previous = this.#threshold;
    this.#threshold = value;
    this.#installMethods();
    const router = this.#tree.router;
    if (previous !== value && router.listenerCount('level-change') > 0) {
      // Named as `level` reads them: names this logger can be set to.
      const levels = this.#levels;
      const own = this.#extraLevels;
      router.emit('level-change', levels.nameFor(value, own), value, levels.nameFor(previous, own), previous, this);
    }
  }

  /** The streamlog version (pino's `logger.version` is pino's). */
  get version(): string {
    return VERSION;
  }

  /** The numeric threshold of this logger. */
  get levelValue(): number {
    return this.#threshold;
  }

  /** pino's name for levelValue. */
  get levelVal(): number {
    return this.#threshold;
  }

  /** pino's `levels`: `{ values: { info: 30, … }, labels: { 30: 'info', … } }`, custom levels included. */
  get levels(): LoggerTree['levels']['mapping'] {
    const mapping = this.#levels.mapping;
    if (this.#extraLevels === NO_EXTRA_LEVELS) return mapping;
    // A child's own customLevels are levels of that child, as pino's `levels` shows them.
    const values = { ...mapping.values, ...this.#extraLevels };
    const labels: Record<number, string> = { ...mapping.labels };
    for (const [name, value] of Object.entries(this.#extraLevels)) labels[value] ??= name;
    return { values, labels };
  }

  /**
   * pino's: the levels besides pino's own, by name. Typed by createLogger's `levels` and a
   * child's `customLevels` (pino infers its level names from it), here as none.
   */
  get customLevels(): { readonly [level in never]: number } {
    const values = { ...this.#levels.values, ...this.#extraLevels };
    return Object.fromEntries(Object.entries(values).filter(([name, value]) => DEFAULT_LEVELS[name] !== value));
  }

  /** pino's: true when only the custom levels are levels (createLogger's `useOnlyCustomLevels`). */
  get useOnlyCustomLevels(): boolean {
    return !Object.keys(DEFAULT_LEVELS).some((name) => this.#tree.levels.has(name));
  }

  /** pino's deprecated flag, always false: `levelFormat: "label"` writes level names. */
  get useLevelLabels(): boolean {
    return false;
  }

  /**
   * pino's: called with every child logger made from this one, and inherited by them;
   * `createLogger({ onChild })` sets it for the whole tree, `log.onChild = fn` for one branch.
   * The child is a Logger; typed as an empty object because TypeScript infers pino's custom
   * level names from this parameter (pino-http's `logger` option): with no keys here, none.
   */
  onChild(child: Record<never, never>): void {
    this.#tree.onChild?.(child as never);
  }

  /** The serializers in force (pino reads them as `logger.serializers`). */
  get serializers(): Serializers {
    return this.#serializers.all;
  }

  get msgPrefix(): string | undefined {
    return this.#msgPrefix;
  }

  /** The bindings of this logger (and its parents), without pid and hostname, as pino returns them. */
  bindings(): Record<string, unknown> {
    const all = JSON.parse(`{${this.#scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
    delete all.pid;
    delete all.hostname;
    return all;
  }

  /** Adds bindings to this logger itself (not a child), as pino's setBindings does. */
  setBindings(bindings: Record<string, unknown>): void {
    const own = bindingsFragment(this.#tree, this.#serializers, this.#scope.redactor, bindings);
    this.#scope = { ...this.#scope, bindingsJson: this.#scope.bindingsJson + own };
  }

  /** pino's no-op level method: the level above all. */
  silent(..._args: unknown[]): void {}

  /** A short description when a logger is itself logged: never its internals. */
  toJSON(): { type: 'Logger'; level: string; bindings: Record<string, unknown> } {
    return { type: 'Logger', level: this.level, bindings: this.bindings() };
  }

  /** False for an unknown level (counted and diagnosed). */
  isLevelEnabled(level: LevelInput): boolean {
    const value = this.#tree.levelOf(level, 'isLevelEnabled', this.#levels, this.#extraLevels);
    return value !== undefined && value >= this.#threshold && value >= this.#tree.router.minThreshold;
  }

  /**
   * A logger whose records all carry `bindings`; they are serialised, redacted and turned
   * into JSON now, once. Options as pino's: `level`, `serializers`, `redact`, `msgPrefix`.
   */
  child<ChildLevels extends string = never>(
    bindings: Record<string, unknown>,
    options?: ChildOptions<ChildLevels>,
  ): this & ChildLevelMethods<ChildLevels> {
    // Made by the thousand (a child per request): without options, no options object and the parent's settings.
    if (options === undefined || options === null) return this.#childWithParentSettings<ChildLevels>(bindings);
    try {
      return this.#childWithOptions(bindings, options);
    } catch (error) {
      // An option that cannot be read (a Proxy, a prefix whose toString throws): the child is
      // made with its bindings and the parent's settings, and the mistake is reported.
      this.#tree.router.diagnose(`child options ignored: ${describeThrown(error)}`, error);
      return this.#childWithParentSettings<ChildLevels>(bindings);
    }
  }

  /** A child with its bindings alone: every other setting the parent's. */
  #childWithParentSettings<ChildLevels extends string>(
    bindings: Record<string, unknown>,
  ): this & ChildLevelMethods<ChildLevels> {
    return this.#childWith(
      bindings,
      this.#threshold,
      this.#serializers,
      this.#scope,
      this.#msgPrefix,
      this.#extraLevels,
      this.#fieldsHook,
    );
  }

  #childWithOptions<ChildLevels extends string>(
    bindings: Record<string, unknown>,
    options: ChildOptions<ChildLevels>,
  ): this & ChildLevelMethods<ChildLevels> {
    const tree = this.#tree;
    // pino-http makes its logger as child({}, itsOptions), and reads pino's members when those hold customProps.
    if ((options as { customProps?: unknown }).customProps !== undefined)
      adoptPinoSymbols(Logger.prototype, pinoMembers);
    const extraLevels = this.#childLevels(options.customLevels);
    let scope = this.#scope;
    // Level names of its own: the tree learns them, so its lines name them (formatters.level,
    // levelFormat "label") and lines read back are read by them, and its level, isLevelEnabled
    // and log() know them, as pino's child({ customLevels, level }). A name a sibling gave
    // another number: this child's records get a shape of their own (they do not wait as lines).
    if (extraLevels !== this.#extraLevels && !tree.levels.learn(extraLevels)) {
      scope = { ...scope, shape: scope.shape.withLevels(tree.levels.with(extraLevels)) };
    }
    const level =
      options.level === undefined ? undefined : tree.levelOf(options.level, 'child', scope.shape.levels, extraLevels);
    const serializers = this.#serializers.with(options.serializers);
    if (options.redact !== undefined) {
      const spec = Array.isArray(options.redact) ? { paths: options.redact } : options.redact;
      try {
        scope = { ...scope, redactor: createRedactor(spec) };
      } catch (error) {
        // Bad paths: the parent's redaction stays in force, and the mistake is reported.
        tree.router.diagnose(`child redact ignored: ${describeThrown(error)}`);
      }
    }
    const msgPrefix =
      options.msgPrefix === undefined ? this.#msgPrefix : (this.#msgPrefix ?? '') + String(options.msgPrefix);
    const { bindings: formatBindings, log: formatLog } = options.formatters ?? {};
    let own = bindings;
    if (typeof formatBindings === 'function') {
      try {
        own = formatBindings(bindings) as Record<string, unknown>;
      } catch (error) {
        tree.router.diagnose(`child formatters.bindings threw: ${describeThrown(error)}`, error);
      }
    }
    const fieldsHook =
      typeof formatLog === 'function' && tree.fieldsHookWith !== undefined
        ? tree.fieldsHookWith(formatLog as (fields: Record<string, unknown>) => Record<string, unknown>)
        : this.#fieldsHook;
    return this.#childWith(own, level ?? this.#threshold, serializers, scope, msgPrefix, extraLevels, fieldsHook);
  }

  /** The child itself: its bindings turned into JSON before it is made, so its scope is made once. */
  #childWith<ChildLevels extends string>(
    bindings: Record<string, unknown>,
    level: number,
    serializers: SerializerSet,
    parentScope: RecordScope,
    msgPrefix: string | undefined,
    extraLevels: Readonly<Record<string, number>>,
    fieldsHook: FieldsHook | undefined,
  ): this & ChildLevelMethods<ChildLevels> {
    const tree = this.#tree;
    const own = bindingsFragment(tree, serializers, parentScope.redactor, bindings);
    const scope = { ...parentScope, bindingsJson: parentScope.bindingsJson + own, serializers };
    const settings = { level, scope, serializers, msgPrefix, extraLevels, fieldsHook };
    const child = new Logger(tree, settings);
    child.#isChild = true;
    // Assigned on this logger (pino's `log.onChild = fn`): its children inherit it.
    if (Object.hasOwn(this, 'onChild')) child.onChild = this.onChild;
    try {
      // `log.onChild = undefined` (or null) takes the hook off: each child said "onChild threw".
      if (typeof this.onChild === 'function') this.onChild(child);
    } catch (error) {
      tree.router.diagnose(`onChild threw: ${describeThrown(error)}`, error);
    }
    return child as this & ChildLevelMethods<ChildLevels>;
  }

  /** This logger's extra levels plus a child's own; a name that would shadow a member is diagnosed and skipped. */
  #childLevels(custom: Record<string, number> | undefined): Readonly<Record<string, number>> {
    if (custom === undefined || typeof custom !== 'object') return this.#extraLevels;
    // The levels as this logger has them (its tree's, its parents' own), not a sibling's.
    const { values, labels } = this.levels;
    const reserved = reservedLevelNames();
    const extra: Record<string, number> = { ...this.#extraLevels };
    let added = false;
    const ignored = (name: string, why: string): void =>
      this.#tree.router.diagnose(`child customLevels: "${name}" ignored (${why})`);
    for (const [name, value] of Object.entries(custom)) {
      const known = Object.hasOwn(values, name) ? values[name] : undefined;
      if (known === value) continue;
      if (reserved.has(name) || typeof value !== 'number' || !Number.isFinite(value)) {
        ignored(name, 'a logger member, or not a finite number');
        // As pino, which throws: a child renames or renumbers no level its parent has.
      } else if (known !== undefined) ignored(name, `the logger has it as level ${known}`);
      else if (labels[value] !== undefined) ignored(name, `level ${value} is the logger's "${labels[value]}"`);
      else {
        extra[name] = value;
        added = true;
      }
    }
    // None new: the parent's, so the child keeps the parent's shape too.
    return added ? extra : this.#extraLevels;
  }

  /** Logs at a level given by name or number; an unknown level drops the call (counted and diagnosed). */
  log(level: LevelInput, ...args: unknown[]): void {
    const value = this.#tree.levelOf(level, 'log', this.#levels, this.#extraLevels);
    if (value === undefined || value < this.#threshold || value < this.#tree.router.minThreshold) return;
    this.#write(value, args.length, args[0], args[1], args);
  }

  /**
   * Resolves once every record logged before the call is delivered or failed: true then,
   * or false if `timeoutMs` passes first (a stalled destination). A bare number is the timeout.
   */
  flush(options: number | { timeoutMs?: number } | ((error?: Error) => void) = {}): Promise<boolean> {
    if (typeof options === 'function') {
      // pino's flush(cb): called back once flushed, and the promise returned as well.
      const callback = options;
      const done = this.#tree.router.flush();
      done.then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
      return done;
    }
    return this.#tree.router.flush(timeoutOf(options));
  }

  /** Writes buffered lines synchronously, where transports can. */
  flushSync(): void {
    this.#tree.flushSync();
  }

  /**
   * Flushes and ends every transport; resolves (true) when all are closed. With `timeoutMs`,
   * targets that have not settled by then are given up (their records counted as failed or
   * abandoned, their descriptors closed) and it resolves false. Idempotent. A bare number
   * is the timeout too: `close(5000)` from JavaScript must not mean "no timeout".
   */
  close(options: number | { timeoutMs?: number } = {}): Promise<boolean> {
    // A child shares its parent's transports, which are not its to close: `await using reqLog =
    // log.child(…)` ended the application's logger at the end of the first request, every later
    // record dropped. Nor does it wait for delivery (a request would wait out a batch's interval).
    if (this.#isChild) return Promise.resolve(true);
    return this.#tree.close(timeoutOf(options));
  }

  /** `await using log = createLogger()` closes it at the end of the block (a child's: nothing to close). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Made by child(): its close() leaves the transports of the logger it came from open. */
  #isChild = false;

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

  /**
   * The transport with this id (an entry's `id`, else `type#index` such as `file#0`), to
   * listen to its events or read its stats: `log.transport<FileTransport>('app')?.on('progress', …)`.
   * A top-level entry's first, then one a wrapper holds (`buffered` around `validating`), at any depth.
   */
  transport<T extends Transport = Transport>(id: string): T | undefined {
    for (let level: readonly Transport[] = this.#tree.router.transports; level.length > 0; ) {
      const found = level.find((t) => t.id === id);
      if (found !== undefined) return found as T;
      level = level.flatMap((t) => {
        const inner = (t as { inner?: unknown }).inner;
        return isTransport(inner) ? [inner] : [];
      });
    }
    return undefined;
  }

  /** The transports records are routed to, in config order. */
  get transports(): readonly Transport[] {
    return this.#tree.router.transports;
  }

  /** Where records that fail are written (`router.deadLetter`, resolved), when there is such a file. */
  get deadLetterPath(): string | undefined {
    return this.#tree.router.deadLetterPath;
  }

  get closed(): boolean {
    return this.#tree.closed;
  }

  /** Counts that add up at every moment: `logged == delivered + failed + dropped + pending`. */
  stats(): LoggerStats {
    const tree = this.#tree;
    const router = tree.router.stats();
    const logged = tree.logged;
    // A record no target wanted (below every target's level) is settled: delivered nowhere.
    const open = logged - router.failed - router.dropped;
    const { pending, pendingDetail } = tree.router.pendingRecords(open, tree.router.unrouted);
    return {
      logged,
      droppedAfterClose: tree.droppedAfterClose,
      unknownLevels: tree.unknownLevels,
      ...router,
      delivered: open - pending,
      pending,
      pendingDetail,
    };
  }

  /** @internal */
  protected get emitter(): LoggerTree['router'] {
    return this.#tree.router;
  }

  #installMethods(): void {
    const tree = this.#tree;
    const effective = Math.max(this.#threshold, tree.router.minThreshold);
    if (tree.levels.builtInOnly && this.#extraLevels === NO_EXTRA_LEVELS) {
      this.#installBuiltInMethods(effective);
      return;
    }
    const self = this as unknown as Record<string, LogFn>;
    // The tree's levels in the order sorted once for the tree; a child's own customLevels after them.
    for (const { name, value } of tree.levels.ordered) {
      self[name] = value >= effective ? this.#hooked(this.#levelMethod(value), value) : noop;
    }
    for (const [name, value] of Object.entries(this.#extraLevels)) {
      self[name] = value >= effective ? this.#hooked(this.#levelMethod(value), value) : noop;
    }
  }

  /**
   * The six built-in levels' methods, stored by name (in the order of their numbers, as the
   * loop above stores them). A store under a name written in the code is a direct one; under
   * a name read from the level table it is looked up each time, which cost a logger made per
   * request about 100 ns of the 300 its methods took.
   */
  #installBuiltInMethods(effective: number): void {
    const self = this as unknown as Record<LevelName, LogFn>;
    self.trace = 10 >= effective ? this.#hooked(this.#levelMethod(10), 10) : noop;
    self.debug = 20 >= effective ? this.#hooked(this.#levelMethod(20), 20) : noop;
    self.info = 30 >= effective ? this.#hooked(this.#levelMethod(30), 30) : noop;
    self.warn = 40 >= effective ? this.#hooked(this.#levelMethod(40), 40) : noop;
    self.error = 50 >= effective ? this.#hooked(this.#levelMethod(50), 50) : noop;
    self.fatal = 60 >= effective ? this.#hooked(this.#levelMethod(60), 60) : noop;
  }

  /** The level method behind pino's hooks.logMethod, when one is configured; a hook that throws loses no call. */
  #hooked(method: LogFn, level: number): LogFn {
    const hook = this.#tree.logMethodHook;
    if (hook === undefined) return method;
    const logger = this;
    return function logThroughHook(...args: unknown[]): void {
      let called = false;
      const write = (...given: unknown[]): void => {
        called = true;
        method(...(given as [unknown]));
      };
      try {
        hook.call(logger, args, write, level);
      } catch (error) {
        // The hook was handed the whole call: with paths, its message may quote what they
        // cover, and a diagnostics handler that is handed the error may write it anywhere.
        if (logger.#scope.redactor === undefined) {
          logger.#tree.router.diagnose(`hooks.logMethod threw: ${describeThrown(error)}`, error);
        } else logger.#tree.router.diagnose(`hooks.logMethod threw; ${messageLeftOut('the call it was given')}`);
        // The call is logged as made, once: not again if the hook had already written it.
        if (!called) method(...(args as [unknown]));
      }
    } as LogFn;
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
    const redactor = this.#scope.redactor;
    // The message is the error's own (pino's rule): redaction of the error's message covers it too.
    let msgFromError = false;
    // As pino: msgPrefix goes before a message the call gave, not one taken from its fields.
    let msgFromFields = false;
    let msgRedacted = redactor === undefined;
    // The message is an object the fields held, redacted there by the fields' paths.
    let msgCensored = false;
    if (redactor !== undefined) enterRedactingCall();
    try {
      let fields: Record<string, unknown> | undefined;
      if (typeof a === 'string') {
        msg = n === 1 ? a : formatMessage(a, all ?? [a, b], 1, redactor);
      } else if (typeof a === 'object' && a !== null) {
        // An object literal (the usual call) is neither an error nor a request: only other
        // objects are asked, an error of another realm (node:vm, a test sandbox) included.
        const literal = isObjectLiteral(a);
        if (a instanceof Error || (!literal && isAnyError(a))) {
          const errorKey = tree.errorKey;
          fields = errorKey === 'err' ? { err: a } : { [errorKey]: a };
          if (n >= 2) msg = messageFrom(b, n, all, a, redactor, tree.shape.messageKey);
          // As pino: no message given (or an undefined one), the error's is the line's.
          if (msg === undefined) {
            msg = safeErrorMessage(a);
            msgFromError = true;
          }
        } else {
          const http = literal ? undefined : httpFields(a, this.#serializers);
          fields = http ?? withErrorLike(a as Record<string, unknown>, tree.errorKey, this.#serializers);
          if (n >= 2) msg = messageFrom(b, n, all, a, redactor, tree.shape.messageKey);
          if (msg === undefined) {
            // As pino: with no message given, the object's own message key is the line's
            // message (not an `@msg` field beside none), and then its error's is not taken.
            // Under a nestedKey the field stays nested and the line has no message.
            const messageKey = tree.shape.messageKey;
            const own = readOwn(fields, messageKey);
            if (own !== undefined) {
              if (tree.nestedKey === undefined) {
                msg = messageFrom(own, 2, undefined, a, redactor, messageKey);
                // An object there is censored by the fields' paths (see messageFrom), not again as text.
                msgCensored = redactor !== undefined && typeof own === 'object' && own !== null;
                msgFromFields = true;
                fields = withoutKey(fields, messageKey);
              }
            } else {
              msg = errMessageOf(fields, tree.errorKey);
              msgFromError = msg !== undefined;
            }
          }
        }
      } else if (n > 0 && !(a === undefined || a === null)) {
        msg = n === 1 ? String(a) : formatMessage(String(a), all ?? [a, b], 1, redactor);
      } else if (n >= 2) {
        msg = messageFrom(b, n, all, a, redactor, tree.shape.messageKey);
      }
      // pino's mixin and formatters.log, when configured: they may add fields to any call.
      if (this.#fieldsHook !== undefined) fields = this.#fieldsHook(fields, level, this, redactor);
      if (fields !== undefined) {
        if (this.#serializers.keys.length > 0) {
          const before = fields;
          fields = this.#serializers.apply(fields, redactor);
          // An `err` serializer that replaced the error (or threw) hides it from the redaction
          // below, which tells what the line's message repeats of it: asked of the error itself.
          if (redactor !== undefined && msgFromError && msg !== undefined && fields !== before) {
            const censored: string[] = [];
            redactor(before, false, censored);
            if (censored.length > 0) msg = redactor.scrub(msg, censored);
          }
        }
        if (redactor !== undefined) {
          if (msgFromError && msg !== undefined) {
            const censored: string[] = [];
            fields = redactor(fields, false, censored);
            if (censored.length > 0) msg = redactor.scrub(msg, censored);
          } else fields = redactor(fields);
        }
        const nestedKey = tree.nestedKey;
        if (nestedKey !== undefined) fields = { [nestedKey]: fields };
      }
      if (this.#messageSteps && msg !== undefined) {
        if (this.#msgPrefix !== undefined && !msgFromError && !msgFromFields) msg = this.#msgPrefix + msg;
        // As pino: the message key's serializer sees the message as the line would write it.
        if (this.#msgSerializer !== undefined) msg = serializeMessage(this.#msgSerializer, tree.shape, msg);
      }
      if (redactor !== undefined && msg !== undefined && !msgCensored) {
        msg = redactMessage(redactor, tree.shape.messageKey, msg);
      }
      msgRedacted = true;
      tree.emit(level, Date.now(), msg, fields, this.#scope, currentContext());
    } catch (error) {
      // Building the record failed (a hostile Proxy, a throwing censor): the call is still
      // logged, with what went wrong in place of what could not be read. A message redaction
      // has not yet been applied to is kept only if it can be redacted now.
      // The object could not be read before the message after it was (a Proxy whose traps
      // throw): the message the call gave is still the line's.
      if (msg === undefined && n >= 2 && typeof a === 'object' && a !== null) {
        msg = messageAfterHostileObject(b, n, all, a, redactor, tree.shape.messageKey, this.#msgPrefix);
      }
      if (!msgRedacted && msg !== undefined) msg = msgFromError ? undefined : tryRedactMessage(redactor!, tree, msg);
      const logError = `record could not be built: ${describeThrown(error)}`;
      tree.emit(level, Date.now(), msg, { logError }, this.#scope, undefined);
    } finally {
      if (redactor !== undefined) leaveRedactingCall();
    }
  }
}

/**
 * The timeout of flush/close: a bare number, or `timeoutMs`. From JavaScript a bare string
 * (`close(process.env.SHUTDOWN_MS)`) is read as the number it holds; reading `timeoutMs` of
 * it gave no timeout at all, so a stalled destination held the promise forever.
 */
function timeoutOf(options: unknown): number | undefined {
  if (typeof options === 'number') return options;
  if (typeof options === 'string') return options.trim() === '' ? undefined : Number(options);
  if (typeof options === 'object' && options !== null) return (options as { timeoutMs?: number }).timeoutMs;
  return undefined;
}

/**
 * The message a `serializers.msg` gives: its text, no message for undefined or null, the JSON
 * text of any other value (a message here is always a string), a marker if it throws.
 */
function serializeMessage(
  serializer: Serializer,
  shape: { messageKey: string; safe: SafeOptions },
  msg: string,
): string | undefined {
  let value: unknown;
  try {
    value = serializer(msg);
  } catch (error) {
    return `[serializer ${shape.messageKey} threw: ${describeThrown(error)}]`;
  }
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  // An object's JSON text as fields are written: a cycle, a BigInt or a throwing getter inside
  // is marked where it is, not the whole value lost to "[object Object]".
  if (typeof value === 'object') return safeJson(value, shape.safe);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return `[serializer ${shape.messageKey} gave a value that cannot be written]`;
    }
  }
}

function tryRedactMessage(redactor: Redactor, tree: LoggerTree, msg: string): string | undefined {
  try {
    return redactMessage(redactor, tree.shape.messageKey, msg);
  } catch {
    return undefined;
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
function messageFrom(
  b: unknown,
  n: number,
  all: unknown[] | undefined,
  a: unknown,
  redactor: Redactor | undefined,
  /** The line's message key, for an object given as the message (redacted by its paths). */
  messageKey: string,
): string | undefined {
  if (b === undefined && n === 2) return undefined;
  if (typeof b === 'string') return n === 2 ? b : formatMessage(b, all ?? [a, b], 2, redactor);
  // An object as the message: pino writes the object itself; a message here is always a
  // string, so it is the object's JSON text (a null-prototype object included), redacted.
  if (typeof b === 'object' && b !== null) {
    const args = all ?? [a, b];
    // Censored first as the line's message key would hold it (`msg.password`), as pino censors
    // the object it writes there; the JSON text is then made of what is left.
    if (redactor !== undefined) {
      const value = redactMessageValue(redactor, messageKey, b);
      if (value === undefined && n === 2) return undefined;
      args[1] = value;
    }
    return joinArgs(args, 1, redactor);
  }
  return formatMessage(String(b), all ?? [a, b], 2, redactor);
}

/**
 * The message given after an object that could not be read, prefixed as usual; undefined if
 * it cannot be made. An object given as the message is censored by the message key's paths,
 * as it is when the fields can be read: a censor that throws there leaves no message.
 */
function messageAfterHostileObject(
  b: unknown,
  n: number,
  all: unknown[] | undefined,
  a: unknown,
  redactor: Redactor | undefined,
  messageKey: string,
  prefix: string | undefined,
): string | undefined {
  try {
    const msg = messageFrom(b, n, all, a, redactor, messageKey);
    return msg === undefined || prefix === undefined ? msg : prefix + msg;
  } catch {
    return undefined;
  }
}

/** A copy of the fields without one key (the caller's object is never changed). */
function withoutKey(fields: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...fields };
  delete copy[key];
  // A value that refers back to the fields refers to what this copy stands for (see noteCopy).
  noteCopyForRedaction(copy, fields);
  return copy;
}

/**
 * Made by `{}`, JSON.parse or `Object.create(plain)` (see hasPlainPrototype): what a call
 * usually logs, and never a request or an error. One property load, where asking whether it
 * is a request read two. A `constructor` that cannot be read says no (a Proxy whose traps throw).
 */
function isObjectLiteral(value: object): boolean {
  try {
    return hasPlainPrototype(value);
  } catch {
    return false;
  }
}

/** pino's rule: with no message, a record whose `err` is an error takes the error's message. */
function errMessageOf(fields: Record<string, unknown>, errorKey: string): string | undefined {
  try {
    const err = fields[errorKey];
    if (typeof err !== 'object' || err === null) return undefined;
    const message = (err as { message?: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    // A getter that throws: no message from it; the serialiser marks it where it is.
    return undefined;
  }
}

/**
 * An own key of the logged object; undefined when its getter throws (the serialiser marks it
 * where it is). Inherited, a messageKey of `toString` made every line's message its function's
 * source; the own-key test runs only for a value that is there, so a call without it pays nothing.
 */
function readOwn(fields: Record<string, unknown>, key: string): unknown {
  try {
    const value = fields[key];
    return value === undefined || Object.hasOwn(fields, key) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Bindings as a JSON fragment: serialised, redacted; never throws. */
function bindingsFragment(
  tree: LoggerTree,
  serializers: SerializerSet,
  redactor: Redactor | undefined,
  bindings: Record<string, unknown>,
): string {
  // The serializers' copy is noted for redaction as a log call's is (see noteCopyForRedaction).
  if (redactor !== undefined) enterRedactingCall();
  try {
    const serialized = serializers.apply(bindings, redactor);
    return fieldsJson(redactor ? redactor(serialized) : serialized, tree.shape.safe);
  } catch (error) {
    // Never throws into the caller: the child logs, saying what was wrong with its bindings.
    return fieldsJson({ bindingsError: `bindings could not be used: ${describeThrown(error)}` });
  } finally {
    if (redactor !== undefined) leaveRedactingCall();
    // No line follows: the copies redaction noted for these bindings are not kept past here.
    forgetCopies();
  }
}

function safeErrorMessage(error: Error): string {
  try {
    return textOf(error.message);
  } catch {
    return '[message getter threw]';
  }
}
