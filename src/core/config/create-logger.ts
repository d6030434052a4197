import { accessSync, constants, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import {
  createTransport,
  envLevel,
  FormatterCache,
  levelValue,
  type LiveTransportEntry,
  type TransportEntry,
} from './build-transport.js';
import { expandEnv } from './expand-env.js';
import { copyEnvSources, envBoolean, envSourceAt, isJsonNumber } from '../util/env-text.js';
import { didYouMean, parseOrThrow } from './issues.js';
import { findDefaultConfig, readConfigFile } from './load.js';
import { configSchema, type Config, type ConfigInput } from './schema.js';
import { parseWhatHolds, topKeyOf } from './parse-what-holds.js';
import { DeadLetterFile } from '../routing/dead-letter.js';
import { ConfigError, combineProblems, formatPath } from './errors.js';
import { stdSerializers } from './std-serializers.js';
import {
  checkPinoFunctions,
  fieldsHook,
  levelFormat,
  logMethodHook,
  type PinoFunctionOptions,
  type PinoTransportOptions,
  timestampMode,
  transportsFromPino,
} from './pino-options.js';
import { type LevelInput, LevelTable } from '../record/levels.js';
import { type LogFn, Logger, reservedLevelNames } from '../logger/logger.js';
import { SerializerSet, type Serializers } from '../logger/serializers.js';
import { LoggerTree } from '../logger/logger-tree.js';
import { writeDiagnostic } from '../logger/stderr-diagnostics.js';
import { RecordShape } from '../record/shape.js';
import { createRedactor, parseRedactPath, type Censor, type Redactor } from '../record/redact.js';
import { forgetCopies } from '../record/redacted-copies.js';
import type { Transport } from '../plugin/transport.js';
import { letGoOf, type WriteOnlyDestination } from '../plugin/adapters.js';
import type { SonicBoomLike } from '../plugin/sonic-boom.js';
import type { ThreadStreamLike } from '../plugin/thread-stream.js';
import type { DeliveryFailure } from '../routing/events.js';
import { defaultTargetId, Router } from '../routing/router.js';
import { type FileEntry, targetConflicts } from './target-conflicts.js';
import { DEFAULT_SAFE_OPTIONS, fieldsJson } from '../record/serialize.js';

/**
 * A method per custom level: `createLogger({ levels: { audit: 35 } }).audit('…')` type-checks,
 * and `customLevels` names them, as pino's `Logger<'audit'>` has it. Levels known only as
 * `Record<string, number>` (options typed `LoggerOptions`) add no methods: an index signature
 * would let any misspelt method (`log.inof`) compile.
 */
export type LevelMethods<Levels> = string extends keyof Levels
  ? Record<never, never>
  : { readonly [K in keyof Levels]: LogFn } & { readonly customLevels: { readonly [K in keyof Levels]: number } };

/** Options from code: the JSON config shape, plus live objects JSON cannot hold. */
export interface LoggerOptions
  extends Omit<ConfigInput, 'transports' | 'redact' | 'serializers' | 'timestamp' | 'diagnostics' | 'levelComparison'>,
    PinoFunctionOptions {
  /**
   * pino's: only "ASC" (its default) is taken; "DESC" and a function are a ConfigError. Typed as
   * pino types it, so options typed by pino's own LoggerOptions are taken as they are.
   */
  levelComparison?: 'ASC' | 'DESC' | ((current: number, expected: number) => boolean) | undefined;
  /** Serializers by key: functions, or the standard ones by name (`["req", "res", "err"]`). */
  serializers?: ConfigInput['serializers'] | Serializers | undefined;
  transports?:
    | (
        | TransportEntry
        | LiveTransportEntry
        | Transport
        | Writable
        | SonicBoomLike
        | ThreadStreamLike
        | WriteOnlyDestination
      )[]
    | undefined;
  redact?: ConfigInput['redact'] | { paths: string[]; censor?: Censor; remove?: boolean } | undefined;
  /**
   * Called for internal problems (a transport failing, a dropped call). Without it they go to
   * stderr, one line each, each distinct problem at most once a minute; `false` silences them.
   */
  diagnostics?: (((message: string, detail?: unknown) => void) | false) | undefined;
  /** Called once per record that could not be delivered. */
  onDeliveryError?: ((failure: DeliveryFailure) => void) | undefined;
  /** Environment for ${VAR} expansion and defaults (process.env by default). */
  env?: NodeJS.ProcessEnv | undefined;
  /** pino's: `true` (epoch ms), or one of pino's time functions (`pino.stdTimeFunctions.isoTime`, …). */
  timestamp?: (ConfigInput['timestamp'] | (() => string)) | undefined;
  /** pino's: called with every child logger made from this one (and its children). */
  onChild?: ((child: Logger) => void) | undefined;
  /**
   * pino's `transport`, in place of `transports`: `pino/file` and `pino-pretty` targets (one,
   * or several in `targets`, each with its level) become file and console entries; another
   * target is a ConfigError.
   */
  transport?: PinoTransportOptions | undefined;
}

/**
 * A JSON config file's shape, for a config written in TypeScript: its transport entries are
 * checked by type, and it goes to createLogger() as it is.
 */
export type StreamlogConfig = Omit<ConfigInput, 'transports'> & { transports?: TransportEntry[] | undefined };

/** The options only code can give (functions), for a logger whose config is a JSON file. */
export type CodeOptions = Pick<
  LoggerOptions,
  'diagnostics' | 'onDeliveryError' | 'onChild' | 'mixin' | 'mixinMergeStrategy' | 'formatters' | 'hooks'
>;

/**
 * Builds a logger from a config object, a path to a JSON config file, or nothing
 * ($STREAMLOG_CONFIG, then ./streamlog.json, else the default: console, pretty on a TTY).
 * `code` adds what a JSON file cannot hold (a diagnostics handler, pino's mixin, …) over
 * the config's own keys; it is in force while the logger is built, so a file that cannot
 * be opened then is told to its `diagnostics` too.
 */
export function createLogger<const Levels extends Record<string, number> = Record<never, number>>(
  source?: string | (LoggerOptions & { levels?: Levels | undefined; customLevels?: Levels | undefined }),
  code?: CodeOptions,
): Logger & LevelMethods<Levels> {
  return buildLogger(source, code) as Logger & LevelMethods<Levels>;
}

function buildLogger(source: string | LoggerOptions | undefined, code: CodeOptions | undefined): Logger {
  // Where pino takes a destination (`pino(opts, destination)`, `pino(destination)`): read as
  // options, each of a stream's internals (or a path's characters) was an unknown option, and a
  // descriptor was ignored, with no word of where it goes.
  if (isDestinationArgument(code) || hasWrite(source)) {
    throw new ConfigError(
      '',
      'a destination goes in `transports`: createLogger({ ...options, transports: [destination] })',
    );
  }
  const env = typeof source === 'object' && source.env ? source.env : process.env;
  if (source === undefined) {
    const found = findDefaultConfig(env);
    return found ? buildFromFile(found, env, code) : build(withCode(defaultConfig(), code), process.cwd(), env);
  }
  if (typeof source === 'string') return buildFromFile(source, env, code);
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new ConfigError('', `expected a config object or a path to a JSON file, got ${kindOf(source)}`);
  }
  return build(withCode(source, code), process.cwd(), env);
}

