import type { Logger } from '../logger/logger.js';
import type { FieldsHook, LogMethodHook } from '../logger/logger-tree.js';
import type { LevelTable } from '../record/levels.js';
import { messageLeftOut, type Redactor, THREW_UNDER_PATH_TEXT } from '../record/redact.js';
import { noteCopyForRedaction } from '../record/redacted-copies.js';
import { type SafeOptions, fieldsJson } from '../record/serialize.js';
import type { LevelFormat, TimestampMode } from '../record/shape.js';
import { envBoolean } from '../util/env-text.js';
import { describeThrown, messageOf } from '../util/thrown.js';
import { ConfigError } from './errors.js';
import { expandEnv } from './expand-env.js';
import type { Config } from './schema.js';

// pino's options that are functions (mixin, formatters, hooks, time functions): checked once,
// and each turned into what the logger runs, so a logger without them pays nothing.

/** pino's option functions, as a service passes them to `pino(opts)`. */
export interface PinoFunctionOptions {
  /** pino's: fields added to every record, from the call's fields, the level and the logger. */
  mixin?: ((fields: Record<string, unknown>, level: number, logger: Logger) => object) | undefined;
  /** pino's: how mixin's fields and the call's combine (default: the call's win). */
  mixinMergeStrategy?: ((fields: Record<string, unknown>, mixin: Record<string, unknown>) => object) | undefined;
  /**
   * pino's formatters: `level` gives the fields that stand for a level (called once per level,
   * at construction), `log` reshapes each record's fields, `bindings` the base bindings.
   */
  formatters?:
    | {
        level?: ((label: string, value: number) => object) | undefined;
        log?: ((fields: Record<string, unknown>) => Record<string, unknown>) | undefined;
        bindings?: ((bindings: Record<string, unknown>) => object) | undefined;
      }
    | undefined;
  /**
   * pino's hooks: `logMethod(args, method, level)` sees every enabled call and calls `method`
   * (or not); `streamWrite(line)` sees each JSON line as built (with its end) and returns the
   * line to write, once per record, whatever number of targets it goes to.
   */
  hooks?: {
    // A method, so a hook typed by pino's own LoggerOptions (its arguments as a tuple) is taken.
    logMethod?(this: Logger, args: unknown[], method: (...args: unknown[]) => void, level: number): void;
    streamWrite?: (line: string) => string;
  };
}

/** Each option that must be a function is one, and no unknown formatter or hook is named. */
export function checkPinoFunctions(options: PinoFunctionOptions): void {
  for (const key of ['mixin', 'mixinMergeStrategy'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new ConfigError(key, 'expected a function');
    }
  }
  checkFunctions('formatters', options.formatters, ['level', 'log', 'bindings']);
  checkFunctions('hooks', options.hooks, ['logMethod', 'streamWrite']);
}

function checkFunctions(name: string, group: object | undefined, known: string[]): void {
  if (group === undefined) return;
  if (typeof group !== 'object' || group === null) throw new ConfigError(name, 'expected an object');
  for (const [key, value] of Object.entries(group)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `${name}.${key}`,
        `unknown ${name === 'hooks' ? 'hook' : 'formatter'} (known: ${known.join(', ')})`,
      );
    }
    if (typeof value !== 'function') throw new ConfigError(`${name}.${key}`, 'expected a function');
  }
}

