import type { Writable } from 'node:stream';
import type { z } from 'zod';
import type { LevelInput, LevelTable } from '../record/levels.js';
import type { Formatter, LogRecord } from '../record/log-record.js';
import type { Transport } from './transport.js';
import { isLazySchema } from '../util/lazy-schema.js';

/**
 * The options of each transport type, by name, for typed config entries from code: built-in
 * transports add theirs here, and a plugin adds its own the same way:
 * `declare module 'streamlog' { interface TransportTypes { kafka: { brokers: string[] } } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface TransportTypes {}

/** A formatter by name, or by name with options: `"pretty"` or `{ "type": "pretty", "utc": true }`. */
export type FormatSpec = string | { type: string; [option: string]: unknown };

/**
 * The options of each formatter, by name, for typed config entries from code (`format:
 * 'pretty'`, `format: { type: 'text', showBase: true }`; a misspelt name does not compile):
 * built-in formatters add theirs here, and a plugin that registers one adds it the same way:
 * `declare module 'streamlog' { interface FormatterTypes { csv: { separator?: string } } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface FormatterTypes {}

/** A formatter of FormatterTypes, by name or by name with its options. */
export type TypedFormatSpec = {
  [K in keyof FormatterTypes]: K | ({ type: K } & FormatterTypes[K]);
}[keyof FormatterTypes];

/** What a formatter factory is told about where its output goes. */
export interface FormatterContext {
  /** True when the destination is a colour terminal (or FORCE_COLOR says so). */
  colorize: boolean;
}

export interface FormatterPlugin<S extends z.ZodType = z.ZodType> {
  /** zod schema of the formatter's options (`"format": { "type": "text", ...options }`). */
  schema: S;
  create(options: z.output<S>, context: FormatterContext): Formatter;
}

/** What a transport factory receives besides its own options. */
export interface TransportContext {
  readonly levels: LevelTable;
  /**
   * The error to throw from create() for an option the schema let through that cannot be
   * used (a level name the logger does not have): a ConfigError at that option's JSON path
   * (`transports[2].stderrLevel`), not at the whole entry.
   */
  invalid(key: string, expected: string): Error;
  /**
   * The number of a level one of the entry's options names (`stderrLevel`), read as the entry's
   * own `level` is: a name from a variable in any case, a name the logger does not have a
   * ConfigError at that option.
   */
  level(key: string, value: LevelInput): number;
  /** Folder of the config file (or the working directory), for resolving relative paths. */
  readonly baseDir: string;
  /** The formatter the entry asked for (`format`, built without colour), or the JSON formatter. */
  readonly formatter: Formatter;
  /** The entry's `format` as written, for transports that decide colour themselves. */
  readonly formatSpec: FormatSpec | undefined;
  /** Builds a formatter, e.g. the entry's format with colour for a terminal. Throws ConfigError. */
  createFormatter(format: FormatSpec, colorize?: boolean): Formatter;
  /** Builds a nested transport from a config entry (`"target": {...}` of a wrapper). */
  createTarget(entry: unknown, key?: string): Transport;
  /** Logs a warning record through the logger (records it makes skip validation). */
  warn(fields: Record<string, unknown>, msg: string): void;
  /** Writes a record to the router's dead-letter file at once: false without one, or when the line did not reach it. */
  deadLetter(record: LogRecord, reason: Error, target: string): boolean;
  /** The logger has a dead-letter file (`router.deadLetter`): deadLetter() can write. */
  readonly hasDeadLetter: boolean;
  /** Turns a record's JSON line (one a transport spooled) back into a record. */
  revive(line: string): LogRecord;
}

export interface TransportPlugin<S extends z.ZodType = z.ZodType> {
  /** zod schema of the transport's own options (everything but type/module/level/format/id). */
  schema: S;
  /** Returns a streamlog Transport, or any Writable (objectMode: records; otherwise: lines). */
  create(options: z.output<S>, context: TransportContext): Transport | Writable;
  /**
   * Options still accepted under an old name, old name → what to write instead; the schema
   * keeps accepting them and `create` maps them. Each is diagnosed once per logger.
   */
  deprecated?: Readonly<Record<string, string>>;
  /**
   * The options that hold transport entries `create` builds with `context.createTarget` (a
   * wrapper's `target`): checked even when the schema refuses the plugin's own options, so one
   * run of `streamlog check` says the problems of both.
   */
  wraps?: readonly string[];
}

/**
 * One registry per process, on globalThis under a registered symbol: two copies of
 * streamlog (two installed versions: import and require share one copy) see the same
 * plugins, whichever a plugin registered through.
 */
interface Registry {
  transports: Map<string, TransportPlugin>;
  formatters: Map<string, FormatterPlugin>;
}
const REGISTRY_KEY = Symbol.for('streamlog.registry');
const shared = globalThis as Record<symbol, Registry | undefined>;
shared[REGISTRY_KEY] ??= { transports: new Map(), formatters: new Map() };
const registry: Registry = shared[REGISTRY_KEY];
const { transports, formatters } = registry;

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z][\w.-]*$/.test(name)) {
    throw new TypeError(
      `${kind} name must start with a letter and hold only letters, digits, "_", "." or "-": ` +
        `got ${JSON.stringify(name)}`,
    );
  }
}

function checkPlugin(kind: string, plugin: { schema?: unknown; create?: unknown }): void {
  if (typeof plugin !== 'object' || plugin === null || typeof plugin.create !== 'function') {
    throw new TypeError(`${kind} plugin must be an object with a create() function`);
  }
  const schema = plugin.schema as { safeParse?: unknown } | undefined;
  // The built-ins' schemas are made on first use; looking at them here would make them now.
  if (isLazySchema(schema)) return;
  if (typeof schema !== 'object' || schema === null || typeof schema.safeParse !== 'function') {
    throw new TypeError(`${kind} plugin must have a zod schema of its options`);
  }
}

/** Registers (or replaces) a transport type usable from config as `{ "type": name }`. */
export function registerTransport<S extends z.ZodType>(name: string, plugin: TransportPlugin<S>): void {
  checkName('transport', name);
  checkPlugin('transport', plugin);
  transports.set(name, plugin as unknown as TransportPlugin);
}

/**
 * A built-in as the library's own modules register it: only where the name is free. A second
 * installed copy loading later must not put its built-in back over an application's
 * `registerTransport('file', …)`, nor over the built-in of the copy that loaded first.
 */
export function registerBuiltInTransport(name: string, plugin: TransportPlugin): void {
  if (!transports.has(name)) registerTransport(name, plugin);
}

/** A built-in formatter, only where the name is free (see registerBuiltInTransport). */
export function registerBuiltInFormatter(name: string, plugin: FormatterPlugin): void {
  if (!formatters.has(name)) registerFormatter(name, plugin);
}

/** Registers (or replaces) a formatter usable as `"format": name`. */
export function registerFormatter<S extends z.ZodType>(name: string, plugin: FormatterPlugin<S>): void {
  checkName('formatter', name);
  checkPlugin('formatter', plugin);
  formatters.set(name, plugin as unknown as FormatterPlugin);
}

export function getTransportPlugin(name: string): TransportPlugin | undefined {
  return transports.get(name);
}

export function getFormatterPlugin(name: string): FormatterPlugin | undefined {
  return formatters.get(name);
}

export function transportNames(): string[] {
  return [...transports.keys()].sort();
}

export function formatterNames(): string[] {
  return [...formatters.keys()].sort();
}

export function isTransportPlugin(value: unknown): value is TransportPlugin {
  try {
    checkPlugin('transport', value as TransportPlugin);
    return true;
  } catch {
    return false;
  }
}