/** A stream, a path or a descriptor, as pino takes after its options; code's options are an object. */
function isDestinationArgument(code: unknown): boolean {
  return hasWrite(code) || typeof code === 'string' || typeof code === 'number';
}

function hasWrite(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function';
}

/** The config with code's options over its own; a config that is not an object is left for build() to refuse. */
function withCode(config: unknown, code: CodeOptions | undefined): LoggerOptions {
  if (code === undefined || typeof config !== 'object' || config === null || Array.isArray(config)) {
    return config as LoggerOptions;
  }
  return { ...(config as LoggerOptions), ...code };
}

/** Options only code can give (functions, the environment): in a JSON file they are unknown options. */
const CODE_ONLY = ['env', 'onDeliveryError', 'onChild', 'mixin', 'mixinMergeStrategy', 'formatters', 'hooks'];

function buildFromFile(path: string, env: NodeJS.ProcessEnv, code: CodeOptions | undefined): Logger {
  const loaded = readConfigFile(path);
  const config = loaded.config;
  const isObject = typeof config === 'object' && config !== null && !Array.isArray(config);
  const codeOnly = isObject
    ? CODE_ONLY.filter((key) => Object.hasOwn(config, key)).map(
        (key) =>
          new ConfigError(
            key,
            `unknown option "${key}": a config file cannot give it (from code: createLogger's ` +
              `${key === 'env' ? 'options object' : 'second argument'})`,
          ),
      )
    : [];
  // Code's handler is used over the file's key, which must still be one a file may hold:
  // `streamlog check` gives a handler, and said "valid" for a file createLogger refuses.
  const fileDiagnostics = isObject ? (config as Record<string, unknown>).diagnostics : undefined;
  const diagnosticsProblem = code?.diagnostics === undefined ? undefined : fileDiagnosticsProblem(fileDiagnostics, env);
  if (diagnosticsProblem !== undefined) codeOnly.push(diagnosticsProblem);
  // Said once, as unknown options; left out, so they are not checked again as functions.
  const own = isObject
    ? Object.fromEntries(Object.entries(config).filter(([key]) => !CODE_ONLY.includes(key)))
    : config;
  return build(withCode(own, code), loaded.baseDir, env, codeOnly);
}