/** pino's mixin and formatters.log as one step; undefined when neither is given (the hot path pays nothing). */
export function fieldsHook(options: PinoFunctionOptions): FieldsHook | undefined {
  const { mixin, mixinMergeStrategy: merge } = options;
  const log = options.formatters?.log;
  if (mixin === undefined && log === undefined) return undefined;
  return (fields, level, logger, redactor) => {
    let out = fields ?? {};
    if (mixin !== undefined) {
      let extra: Record<string, unknown>;
      try {
        extra = (mixin(out, level, logger as Logger) ?? {}) as Record<string, unknown>;
      } catch (error) {
        // The call's own fields are not lost to the mixin's mistake.
        extra = { mixinError: threw('mixin', error, redactor) };
      }
      try {
        // pino's default: the call's own fields win over the mixin's. Object.assign, not a
        // spread: V8 takes a slow path for `{ ...a, ...b }` of two dynamic objects (~1.5 µs).
        const merged = merge !== undefined ? merge(out, extra) : Object.assign({}, extra, out);
        // Values that refer back to either refer to what the merge stands for (see noteCopy).
        if (typeof merged === 'object' && merged !== null) {
          noteCopyForRedaction(merged, out);
          noteCopyForRedaction(merged, extra);
        }
        out = merged as Record<string, unknown>;
      } catch (error) {
        out =
          merge !== undefined
            ? carefulAssign({ mixinError: threw('mixinMergeStrategy', error, redactor) }, out, redactor)
            : carefulAssign(carefulAssign({}, extra, redactor), out, redactor);
      }
    }
    return log !== undefined ? formattedLog(log, out, redactor) : out;
  };
}

/**
 * What a function handed the call's fields threw, as a field says it. With redaction paths its
 * message is left out: it may quote what they cover, and no path reaches into this text.
 */
function threw(what: string, error: unknown, redactor: Redactor | undefined): string {
  return redactor === undefined
    ? `${what} threw: ${describeThrown(error)}`
    : `${what} threw; ${messageLeftOut('the fields it was given')}`;
}

/**
 * What pino's formatters.log gives for a call's fields. One that throws, or gives no object
 * (pino then writes no field at all), loses none: the fields stay as they were, with a
 * `formattersLogError` saying what it did.
 */
function formattedLog(
  log: (fields: Record<string, unknown>) => Record<string, unknown>,
  fields: Record<string, unknown>,
  redactor: Redactor | undefined,
): Record<string, unknown> {
  let shaped: unknown;
  try {
    shaped = log(fields);
  } catch (error) {
    return carefulAssign({ formattersLogError: threw('formatters.log', error, redactor) }, fields, redactor);
  }
  if (typeof shaped === 'object' && shaped !== null) return shaped as Record<string, unknown>;
  const kind = shaped === null ? 'null' : typeof shaped;
  return carefulAssign({ formattersLogError: `formatters.log returned ${kind}, not an object` }, fields, redactor);
}

/**
 * Object.assign that never throws: a getter that throws is copied as the marker the
 * serialiser or redaction writes for one; an object whose keys cannot be listed (a Proxy)
 * adds nothing but a `mixinError` saying so.
 */
function carefulAssign(
  target: Record<string, unknown>,
  source: object,
  redactor: Redactor | undefined,
): Record<string, unknown> {
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch (error) {
    target.mixinError =
      redactor === undefined
        ? `fields could not be merged: ${describeThrown(error)}`
        : `fields could not be merged; ${messageLeftOut('the fields')}`;
    return target;
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = (source as Record<string, unknown>)[key];
    } catch (error) {
      // Copied as a string, it is text no path reaches into: said as redaction says it.
      value = redactor?.reachesUnder(key) === true ? THREW_UNDER_PATH_TEXT : `[getter threw: ${messageOf(error)}]`;
    }
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return target;
}

/** pino's hooks.logMethod, or undefined (the level methods are then the plain ones). */
export function logMethodHook(options: PinoFunctionOptions): LogMethodHook | undefined {
  return options.hooks?.logMethod as LogMethodHook | undefined;
}

/**
 * How the level is written: `levelFormat`, or pino's formatters.level. The formatter is tried
 * on every level now, so a mistake is a ConfigError at start-up, and its fields become text
 * once per level. pino writes `{,` (not JSON) when it gives no field; that is refused here.
 */
