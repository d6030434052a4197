import type { Writable } from 'node:stream';
import { types } from 'node:util';
import stringify from 'fast-json-stable-stringify';
import type { z } from 'zod';
import { isDestination, toTransport, type WriteOnlyDestination } from '../plugin/adapters.js';
import type { SonicBoomLike } from '../plugin/sonic-boom.js';
import type { ThreadStreamLike } from '../plugin/thread-stream.js';
import { lazySchema } from '../util/lazy-schema.js';
import { object } from '../util/plain-checks.js';
import {
  adoptEnvSources,
  copyEnvSources,
  describeEnvSource,
  type EnvSource,
  envNumber,
  envSourceAt,
  isJsonNumber,
} from '../util/env-text.js';
import { expandEnv } from './expand-env.js';
import { didYouMean, parseOrThrow } from './issues.js';
import { loadPluginModule } from './plugin-module.js';
import {
  ENVELOPE_KEYS,
  type envelopeShape,
  formatSpecSchema,
  type maxQueueSchema,
  plainRouting,
  routingShape,
  transportEnvelopeSchema,
} from './schema.js';
import { ConfigError, combineProblems } from './errors.js';
import type { LevelInput, LevelTable } from '../record/levels.js';
import type { Formatter, LogRecord } from '../record/log-record.js';
import {
  type TransportTypes,
  type TypedFormatSpec,
  formatterNames,
  getFormatterPlugin,
  getTransportPlugin,
  transportNames,
  type FormatSpec,
  type FormatterPlugin,
  type TransportContext,
} from '../plugin/registry.js';
import type { AddTargetOptions, Router } from '../routing/router.js';
import { assignId } from '../plugin/protocol.js';
import { isTransport, toError, type Transport } from '../plugin/transport.js';

/*
 * One transport entry of a config (or a live transport from code) → a transport and the
 * router options for it: plugin lookup or module loading, option validation with the
 * plugin's schema, the formatter, nested entries.
 */

/** A transport entry from JSON config: `{ "type": "console", "level": "warn", ... }`. */
type Envelope = Omit<z.input<z.ZodObject<typeof envelopeShape>>, 'type' | 'module' | 'format'> & {
  format?: TypedFormatSpec | undefined;
};

/**
 * A transport entry from code or JSON config: `{ type: 'file', path: 'app.log', level: 'warn' }`.
 * Typed by `type` (a misspelt option does not compile); `{ module }` entries are not checked.
 */
export type TransportEntry =
  | {
      [K in keyof TransportTypes]: { type: K; module?: undefined } & Envelope & TransportTypes[K];
    }[keyof TransportTypes]
  | ({ module: string; type?: undefined } & Envelope & { [option: string]: unknown });

/** A live transport from code, with the routing options a config entry would carry. */
export type LiveTransportEntry = z.input<z.ZodObject<typeof routingShape>> & {
  transport: Transport | Writable | SonicBoomLike | ThreadStreamLike | WriteOnlyDestination;
};

const liveEntrySchema = lazySchema((z) => z.strictObject(routingShape), object(plainRouting));

/**
 * The level a config names at `path`. `fromEnv`: how the name came from a variable
 * (`"level": "${LOG_LEVEL}"`), where deployments write `INFO` or ` warn` as often as `info`:
 * read as $LOG_LEVEL is when the config sets no level, and named in the error.
 */
export function levelValue(levels: LevelTable, level: LevelInput, path: string, fromEnv?: EnvSource): number {
  let name = level;
  if (fromEnv !== undefined && typeof level === 'string') {
    const read = envLevel(levels, level);
    if (read === undefined) {
      throw new ConfigError(
        path,
        `expected a whole number from 0 to 1000 or a level name (${describeEnvSource(fromEnv)})`,
      );
    }
    name = read;
  }
  try {
    return levels.value(name);
  } catch (error) {
    const hint = typeof name === 'string' ? didYouMean(name, [...levels.names(), 'silent']) : '';
    const from = fromEnv === undefined ? '' : ` (${describeEnvSource(fromEnv)})`;
    throw new ConfigError(path, (error as Error).message + from + hint);
  }
}

/**
 * A level from the environment: trimmed; a number as JSON writes it (" 40 ", which the schema
 * left a string) is that number, undefined when no level can have it (not whole, past
 * 0–1000); a name in lowercase when only that is a level's name.
 */
export function envLevel(levels: LevelTable, text: string): LevelInput | undefined {
  const name = text.trim();
  if (isJsonNumber(name)) {
    const read = envNumber(name);
    return 'value' in read && Number.isInteger(read.value) && read.value >= 0 && read.value <= 1000
      ? read.value
      : undefined;
  }
  return levels.has(name) || !levels.has(name.toLowerCase()) ? name : name.toLowerCase();
}