/**
 * What is wrong with a file's `diagnostics` key, read as the schema reads it when the file's
 * own key is in force: absent, `false`, or a `${VAR}` that reads as false.
 */
function fileDiagnosticsProblem(value: unknown, env: NodeJS.ProcessEnv): ConfigError | undefined {
  const expected = 'expected false (or, from code, a function)';
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'string' || !value.includes('${')) return new ConfigError('diagnostics', expected);
  let expanded: unknown;
  try {
    expanded = (expandEnv({ diagnostics: value }, env) as { diagnostics: unknown }).diagnostics;
  } catch (error) {
    // An unset variable, a reference that does not parse: said as createLogger says it.
    if (error instanceof ConfigError) return error;
    throw error;
  }
  if (typeof expanded === 'string' && envBoolean(expanded) === false) return undefined;
  return new ConfigError('diagnostics', `${expected} (${value} gave ${JSON.stringify(expanded)})`);
}

/** No "level": $LOG_LEVEL, else info, comes in as any config's default does (and is named so when wrong). */
function defaultConfig(): LoggerOptions {
  return {
    transports: [{ type: 'console', format: process.stdout.isTTY ? 'pretty' : 'json' }],
  };
}

function build(
  options: LoggerOptions,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  fileProblems: ConfigError[] = [],
): Logger {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('', 'expected the config to be a JSON object');
  }
  const {
    serializers: rawSerializers,
    diagnostics,
    onDeliveryError,
    env: _env,
    transports: ownTransports,
    transport: pinoTransport,
    redact: rawRedact,
    timestamp: rawTimestamp,
    onChild,
    mixin,
    mixinMergeStrategy,
    formatters: pinoFormatters,
    hooks,
    ...jsonPart
  } = options;
  // Each step that can fail records its ConfigError and goes on with a fallback, so one
  // ConfigError lists every problem in the file (`streamlog check` prints them all).
  const problems: ConfigError[] = [...fileProblems];
  const attempt = <T>(step: () => T, fallback: T): T => {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error);
      return fallback;
    }
  };
  let rawTransports: unknown = ownTransports;
  if (pinoTransport !== undefined) {
    if (ownTransports !== undefined) {
      problems.push(new ConfigError('transport', "expected transports or transport (pino's form), not both"));
    } else rawTransports = attempt(() => transportsFromPino(pinoTransport, env), []);
  }
  const expanded = attempt(() => expandEnv(jsonPart, env) as Record<string, unknown>, {});
  // Kept out of `jsonPart` as code may give functions there; their JSON forms expand like the rest.
  const jsonForms: Record<string, unknown> = {};
  for (const [key, value] of [
    ['timestamp', rawTimestamp],
    ['serializers', Array.isArray(rawSerializers) ? rawSerializers : undefined],
    ['redact', rawRedact],
    ['diagnostics', diagnostics],
  ] as const) {
    if (value === undefined || typeof value === 'function') continue;
    const one = attempt(() => expandEnv({ [key]: value }, env) as Record<string, unknown>, undefined);
    if (one === undefined) continue;
    jsonForms[key] = one[key];
    copyEnvSources(one, jsonForms);
  }
  const forSchema = {
    ...expanded,
    timestamp: typeof rawTimestamp === 'function' ? undefined : jsonForms.timestamp,
    redact: redactForSchema(jsonForms.redact as LoggerOptions['redact']),
    serializers: Array.isArray(jsonForms.serializers) ? jsonForms.serializers : undefined,
    diagnostics: typeof diagnostics === 'function' ? undefined : jsonForms.diagnostics,
  };
  // A number or boolean given as "${VAR}" is read as one where the schema wants one (see env-text.ts).
  copyEnvSources(expanded, forSchema);
  copyEnvSources(jsonForms, forSchema);
  const unparsed = {} as Config;
  let config: Config;
  try {
    config = parseOrThrow(configSchema, forSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error);
    config = parseWhatHolds(forSchema, error) ?? unparsed;
  }
  // zod leaves a "__proto__" key out of a record unseen: as a level name it breaks the name
  // rule, and as a base field it was dropped without a word (no line may carry such a key).
  for (const [key, expected] of [
    ['levels', 'invalid key: expected a level name of lowercase letters, digits and "_"'],
    ['customLevels', 'invalid key: expected a level name of lowercase letters, digits and "_"'],
    ['base', 'invalid key: expected a field name other than "__proto__"'],
  ] as const) {
    const given = expanded[key];
    if (typeof given === 'object' && given !== null && Object.hasOwn(given, '__proto__')) {
      problems.push(new ConfigError(formatPath([key, '__proto__']), expected));
    }
  }
  const pinoFunctions: PinoFunctionOptions = { mixin, mixinMergeStrategy, formatters: pinoFormatters, hooks };
  checkPinoFunctions(pinoFunctions);
  for (const [key, value] of [
    ['onDeliveryError', onDeliveryError],
    ['onChild', onChild],
  ] as const) {
    if (value !== undefined && typeof value !== 'function') problems.push(new ConfigError(key, 'expected a function'));
  }
  const serializers: Record<string, Serializers[string]> = {
    ...attempt(() => buildSerializers(rawSerializers, config.serializers), {}),
  };
  // pino applies the err serializer to whatever key errors go under.
  if (config.errorKey !== undefined && serializers.err !== undefined) serializers[config.errorKey] ??= serializers.err;

  if (config.levels !== undefined && config.customLevels !== undefined) {
    problems.push(new ConfigError('customLevels', "expected levels or customLevels (pino's name for it), not both"));
  }
  const onlyCustom = config.useOnlyCustomLevels ?? false;
  const levelsKey = config.levels !== undefined ? 'levels' : 'customLevels';
  const levels = attempt(() => buildLevels(config[levelsKey], onlyCustom, levelsKey), new LevelTable(undefined));
  const level = attempt(
    () =>
      config.enabled === false
        ? levels.value('silent')
        : config.level === undefined
          ? levelValue(levels, defaultLevel(levels, onlyCustom, env), 'level')
          : levelValue(levels, config.level, 'level', envSourceAt(expanded, 'level')),
    levels.builtin('info'),
  );
  // The schema refused something else at the top level: a level name given is still said to be
  // wrong in the same run (streamlog check), when the config names no levels of its own to know it by.
  // Not a number's text: "${LEVEL}" set to 40 is a level the schema reads as one.
  const unparsedLevel = expanded.level;
  if (
    config === unparsed &&
    typeof unparsedLevel === 'string' &&
    !isJsonNumber(unparsedLevel.trim()) &&
    expanded.levels === undefined &&
    expanded.customLevels === undefined &&
    !problems.some((problem) => problem.issues.some((issue) => issue.path === 'level'))
  ) {
    attempt(() => levelValue(levels, unparsedLevel, 'level', envSourceAt(expanded, 'level')), undefined);
  }
  const timestamp = timestampMode(typeof rawTimestamp === 'function' ? rawTimestamp : config.timestamp);
  const messageKey = config.messageKey ?? 'msg';
  const base = baseFields(config);
  // As pino: the base bindings (pid, hostname, name) go through formatters.bindings; a child's do not.
  const formattedBase = pinoFormatters?.bindings && config.base !== null ? pinoFormatters.bindings(base) : base;
  const lineKeys = ['level', 'time', messageKey];
  const coreKeys = new Set([...lineKeys, ...Object.keys(base), ...Object.keys(formattedBase ?? {})]);
  const safe = { ...DEFAULT_SAFE_OPTIONS, ...config.serialize, coreKeys };
  // The base is written beside level, time and the message; what formatters.level gives is the level.
  const baseSafe = { ...safe, coreKeys: new Set(lineKeys) };
  const levelSafe = { ...safe, coreKeys: new Set(lineKeys.filter((key) => key !== 'level')) };
  // A field, a binding or a base entry named as formatters.level's own fields would forge the level.
  const levelKeys = new Set<string>();
  const levelWriting = levelFormat(config.levelFormat, pinoFormatters?.level, levels, levelSafe, levelKeys);
  for (const key of levelKeys) {
    coreKeys.add(key);
    baseSafe.coreKeys.add(key);
  }
  const shape = new RecordShape(levels, timestamp, levelWriting, messageKey, safe, {
    crlf: config.crlf,
    streamWrite: hooks?.streamWrite,
    levelKeys,
  });
  // The redaction paths are read only once the schema has vouched for their shape.
  const redactor = !problems.some((problem) => problem.issues.some((issue) => topKeyOf(issue.path) === 'redact'))
    ? attempt(() => buildRedactor(jsonForms.redact as LoggerOptions['redact'], config.redact), undefined)
    : undefined;
  let tree: LoggerTree | undefined;
  const routerConfig = config.router ?? {};
  // One diagnostic per old option name and logger, however many entries use it; said once the
  // config is taken (a config refused for another problem gets that problem alone).
  const deprecations = new Map<string, string>();
  const deprecated = (path: string, name: string, instead: string): void => {
    if (deprecations.has(name)) return;
    deprecations.set(name, `${path}: "${name.split('.').pop()}" is deprecated, write ${instead} (accepted until 0.4)`);
  };
  const deadLetterPath = routerConfig.deadLetter === undefined ? undefined : resolve(baseDir, routerConfig.deadLetter);
  if (deadLetterPath !== undefined) attempt(() => checkDeadLetter(deadLetterPath, routerConfig.deadLetter!), undefined);
  const spoolDir = routerConfig.spool?.dir ?? routerConfig.spoolDir;
  const router = new Router({
    strategy: routerConfig.strategy,
    continueOnError: routerConfig.continueOnError,
    deadLetter: deadLetterPath === undefined ? undefined : new DeadLetterFile(deadLetterPath),
    failureThreshold: routerConfig.health?.failureThreshold,
    cooldownMs: routerConfig.health?.cooldownMs,
    maxBackpressureMs: routerConfig.maxBackpressureMs,
    diagnosticFallback: diagnostics === false || config.diagnostics === false ? undefined : writeDiagnostic,
    summariseDrops: (target, dropped, durationMs) =>
      tree?.warn(
        { target, dropped, durationMs },
        `dropped ${dropped} record(s) for ${target} while its queue was full`,
      ),
    spoolDir: spoolDir === undefined ? undefined : resolve(baseDir, spoolDir),
    spoolMaxBytes: routerConfig.spool?.maxBytes,
    revive: (line) => tree!.revive(line),
    waitAsLine: {
      may: (record) => tree!.mayWaitAsLine(record),
      revive: (line, level, time, msg) => tree!.reviveWaiting(line, level, time, msg),
    },
  });
  if (typeof diagnostics === 'function') router.on('diagnostic', diagnostics);
  // `config.diagnostics`: "diagnostics": "${QUIET}" is false once read.
  else if (diagnostics !== false && config.diagnostics !== false) {
    // Someone listening with log.on('diagnostic') handles them too: then stderr stays quiet.
    router.on('diagnostic', (message: string) => {
      if (router.listenerCount('diagnostic') === 1) writeDiagnostic(message);
    });
  }
  if (typeof onDeliveryError === 'function') router.on('deliveryFailed', onDeliveryError);
  if (routerConfig.spoolDir !== undefined) deprecated('router.spoolDir', 'router.spoolDir', '"spool": { "dir": … }');
  if (routerConfig.spoolDir !== undefined && routerConfig.spool?.dir !== undefined) {
    problems.push(
      new ConfigError('router.spoolDir', 'the old name of "spool": { "dir": … }, given too: keep "spool.dir" only'),
    );
  }

  const formatters = new FormatterCache();
  // Only a missing key means the default: `"transports": null` is a mistake like any other type.
  const given: unknown = rawTransports === undefined ? [{ type: 'console', format: 'json' }] : rawTransports;
  const entries = Array.isArray(given) ? given : [];
  if (!Array.isArray(given)) {
    problems.push(new ConfigError('transports', `expected an array of transport entries, got ${kindOf(given)}`));
  }
  // Every entry is tried, so one ConfigError can list every problem in the file.
  const made: ReturnType<typeof createTransport>[] = [];
  let built = false;
  try {
    const ids = new Map<string, string>();
    const nestedIds: { id: string; at: string }[] = [];
    const files: FileEntry[] = [];
    const instances = new Map<Transport, string>();
    entries.forEach((entry, index) => {
      const path = `transports[${index}]`;
      try {
        const one = createTransport(entry, path, {
          levels,
          baseDir,
          env,
          formatters,
          router,
          warn: (fields, msg) => tree?.warn(fields, msg),
          revive: (line) => tree!.revive(line),
          deprecated,
          made: (transport, at) => {
            // A nested entry's own id: log.transport(id) finds it, so it is as unique as a top-level one.
            if (at !== path && transport.id) nestedIds.push({ id: transport.id, at });
            const file = (transport as { path?: unknown }).path;
            // One instance listed twice is said once, above.
            const listed = files.some((one) => one.transport === transport);
            if (transport.type === 'file' && typeof file === 'string' && !listed) files.push({ transport, file, at });
          },
        });
        // One instance as two targets (a factory that returns a singleton, an instance listed
        // twice) takes each record twice and settles it once: half its records stayed pending.
        const first = instances.get(one.transport);
        if (first !== undefined) {
          problems.push(
            new ConfigError(path, `the same transport as ${first}: each entry needs an instance of its own`),
          );
          return;
        }
        instances.set(one.transport, path);
        // Without an id of its own, the router names it by type and position (router.add): an
        // entry whose id is that name made two targets of one id, and log.transport(id) found one.
        const given = one.transport.id;
        const id = given || defaultTargetId(one.transport.type, made.length);
        made.push(one);
        const named = ids.get(id);
        if (named !== undefined) {
          problems.push(
            given
              ? new ConfigError(`${path}.id`, `duplicate id "${id}" (already used by ${named})`)
              : new ConfigError(
                  path,
                  `named "${id}" by its type and position, the id of ${named}: give this entry an "id" of its own`,
                ),
          );
        }
        ids.set(id, given ? path : `${path}, named so by its type and position`);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems.push(error);
      }
    });
    for (const { id, at } of nestedIds) {
      const named = ids.get(id);
      if (named !== undefined)
        problems.push(new ConfigError(`${at}.id`, `duplicate id "${id}" (already used by ${named})`));
      else ids.set(id, at);
    }
    problems.push(...targetConflicts(files, deadLetterPath));
    if (problems.length > 0) throw combineProblems(problems);
    for (const message of deprecations.values()) router.diagnose(message);
    for (const one of made) router.add(one.transport, one.target);

    // As pino: the base bindings go through the serializers, then redaction, as a child's do.
    const serializerSet = new SerializerSet(serializers);
    const serializedBase =
      typeof formattedBase === 'object' && formattedBase !== null
        ? serializerSet.apply(formattedBase as Record<string, unknown>)
        : formattedBase;
    const bindings = fieldsJson(redactor ? redactor(serializedBase) : serializedBase, baseSafe);
    forgetCopies();
    const exitFlush = config.exitFlush ?? true;
    tree = new LoggerTree({
      levels,
      shape,
      router,
      redactor,
      exitFlush,
      exitTimeoutMs: config.exitTimeoutMs ?? 10_000,
      handleExceptions: exitFlush && (config.handleExceptions ?? true),
      handleSignals: exitFlush && (config.handleSignals ?? true),
      baseJson: bindings,
      onChild,
      errorKey: config.errorKey ?? 'err',
      nestedKey: config.nestedKey,
      fieldsHook: fieldsHook(pinoFunctions),
      fieldsHookWith: (log) => fieldsHook({ ...pinoFunctions, formatters: { ...pinoFunctions.formatters, log } })!,
      logMethodHook: logMethodHook(pinoFunctions),
    });
    const logger = new Logger(tree, {
      level,
      scope: tree.rootScope,
      serializers: serializerSet,
      msgPrefix: config.msgPrefix,
    });
    built = true;
    return logger;
  } finally {
    // Whatever stopped the build (a ConfigError, or a throw of the caller's own: a getter in
    // an entry, a censor that throws on the base bindings), the streams it was handed go back
    // as they were. Still held, the last of their other loggers' closes no longer ended them.
    if (!built) {
      for (const one of made) {
        if (one.handed) letGoOf(one.transport);
        else one.transport.destroy();
      }
    }
  }
}