export function levelFormat(
  configured: Config['levelFormat'],
  formatter: NonNullable<PinoFunctionOptions['formatters']>['level'],
  levels: LevelTable,
  safe: SafeOptions,
  /** Filled with the keys the formatter gives: the line owns them, as it owns `level`. */
  owned?: Set<string>,
): LevelFormat {
  if (formatter === undefined) return configured ?? 'number';
  if (configured !== undefined) {
    throw new ConfigError('formatters.level', 'expected levelFormat or formatters.level, not both');
  }
  const entries = (label: string, value: number): string => {
    const fields = formatter(label, value);
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.keys(fields).length === 0) {
      throw new TypeError(`gave ${describe(fields)} for ${label}, where an object with at least one field is expected`);
    }
    // Fields that write nothing (`{ severity: undefined }`, a level the formatter's map lacks)
    // made the line `{,"time":…`, which is no JSON.
    const json = fieldsJson(fields, safe).slice(1);
    if (json === '') throw new TypeError(`gave no field JSON can hold for ${label} (${describeFields(fields)})`);
    return json;
  };
  for (const name of levels.names()) {
    try {
      const json = entries(name, levels.values[name]!);
      if (owned !== undefined) for (const key of Object.keys(JSON.parse(`{${json}}`) as object)) owned.add(key);
    } catch (error) {
      throw new ConfigError('formatters.level', error instanceof TypeError ? error.message : `threw: ${String(error)}`);
    }
  }
  return entries;
}

function describeFields(fields: object): string {
  return Object.keys(fields)
    .map((key) => `${key}: ${typeof (fields as Record<string, unknown>)[key]}`)
    .join(', ');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an empty object' : typeof value;
}

/**
 * The time field: `"epoch"` (and pino's `true`), `"iso"`, `false`, or one of pino's time
 * functions, recognised by what it writes: `,"time":<ms>` is epoch, `,"time":"<ISO>"` is
 * iso, nothing is false, each only if the time it writes is now's. Other functions would run
 * on every record and are refused.
 */
export function timestampMode(value: Config['timestamp'] | (() => string)): TimestampMode {
  if (value === undefined || value === true) return 'epoch';
  if (typeof value !== 'function') return value;
  let sample: unknown;
  try {
    sample = value();
  } catch (error) {
    throw new ConfigError('timestamp', `expected a time function that does not throw: ${String(error)}`);
  }
  if (sample === '') return false;
  // The time written must be now's, as pino's functions write: one that writes a fixed or
  // shifted time (a test's frozen clock) is refused, not replaced by the real time unsaid.
  const now = (written: number): boolean => Math.abs(written - Date.now()) <= 60_000;
  // Any number of digits: a clock before September 2001 (a container's that starts in 1970, a
  // test's fake timers at 0) writes fewer than 13, and pino takes it as it is.
  if (typeof sample === 'string' && /^,"time":-?\d+$/.test(sample) && now(Number(sample.slice(8)))) return 'epoch';
  if (
    typeof sample === 'string' &&
    // Milliseconds, as isoTime writes: isoTimeNano's nanoseconds would be cut off unsaid.
    /^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/.test(sample) &&
    now(Date.parse(sample.slice(9, -1)))
  ) {
    return 'iso';
  }
  throw new ConfigError(
    'timestamp',
    `expected "epoch", "iso", true, false or pino's epochTime, isoTime or nullTime ` +
      `(this function writes ${JSON.stringify(sample)})`,
  );
}

/** pino's `transport` option: one target, several (`targets`), or a pipeline. */
export interface PinoTransportOptions {
  target?: string | undefined;
  options?: Record<string, unknown> | undefined;
  /** Beside a lone target pino does not read it (it filters nothing); in `targets`, each target's filter. */
  level?: string | undefined;
  /** Each a target with its options and level (a pipeline among them is a ConfigError). */
  targets?:
    | readonly {
        target?: string | undefined;
        options?: Record<string, unknown> | undefined;
        level?: string | undefined;
        pipeline?: readonly unknown[] | undefined;
      }[]
    | undefined;
  pipeline?: readonly unknown[] | undefined;
  /** pino's: each record to the matching target of the highest level alone; `true` is a ConfigError here. */
  dedupe?: boolean | undefined;
}

/**
 * pino's `transport` as streamlog transport entries: `pino/file` (a path, or 1/2 for stdout and
 * stderr) and `pino-pretty` (its `destination` and `colorize`; its other options shape pino-pretty's
 * own text and are not read) are written in the process; any other target (pino runs it in a
 * worker thread) and pipelines are a ConfigError saying what to write instead.
 */
