import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import stringify from 'fast-json-stable-stringify';
import { toTransport } from './adapt.js';
import { expandEnv } from './config/expand-env.js';
import { parseOrThrow } from './config/issues.js';
import { findDefaultConfig, readConfigFile } from './config/load.js';
import { loadPluginModule } from './config/plugin-module.js';
import { configSchema, ENVELOPE_KEYS, formatSpecSchema, maxQueueSchema, overflowSchema, transportEnvelopeSchema, type Config, type ConfigInput } from './config/schema.js';
import type { OverflowPolicy } from './target.js';
import { z } from 'zod';
import { ConfigError, formatPath } from './errors.js';
import { LevelTable, type LevelInput } from './levels.js';
import { Logger } from './logger.js';
import { LoggerCore } from './logger-core.js';
import { RecordShape, type Formatter } from './record.js';
import { createRedactor, type Censor, type Redactor } from './redact.js';
import { formatterNames, getFormatterPlugin, getTransportPlugin, transportNames, type FormatSpec, type TransportContext } from './registry.js';
import { Router, type AddTargetOptions, type DeliveryFailure } from './router.js';
import { DeadLetterFile } from './dead-letter.js';
import { DEFAULT_SAFE_OPTIONS, fieldsJson } from './serialize.js';
import { isTransport, type Transport } from './transport.js';

/** A transport entry from JSON config: `{ "type": "console", "level": "warn", ... }`. */
export interface TransportEntry {
  type?: string;
  module?: string;
  level?: LevelInput;
  format?: FormatSpec;
  id?: string;
  [option: string]: unknown;
}

/** A live transport from code, with the routing options a config entry would carry. */
export interface LiveTransportEntry {
  transport: Transport | Writable;
  level?: LevelInput;
  id?: string;
  maxQueue?: { records?: number; bytes?: number | string };
  overflow?: OverflowPolicy;
}

const liveEntrySchema = z.strictObject({
  level: z.union([z.string(), z.number()]).optional(),
  id: z.string().min(1).optional(),
  maxQueue: maxQueueSchema.optional(),
  overflow: overflowSchema.optional(),
});

/** Options from code: the JSON config shape, plus live objects JSON cannot hold. */
export interface LoggerOptions extends Omit<ConfigInput, 'transports' | 'redact'> {
  transports?: (TransportEntry | LiveTransportEntry | Transport | Writable)[];
  redact?: ConfigInput['redact'] | { paths: string[]; censor?: Censor; remove?: boolean };
  /** Called for internal problems (a transport failing, a dropped call); never console.*. */
  diagnostics?: (message: string, detail?: unknown) => void;
  /** Called once per record that could not be delivered. */
  onDeliveryError?: (failure: DeliveryFailure) => void;
  /** Environment for ${VAR} expansion and defaults (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

/** Names a custom level may not take: they would shadow the logger's own members. */
const RESERVED = new Set(['level', 'levelValue', 'child', 'flush', 'flushSync', 'close', 'closed', 'stats', 'on', 'once', 'off', 'log', 'isLevelEnabled', 'silent', 'constructor']);

/**
 * Builds a logger from a config object, a path to a JSON config file, or nothing
 * ($STREAMLOG_CONFIG, then ./streamlog.json, else the default: console, pretty on a TTY).
 */
export function createLogger(source?: string | LoggerOptions): Logger {
  const env = typeof source === 'object' && source.env ? source.env : process.env;
  if (source === undefined) {
    const found = findDefaultConfig(env);
    return found ? buildFromFile(found, env) : build(defaultConfig(env), process.cwd(), env);
  }
  if (typeof source === 'string') return buildFromFile(source, env);
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new ConfigError('', `expected a config object or a path to a JSON file, got ${source === null ? 'null' : Array.isArray(source) ? 'array' : typeof source}`);
  }
  return build(source, process.cwd(), env);
}

function buildFromFile(path: string, env: NodeJS.ProcessEnv): Logger {
  const loaded = readConfigFile(path);
  return build(loaded.config as LoggerOptions, loaded.baseDir, env);
}

function defaultConfig(env: NodeJS.ProcessEnv): LoggerOptions {
  return {
    level: env.LOG_LEVEL || 'info',
    transports: [{ type: 'console', format: process.stdout.isTTY ? 'pretty' : 'json' }],
  };
}