/** The standard serializers named in config, or functions from code (each checked). */
function buildSerializers(raw: LoggerOptions['serializers'], named: Config['serializers']): Serializers {
  if (named !== undefined) return Object.fromEntries(named.map((name) => [name, stdSerializers[name]]));
  // Names the schema refused: it has said which one, at its index.
  if (raw === undefined || Array.isArray(raw)) return {};
  if (typeof raw !== 'object' || raw === null) {
    throw new ConfigError('serializers', 'expected an array of standard serializer names or an object of functions');
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'function') throw new ConfigError(formatPath(['serializers', key]), 'expected a function');
  }
  return raw as Serializers;
}

function redactForSchema(redact: LoggerOptions['redact']): unknown {
  // A censor function is legal from code; the JSON schema only sees its JSON-able parts.
  if (redact && !Array.isArray(redact) && typeof redact === 'object' && typeof redact.censor === 'function') {
    const jsonPart = { ...redact, censor: undefined };
    copyEnvSources(redact, jsonPart);
    return jsonPart;
  }
  return redact;
}

function buildLevels(custom: Record<string, number> | undefined, onlyCustom: boolean, key: string): LevelTable {
  if (onlyCustom && Object.keys(custom ?? {}).length === 0) {
    throw new ConfigError('useOnlyCustomLevels', 'expected levels (or customLevels) to name at least one level');
  }
  const reserved = reservedLevelNames();
  // Every such name said at once (streamlog check lists them all).
  const shadowing = Object.keys(custom ?? {})
    .filter((name) => reserved.has(name))
    .map(
      (name) =>
        new ConfigError(
          formatPath([key, name]),
          `"${name}" would shadow the logger's own "${name}" and cannot name a level`,
        ),
    );
  if (shadowing.length > 0) throw combineProblems(shadowing);
  return new LevelTable(custom, onlyCustom);
}