export function transportsFromPino(value: unknown, env: NodeJS.ProcessEnv = process.env): Record<string, unknown>[] {
  // A flag read here, before the entries expand: "${VAR}" in a JSON config is read as its value.
  const flag = (given: unknown, path: string): unknown =>
    typeof given === 'string' && given.includes('$')
      ? (envBoolean(String(expandEnv(given, env, [path]))) ?? given)
      : given;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('transport', "expected pino's transport object ({ target, options } or { targets })");
  }
  const given = value as PinoTransportOptions;
  if (given.pipeline !== undefined) {
    throw new ConfigError('transport.pipeline', 'pino\'s pipelines are not run here: write "transports" entries');
  }
  const dedupe = flag(given.dedupe, 'transport.dedupe');
  if (dedupe !== undefined && dedupe !== false) {
    throw new ConfigError(
      'transport.dedupe',
      "pino's dedupe (each record to the target of the highest level alone) is not done here: " +
        'each target takes every record at or above its level; leave dedupe out',
    );
  }
  if (given.targets !== undefined) {
    if (!Array.isArray(given.targets)) throw new ConfigError('transport.targets', 'expected an array of targets');
    // pino runs two or more targets through its multistream, where a target without a level
    // takes info (30) and up, whatever the logger's level; a lone target takes every line.
    const unleveled = given.targets.length > 1 ? 30 : undefined;
    return given.targets.map((one, i) => entryFromPino(one, `transport.targets[${i}]`, flag, unleveled));
  }
  // pino hands a lone target (not in targets) its options alone: a level beside them filters nothing.
  return [entryFromPino({ target: given.target, options: given.options }, 'transport', flag)];
}

function entryFromPino(
  given: unknown,
  path: string,
  flag: (given: unknown, path: string) => unknown,
  unleveled?: number,
): Record<string, unknown> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new ConfigError(path, 'expected a target object ({ target, options, level })');
  }
  const { target, options = {} } = given as { target?: unknown; options?: unknown };
  const level = (given as { level?: unknown }).level ?? unleveled;
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${path}.options`, 'expected an object');
  const { destination, append, mode } = options as { destination?: unknown; append?: unknown; mode?: unknown };
  const withLevel = (entry: Record<string, unknown>): Record<string, unknown> =>
    level === undefined ? entry : { ...entry, level };
  const where = (format: unknown): Record<string, unknown> => {
    if (destination === undefined || destination === 1 || destination === '/dev/stdout') {
      return { type: 'console', ...(format === undefined ? {} : { format }) };
    }
    if (destination === 2 || destination === '/dev/stderr') {
      return { type: 'console', stream: 'stderr', ...(format === undefined ? {} : { format }) };
    }
    if (typeof destination === 'string' && destination !== '') {
      if (append !== undefined && flag(append, `${path}.options.append`) !== true) {
        // pino opens the file anew (emptied) with append: false; lines here are always appended.
        throw new ConfigError(
          `${path}.options.append`,
          'lines are always appended to the file here: leave append out, or remove the file before start',
        );
      }
      // pino's file mode (for a new file) is kept; without one, the file entry's default applies.
      const modeOf = mode === undefined ? {} : { mode };
      return { type: 'file', path: destination, ...modeOf, ...(format === undefined ? {} : { format }) };
    }
    throw new ConfigError(`${path}.options.destination`, 'expected a file path, 1 (stdout) or 2 (stderr)');
  };
  if (target === 'pino/file') return withLevel(where(undefined));
  if (target === 'pino-pretty') {
    const colorize = (options as { colorize?: unknown }).colorize;
    return withLevel(where(typeof colorize === 'boolean' ? { type: 'pretty', colorize } : 'pretty'));
  }
  const named = typeof target === 'string' ? `"${target}"` : 'without a name';
  throw new ConfigError(
    `${path}.target`,
    `pino's worker transport ${named} is not run here: write "transports" entries ` +
      '(console, file, http with its otlp, loki, elasticsearch and clickhouse presets, syslog)',
  );
}