export interface BuildContext {
  levels: LevelTable;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  formatters: FormatterCache;
  router: Router;
  warn: (fields: Record<string, unknown>, msg: string) => void;
  revive: (line: string) => LogRecord;
  /** An option given under its old name at `path`; `instead` says what to write now. */
  deprecated: (path: string, name: string, instead: string) => void;
  /** Hears of every transport made, nested ones included, with the path of its entry. */
  made?: (transport: Transport, path: string) => void;
}

/** maxQueue under its 0.2 names (`records`, `bytes`) or its own: the bounds, old names diagnosed. */
function queueBounds(
  maxQueue: z.output<typeof maxQueueSchema> | undefined,
  path: string,
  ctx: BuildContext,
): { maxRecords: number | undefined; maxBytes: number | undefined } {
  for (const [old, name] of [
    ['records', 'maxRecords'],
    ['bytes', 'maxBytes'],
  ] as const) {
    if (maxQueue?.[old] === undefined) continue;
    // Both: which one bounds the queue would be a guess.
    if (maxQueue[name] !== undefined) {
      throw new ConfigError(`${path}.maxQueue.${old}`, `the old name of "${name}", given too: keep "${name}" only`);
    }
    ctx.deprecated(`${path}.maxQueue.${old}`, `maxQueue.${old}`, `"${name}"`);
  }
  return {
    maxRecords: maxQueue?.maxRecords ?? maxQueue?.records,
    maxBytes: maxQueue?.maxBytes ?? maxQueue?.bytes,
  };
}

/**
 * A transport for a logger, and its router options. `handed`: the caller gave the transport or
 * the stream it wraps (not one a plugin made), so a logger that fails to build lets go of it
 * untouched (see letGoOf) rather than destroy it.
 */
export interface MadeTransport {
  transport: Transport;
  target: AddTargetOptions;
  handed?: boolean;
}

/**
 * The keys a deprecated option's `instead` starts with: `"maxRecords"` → [maxRecords],
 * `"spool": { "dir": … }` → [spool, dir]; none when it says something else.
 */
function renamedTo(instead: string): string[] {
  const match = /^"([^"]+)"(?:: \{ "([^"]+)")?/.exec(instead);
  if (match === null) return [];
  return match[2] === undefined ? [match[1]!] : [match[1]!, match[2]];
}

/** Whether `options` has a value at `keys` (none given: no). */
function givenAt(options: Record<string, unknown>, keys: readonly string[]): boolean {
  let at: unknown = options;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return keys.length > 0 && at !== undefined;
}