/** LOG_LEVEL, else info; with only custom levels there is no info, so `level` must be given. */
function defaultLevel(levels: LevelTable, onlyCustom: boolean | undefined, env: NodeJS.ProcessEnv): LevelInput {
  // A number, as "level": "${LOG_LEVEL}" would read it: no level is named "30".
  const level = envLevel(levels, env.LOG_LEVEL?.trim() || 'info');
  // The config has no "level": say where the name came from, or the user looks for it in the file.
  const from = env.LOG_LEVEL ? ` (from $LOG_LEVEL="${env.LOG_LEVEL}"; the config sets no "level")` : '';
  if (level === undefined)
    throw new ConfigError('level', `expected a whole number from 0 to 1000 or a level name${from}`);
  if (typeof level === 'number') return level;
  if (onlyCustom && !levels.has(level)) {
    throw new ConfigError(
      'level',
      `expected one of the custom levels (${levels.names().join(', ')}), as useOnlyCustomLevels is set${from}`,
    );
  }
  if (!levels.has(level)) {
    const known = [...levels.names(), 'silent'];
    throw new ConfigError(
      'level',
      `unknown level "${level}"${from} (known: ${known.join(', ')})${didYouMean(level, known)}`,
    );
  }
  return level;
}

function buildRedactor(redact: LoggerOptions['redact'], parsed: Config['redact']): Redactor | undefined {
  if (redact === undefined) return undefined;
  const spec = Array.isArray(redact) ? { paths: redact } : redact;
  const at: PropertyKey[] = Array.isArray(redact) ? ['redact'] : ['redact', 'paths'];
  const bad: ConfigError[] = [];
  spec.paths.forEach((path, index) => {
    try {
      parseRedactPath(path);
    } catch (error) {
      bad.push(new ConfigError(formatPath([...at, index]), (error as Error).message));
    }
  });
  if (bad.length > 0) throw combineProblems(bad);
  const remove = parsed !== undefined && !Array.isArray(parsed) ? parsed.remove : undefined;
  return createRedactor({ paths: spec.paths, censor: spec.censor, remove });
}