function build(options: LoggerOptions, baseDir: string, env: NodeJS.ProcessEnv): Logger {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('', 'expected the config to be a JSON object');
  }
  const { diagnostics, onDeliveryError, env: _env, transports: rawTransports, redact: rawRedact, ...jsonPart } = options;
  const expanded = expandEnv(jsonPart, env) as Record<string, unknown>;
  const config: Config = parseOrThrow(configSchema, { ...expanded, redact: redactForSchema(rawRedact) });

  const levels = buildLevels(config.levels);
  const level = levelValue(levels, config.level ?? (env.LOG_LEVEL || 'info'), 'level');
  const shape = new RecordShape(levels, config.timestamp ?? 'epoch', config.levelFormat ?? 'number', config.messageKey ?? 'msg', DEFAULT_SAFE_OPTIONS);
  const redactor = buildRedactor(rawRedact, env);
  let core: LoggerCore | undefined;
  const routerConfig = config.router ?? {};
  const router = new Router({
    strategy: routerConfig.strategy,
    continueOnError: routerConfig.continueOnError,
    deadLetter: routerConfig.deadLetter === undefined ? undefined : new DeadLetterFile(resolve(baseDir, routerConfig.deadLetter)),
    failureThreshold: routerConfig.health?.failureThreshold,
    cooldownMs: routerConfig.health?.cooldownMs,
    maxBackpressureMs: routerConfig.maxBackpressureMs,
    summariseDrops: (target, dropped, durationMs) => core?.warn({ target, dropped, durationMs }, `dropped ${dropped} record(s) for ${target} while its queue was full`),
    spoolDir: routerConfig.spoolDir === undefined ? undefined : resolve(baseDir, routerConfig.spoolDir),
    revive: (line) => core!.revive(line),
  });
  if (diagnostics) router.on('diagnostic', diagnostics);
  if (onDeliveryError) router.on('error', onDeliveryError);

  const formatters = new FormatterCache();
  const entries = rawTransports ?? [{ type: 'console', format: 'json' }];
  if (!Array.isArray(entries)) throw new ConfigError('transports', 'expected an array of transport entries');
  const created: Transport[] = [];
  try {
    entries.forEach((entry, index) => {
      const made = createTransport(entry, `transports[${index}]`, { levels, baseDir, env, formatters, router, warn: (fields, msg) => core?.warn(fields, msg) });
      created.push(made.transport);
      router.add(made.transport, made.target);
    });
  } catch (error) {
    for (const transport of created) transport.destroy();
    throw error;
  }

  const bindings = baseBindings(config, redactor);
  const exitFlush = config.exitFlush ?? true;
  core = new LoggerCore(levels, shape, router, redactor, exitFlush, exitFlush && (config.handleExceptions ?? true), exitFlush && (config.handleSignals ?? true), { shape, bindingsJson: bindings, redactor });
  return new Logger(core, level, bindings);
}

function redactForSchema(redact: LoggerOptions['redact']): unknown {
  // A censor function is legal from code; the JSON schema only sees its JSON-able parts.
  if (redact && !Array.isArray(redact) && typeof redact === 'object' && typeof redact.censor === 'function') {
    return { ...redact, censor: undefined };
  }
  return redact;
}

function buildLevels(custom: Record<string, number> | undefined): LevelTable {
  for (const name of Object.keys(custom ?? {})) {
    if (RESERVED.has(name)) throw new ConfigError(formatPath(['levels', name]), `"${name}" is reserved and cannot name a level`);
  }
  return new LevelTable(custom);
}

function levelValue(levels: LevelTable, level: LevelInput, path: string): number {
  try {
    return levels.value(level);
  } catch (error) {
    throw new ConfigError(path, (error as Error).message);
  }
}

function buildRedactor(redact: LoggerOptions['redact'], env: NodeJS.ProcessEnv): Redactor | undefined {
  if (redact === undefined) return undefined;
  const spec = Array.isArray(redact) ? { paths: redact } : redact;
  const paths = expandEnv(spec.paths, env, ['redact', 'paths']) as string[];
  try {
    return createRedactor({ paths, censor: spec.censor, remove: spec.remove });
  } catch (error) {
    const index = paths.findIndex((p) => {
      try {
        createRedactor({ paths: [p] });
        return false;
      } catch {
        return true;
      }
    });
    throw new ConfigError(Array.isArray(redact) ? `redact[${index}]` : `redact.paths[${index}]`, (error as Error).message);
  }
}

function baseBindings(config: Config, redactor: Redactor | undefined): string {
  const base: Record<string, unknown> =
    config.base === null ? {} : config.base === undefined ? { pid: process.pid, hostname: hostname() } : { ...config.base };
  if (config.name !== undefined) base.name = config.name;
  return fieldsJson(redactor ? redactor(base) : base);
}

interface BuildContext {
  levels: LevelTable;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  formatters: FormatterCache;
  router: Router;
  warn: (fields: Record<string, unknown>, msg: string) => void;
}