export function createTransport(
  entry: unknown,
  path: string,
  ctx: BuildContext,
  alreadyExpanded = false,
): MadeTransport {
  if (isTransport(entry) || isDestination(entry)) {
    const level = (entry as { level?: LevelInput }).level;
    const threshold = level === undefined ? undefined : levelValue(ctx.levels, level, `${path}.level`);
    // Wrapped last: a stream is held from here on, so nothing may throw after.
    const transport = toTransport(entry);
    ctx.made?.(transport, path);
    return { transport, target: { threshold }, handed: true };
  }
  if (typeof entry === 'object' && entry !== null && Symbol.for('pino.metadata') in entry) {
    // It routes by the level pino tells it before each write, which no transport is told.
    throw new ConfigError(
      path,
      'pino.multistream() is not taken: give each of its streams as an entry with its level ' +
        '({ transport: stream, level })',
    );
  }
  const live = (entry as { transport?: unknown } | null)?.transport;
  if (isTransport(live) || isDestination(live)) return liveTransportEntry(entry as LiveTransportEntry, path, ctx);
  // A nested entry was expanded with its parent; expanding twice would undo "$$" escapes.
  const expanded = alreadyExpanded ? entry : expandEnv(entry, ctx.env, parsePathPrefix(path));
  if (typeof expanded !== 'object' || expanded === null || Array.isArray(expanded)) {
    throw new ConfigError(path, 'expected a transport entry object like { "type": "console" }');
  }
  const envelope = parseOrThrow(transportEnvelopeSchema, expanded, path);
  const plugin =
    envelope.module !== undefined
      ? loadPluginModule(envelope.module, ctx.baseDir, `${path}.module`)
      : getTransportPlugin(envelope.type!);
  if (!plugin) {
    throw new ConfigError(
      `${path}.type`,
      `unknown transport "${envelope.type}" (known: ${transportNames().join(', ')})` +
        didYouMean(envelope.type!, transportNames()),
    );
  }
  const level =
    envelope.level === undefined
      ? undefined
      : levelValue(ctx.levels, envelope.level, `${path}.level`, envSourceAt(expanded, 'level'));
  const ownOptions: Record<string, unknown> = { ...(expanded as Record<string, unknown>) };
  for (const key of ENVELOPE_KEYS) delete ownOptions[key];
  copyEnvSources(expanded, ownOptions);
  let options: unknown;
  try {
    options = parseOrThrow(plugin.schema, ownOptions, path);
  } catch (error) {
    if (error instanceof ConfigError) throw withWrappedProblems(error, plugin.wraps, ownOptions, path, ctx);
    throw error;
  }
  for (const [old, instead] of Object.entries(plugin.deprecated ?? {})) {
    if (ownOptions[old] === undefined) continue;
    // Both names: which one the transport takes would be a guess (the new one was, without a word).
    const renamed = renamedTo(instead);
    if (givenAt(ownOptions, renamed)) {
      throw new ConfigError(
        `${path}.${old}`,
        `the old name of ${instead}, given too: keep "${renamed.join('.')}" only`,
      );
    }
    ctx.deprecated(`${path}.${old}`, `${envelope.type ?? envelope.module}.${old}`, instead);
  }
  // As written (expanded), not the schema's copy: its options may be numbers or booleans from "${VAR}".
  const formatSpec = (expanded as { format?: FormatSpec }).format;
  const formatter =
    formatSpec === undefined
      ? ctx.formatters.get('json', false, path)
      : ctx.formatters.get(formatSpec, false, `${path}.format`);
  const context: TransportContext = {
    levels: ctx.levels,
    invalid: (key, expected) => new ConfigError(`${path}.${key}`, expected),
    level: (key, value) => levelValue(ctx.levels, value, `${path}.${key}`, envSourceAt(expanded, key)),
    baseDir: ctx.baseDir,
    formatter,
    formatSpec,
    createFormatter: (spec, colorize = false) => ctx.formatters.get(spec, colorize, `${path}.format`),
    createTarget: (inner, key = 'target') => {
      // A plugin schema that copied the entry: its strings still came from the environment.
      adoptEnvSources(valueAt(expanded, parsePathPrefix(key)), inner);
      const at = `${path}.${key}`;
      refuseRoutingOptions(inner, at);
      return createTransport(inner, at, ctx, true).transport;
    },
    warn: ctx.warn,
    deadLetter: (record, error, target) => ctx.router.deadLetterRecordNow(record, [{ target, error }]),
    hasDeadLetter: ctx.router.hasDeadLetter,
    revive: ctx.revive,
  };
  let made: unknown;
  try {
    made = plugin.create(options, context);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      path,
      `could not create transport ${JSON.stringify(envelope.type ?? envelope.module)}: ${toError(error).message}`,
      { cause: error },
    );
  }
  let transport: Transport;
  try {
    transport = toTransport(made, { formatter });
  } catch (error) {
    throw new ConfigError(path, `${(error as Error).message} (create() returned ${describeMade(made)})`);
  }
  if (envelope.id !== undefined) transport[assignId](envelope.id);
  if (level !== undefined) tellLevel(transport, ctx.levels.nameFor(level));
  ctx.made?.(transport, path);
  return {
    transport,
    target: { threshold: level, ...queueBounds(envelope.maxQueue, path, ctx), overflow: envelope.overflow },
  };
}

/**
 * A wrapper's entry its schema refused still has its inner entries (`plugin.wraps`) checked,
 * so one run says the problems of both: each built for its problems alone, then let go. Not
 * one the schema's own problems are in.
 */
function withWrappedProblems(
  refused: ConfigError,
  wraps: readonly string[] | undefined,
  options: Record<string, unknown>,
  path: string,
  ctx: BuildContext,
): ConfigError {
  const problems = [refused];
  for (const key of wraps ?? []) {
    const inner = options[key];
    const at = `${path}.${key}`;
    const within = (issue: { path: string }): boolean =>
      issue.path === at || issue.path.startsWith(`${at}.`) || issue.path.startsWith(`${at}[`);
    if (inner === undefined || isTransport(inner) || isDestination(inner) || refused.issues.some(within)) continue;
    try {
      refuseRoutingOptions(inner, at);
      createTransport(inner, at, { ...ctx, made: undefined }, true).transport.destroy();
    } catch (error) {
      if (error instanceof ConfigError) problems.push(error);
    }
  }
  return combineProblems(problems);
}

/** The options only the router reads, so only a top-level entry's are applied. */
const ROUTING_KEYS = ['level', 'maxQueue', 'overflow'] as const;

/**
 * A nested entry (a wrapper's `target`) with a level, a queue bound or an overflow: none of
 * them would be applied (the wrapper's target is no router target), and a level there let
 * every record through without a word. A transport instance's own `level` is its own: kept.
 */