/**
 * The dead letter is opened when a record first fails, so what is wrong with its path
 * already (a folder, a NUL, a file it cannot write, a folder it cannot be made in) is said
 * now. A missing file, and missing folders above it, are made then.
 */
function checkDeadLetter(path: string, given: string): void {
  let problem: string | undefined;
  if (path.includes('\0')) problem = 'expected a file path without NUL characters';
  // resolve() takes "dead/" as the file "dead": the dead letters went to a file beside the folder meant.
  else if (given.endsWith('/')) problem = 'expected a file path, not a folder (it ends in "/")';
  else {
    try {
      if (statSync(path).isDirectory()) problem = `expected a file, but ${path} is a folder`;
      else accessSync(path, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problem = `cannot write to ${path}: ${code ?? String(error)}`;
      else problem = creatableProblem(path);
    }
  }
  if (problem !== undefined) throw new ConfigError('router.deadLetter', problem);
}

/** Why a missing file could not be made at `path`: the nearest folder above it that exists takes no new entry. */
function creatableProblem(path: string): string | undefined {
  let folder = dirname(path);
  for (;;) {
    try {
      if (!statSync(folder).isDirectory()) return `cannot create ${path}: ${folder} is not a folder`;
      accessSync(folder, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dirname(folder) === folder) return `cannot create ${path}: ${code ?? String(error)}`;
      folder = dirname(folder);
    }
  }
}

/** pid, hostname (or the configured base) and name: the keys every line starts with. */
function baseFields(config: Config): Record<string, unknown> {
  // As pino: `base: null` leaves out name too.
  if (config.base === null) return {};
  const base: Record<string, unknown> =
    config.base === undefined ? { pid: process.pid, hostname: hostname() } : { ...config.base };
  if (config.name !== undefined) base.name = config.name;
  return base;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