function createTransport(entry: unknown, path: string, ctx: BuildContext, alreadyExpanded = false): { transport: Transport; target: AddTargetOptions } {
  if (isTransport(entry) || isWritable(entry)) {
    const transport = toTransport(entry);
    const level = (entry as { level?: LevelInput }).level;
    return { transport, target: { threshold: level === undefined ? undefined : levelValue(ctx.levels, level, `${path}.level`) } };
  }
  const live = (entry as { transport?: unknown } | null)?.transport;
  if (isTransport(live) || isWritable(live)) return liveTransportEntry(entry as LiveTransportEntry, path, ctx);
  // A nested entry was expanded with its parent; expanding twice would undo "$$" escapes.
  const expanded = alreadyExpanded ? entry : expandEnv(entry, ctx.env, parsePathPrefix(path));
  if (typeof expanded !== 'object' || expanded === null || Array.isArray(expanded)) {
    throw new ConfigError(path, 'expected a transport entry object like { "type": "console" }');
  }
  const envelope = parseOrThrow(transportEnvelopeSchema, expanded, path);
  const plugin = envelope.module !== undefined
    ? loadPluginModule(envelope.module, ctx.baseDir, `${path}.module`)
    : getTransportPlugin(envelope.type!);
  if (!plugin) {
    throw new ConfigError(`${path}.type`, `unknown transport "${envelope.type}" (known: ${transportNames().join(', ')})`);
  }
  const level = envelope.level === undefined ? undefined : levelValue(ctx.levels, envelope.level, `${path}.level`);
  const ownOptions: Record<string, unknown> = { ...(expanded as Record<string, unknown>) };
  for (const key of ENVELOPE_KEYS) delete ownOptions[key];
  const options = parseOrThrow(plugin.schema, ownOptions, path);
  const formatSpec = envelope.format as FormatSpec | undefined;
  const formatter = formatSpec === undefined ? ctx.formatters.get('json', false, path) : ctx.formatters.get(formatSpec, false, `${path}.format`);
  const context: TransportContext = {
    levels: ctx.levels,
    baseDir: ctx.baseDir,
    formatter,
    formatSpec,
    createFormatter: (spec, colorize = false) => ctx.formatters.get(spec, colorize, `${path}.format`),
    createTarget: (inner, key = 'target') => createTransport(inner, `${path}.${key}`, ctx, true).transport,
    warn: ctx.warn,
    deadLetter: (record, error, target) => ctx.router.deadLetterRecord(record, [{ target, error }]),
  };
  let made: unknown;
  try {
    made = plugin.create(options, context);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(path, `could not create transport ${JSON.stringify(envelope.type ?? envelope.module)}: ${(error as Error).message}`, { cause: error });
  }
  let transport: Transport;
  try {
    transport = toTransport(made, { formatter });
  } catch (error) {
    throw new ConfigError(path, `${(error as Error).message} (create() returned ${made === null ? 'null' : typeof made})`);
  }
  if (envelope.id !== undefined) transport.id = envelope.id;
  return {
    transport,
    target: { threshold: level, maxRecords: envelope.maxQueue?.records, maxBytes: envelope.maxQueue?.bytes, overflow: envelope.overflow },
  };
}

/** `{ transport: instance, level?, id?, maxQueue?, overflow? }`: a live transport with routing options. */
function liveTransportEntry(entry: LiveTransportEntry, path: string, ctx: BuildContext): { transport: Transport; target: AddTargetOptions } {
  const { transport: live, ...rest } = entry;
  const options = parseOrThrow(liveEntrySchema, rest, path);
  const transport = toTransport(live);
  if (options.id !== undefined) transport.id = options.id;
  const level = options.level ?? transport.level;
  return {
    transport,
    target: {
      threshold: level === undefined ? undefined : levelValue(ctx.levels, level, `${path}.level`),
      maxRecords: options.maxQueue?.records,
      maxBytes: options.maxQueue?.bytes,
      overflow: options.overflow,
    },
  };
}

/** `transports[2].target` → ['transports', 2, 'target'], for env-expansion error paths. */
function parsePathPrefix(path: string): PropertyKey[] {
  const parts: PropertyKey[] = [];
  for (const match of path.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  return parts;
}

function isWritable(value: unknown): value is Writable {
  const candidate = value as Writable | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.write === 'function' && typeof candidate.on === 'function';
}

/** One formatter instance per distinct (name, options, colour) in a logger tree, so records format once. */
class FormatterCache {
  private readonly cache = new Map<string, Formatter>();

  get(spec: FormatSpec, colorize: boolean, path: string): Formatter {
    const parsed = parseOrThrow(formatSpecSchema, spec, path);
    const { type: name, ...options } = typeof parsed === 'string' ? { type: parsed } : (parsed as { type: string });
    const key = `${name}|${colorize}|${stringify(options)}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const plugin = getFormatterPlugin(name);
    if (!plugin) {
      throw new ConfigError(typeof parsed === 'string' ? path : `${path}.type`, `unknown formatter "${name}" (known: ${formatterNames().join(', ')})`);
    }
    const formatterOptions = parseOrThrow(plugin.schema, options, path);
    const formatter = plugin.create(formatterOptions, { colorize });
    this.cache.set(key, formatter);
    return formatter;
  }
}