function refuseRoutingOptions(entry: unknown, path: string): void {
  if (typeof entry !== 'object' || entry === null || isTransport(entry) || isDestination(entry)) return;
  const key = ROUTING_KEYS.find((name) => (entry as Record<string, unknown>)[name] !== undefined);
  if (key === undefined) return;
  throw new ConfigError(
    `${path}.${key}`,
    `a nested entry's "${key}" would not be applied (only top-level entries are routed): give it to the outer entry`,
  );
}

/**
 * The entry's level, as the transport's `level` says it (undefined from a config entry, whose
 * level the router applies): only where the transport has none, and never through a getter.
 */
function tellLevel(transport: Transport, name: string): void {
  if (transport.level !== undefined || !Object.hasOwn(transport, 'level')) return;
  try {
    (transport as { level: LevelInput }).level = name;
  } catch {
    // a frozen transport, or one of another copy's that made the field read-only: left as it is
  }
}

/** `{ transport: instance, level?, id?, maxQueue?, overflow? }`: a live transport with routing options. */
function liveTransportEntry(entry: LiveTransportEntry, path: string, ctx: BuildContext): MadeTransport {
  const { transport: live, ...rest } = entry;
  const options = parseOrThrow(liveEntrySchema, rest, path);
  const level = options.level ?? (isTransport(live) ? live.level : undefined);
  const target = {
    threshold: level === undefined ? undefined : levelValue(ctx.levels, level, `${path}.level`),
    ...queueBounds(options.maxQueue, path, ctx),
    overflow: options.overflow,
  };
  // Wrapped last: a stream is held from here on, so nothing may throw after.
  const transport = toTransport(live);
  if (options.id !== undefined) transport[assignId](options.id);
  ctx.made?.(transport, path);
  return { transport, target, handed: true };
}

/** What a transport factory returned, for the error: a Promise is named (create() must be synchronous). */
function describeMade(made: unknown): string {
  if (made === null) return 'null';
  let then: unknown;
  try {
    then = (made as { then?: unknown } | undefined)?.then;
  } catch {
    return typeof made;
  }
  if (typeof then !== 'function') return typeof made;
  // Refused, a native promise's rejection would otherwise end the process as an unhandled
  // one. A thenable of the plugin's own is left alone: its `then` is not called (one that
  // throws escaped as a TypeError; one that resolves with itself looped for ever).
  if (types.isPromise(made)) made.then(undefined, () => {});
  return 'a Promise: create() must be synchronous';
}

/** A formatter plugin's create(), whose throw or non-formatter is a ConfigError at the entry's format. */
function createFormatter(
  plugin: FormatterPlugin,
  name: string,
  options: unknown,
  colorize: boolean,
  path: string,
): Formatter {
  let made: unknown;
  try {
    made = plugin.create(options, { colorize });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(path, `could not create formatter "${name}": ${toError(error).message}`, { cause: error });
  }
  if (typeof (made as Partial<Formatter> | null)?.format !== 'function') {
    throw new ConfigError(path, `formatter "${name}": create() returned ${describeMade(made)}, not { name, format() }`);
  }
  return made as Formatter;
}

/** The value at `path` under `root`, own keys only; undefined where there is none. */
function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let at = root;
  for (const part of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[part];
  }
  return at;
}

/** `transports[2].target` → ['transports', 2, 'target'], for env-expansion error paths. */
function parsePathPrefix(path: string): PropertyKey[] {
  const parts: PropertyKey[] = [];
  for (const match of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g))
    parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  return parts;
}

/** One formatter instance per distinct (name, options, colour) in a logger tree, so records format once. */
export class FormatterCache {
  private readonly cache = new Map<string, Formatter>();

  get(spec: FormatSpec, colorize: boolean, path: string): Formatter {
    const parsed = parseOrThrow(formatSpecSchema, spec, path);
    const { type: name, ...options } = typeof parsed === 'string' ? { type: parsed } : (parsed as { type: string });
    copyEnvSources(spec, options);
    const key = `${name}|${colorize}|${stringify(options)}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const plugin = getFormatterPlugin(name);
    if (!plugin) {
      throw new ConfigError(
        typeof parsed === 'string' ? path : `${path}.type`,
        `unknown formatter "${name}" (known: ${formatterNames().join(', ')})${didYouMean(name, formatterNames())}`,
      );
    }
    const formatterOptions = parseOrThrow(plugin.schema, options, path);
    const formatter = createFormatter(plugin, name, formatterOptions, colorize, path);
    this.cache.set(key, formatter);
    return formatter;
  }
}
