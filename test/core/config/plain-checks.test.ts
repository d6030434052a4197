import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createLogger, type LoggerOptions } from '../../../src/index.js';
import {
  configSchema,
  formatSpecSchema,
  maxQueueSchema,
  redactSchema,
  routerSchema,
  transportEnvelopeSchema,
} from '../../../src/core/config/schema.js';
import { expandEnv } from '../../../src/core/config/expand-env.js';
import { issuesToConfigError, parseOrThrow, parseWithSchema } from '../../../src/core/config/issues.js';
import { batchLimitsSchema, retrySchema, spoolSchema } from '../../../src/core/plugin/batch-schema.js';
import { getFormatterPlugin, getTransportPlugin } from '../../../src/core/plugin/registry.js';
import { durationSchema, sizeSchema } from '../../../src/core/plugin/units.js';
import { NO, parseFast } from '../../../src/core/util/lazy-schema.js';

// Values valid somewhere and invalid elsewhere: sizes, durations, levels, names, modes, edge numbers.
const SCALARS: unknown[] = [
  ...['', 'info', 'x', 'a.b', '1MB', '64KB', '5s', '1m', 'hourly', 'daily', '0640', '0o777', '999', '1000'],
  ...['stdout', 'stderr', 'epoch', 'iso', 'json', 'label', 'number', 'all', 'drop-oldest', 'block', 'err'],
  ...['level', 'msg', 'Bad', '__proto__', ' 5 s', '1.5KB', '10 parsecs'],
  ...[
    0,
    1,
    -1,
    1.5,
    64,
    65,
    100,
    1000,
    1001,
    1024,
    60_000,
    0o777,
    0o1000,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
  ],
  ...[true, false, null, undefined],
];
// Nested objects of the 0.3 vocabulary, 0.2's names, and near misses of both.
const OBJECTS: unknown[] = [
  ...[{}, [], ['a'], [''], ['err', 'req'], { type: 'json' }, { type: '' }, { type: 'pretty', colorize: true }],
  ...[{ size: '1MB' }, { size: 10 }, { interval: 'daily', maxFiles: 3 }, { interval: '30s' }, { compress: true }],
  ...[
    { paths: ['a'] },
    { paths: ['a'], censor: 0 },
    { paths: ['a'], remove: true },
    { paths: [''] },
    { strategy: 'any', health: { cooldownMs: '1s' } },
  ],
  ...[{ strategy: 'some' }, { health: { failureThreshold: 0 } }, { maxDepth: 5, maxChars: '1MB' }, { maxNodes: 99 }],
  ...[{ maxRecords: 10, maxBytes: '1KB' }, { maxRecords: 0 }, { maxRecord: 10 }, { records: 10, bytes: '1KB' }],
  ...[
    { records: 0 },
    { bytes: 'lots' },
    { dir: 'spool' },
    { dir: '' },
    { dir: 'spool', maxBytes: '1MB' },
    { dir: 'spool', maxBytes: 0 },
    { dir: 'spool', maxBytes: '0KB' },
    { dirr: 'x' },
  ],
  ...[{ maxAttempts: 3, baseMs: '100ms', maxMs: '5s' }, { maxAttempts: 0 }, { deadlineMs: '1m' }, { intervalMs: '1s' }],
  ...[{ maxBytes: '2KB', intervalMs: 'soon' }, { svc: 1 }, { info: 35, loud: 1001 }, { Bad: 1 }, { audit: 35 }],
  ...[{ type: 'file', path: '/dev/null' }, { type: 'console', module: 'x' }, { type: 'memory' }, Object.create(null)],
  JSON.parse('{ "__proto__": { "x": 1 } }'),
  // The http transport's: URLs, presets, headers, compression, tls, table names.
  ...['http://127.0.0.1:4318/v1/logs', 'https://a.b/c?d=1', 'HTTP://X', ' http://x', 'http://x ', 'http:x'],
  ...['ftp://x', 'http://exa\nmple.com', 'http://', 'http://[::1]:9/', 'https://a b', 'otlp', 'loki', 'nope'],
  ...['logs', 'db.logs', '1bad', 'gzip', 'none', 'brotli'],
  ...[{ authorization: 'Bearer x' }, { 'bad name': 'x' }, { x: 'a\r\nb' }, { x: 1 }],
  ...[{ type: 'gzip' }, { type: 'gzip', minBytes: '1KB' }, { type: 'zip' }, { ca: 'pem', rejectUnauthorized: false }],
  // z.record refuses a symbol key (not a string); Object.keys would not see it.
  ...[{ [Symbol('s')]: 'x' }, { audit: 35, [Symbol('s')]: 35 }, { 'app@1': ['a'], [Symbol('s')]: ['b'] }],
  // The syslog transport's: protocols, hosts, ports, facilities, SD-IDs, framings, severities, sizes, tls.
  ...['tcp', 'tls', 'udp', 'TCP', '127.0.0.1', 'logs.internal', 514, 6514, 65_535, 65_536, 23, 24, 479, 480],
  // relp, its port and windows at and past their bounds.
  ...['relp', 'RELP', 2514, 128, 100_000, 100_001],
  ...['local0', 'local7', 'kern', 'LOCAL0', 'local8', 'app@32473', 'octet-counting', 'lf', 'crlf', 'crit', 'emerg'],
  ...['2KB', '479', '1.5KB', 'a'.repeat(32), 'a'.repeat(33), 'a b', 'a=b', 'a]', 'a"b', 'é'],
  ...[['env', 'region'], ['a', 1], { 'app@32473': ['env'] }, { 'app@32473': [] }, { 'a b': ['x'] }, { x: [''] }],
  ...[{ x: ['a'], y: 'b' }, { ca: '-----BEGIN CERTIFICATE-----', servername: 'logs' }, { servername: '' }, { ca: '' }],
  // The validating transport's: rules, what to do with an invalid record, JSON Schemas, targets.
  ...['string', 'number?', 'integer', 'any?', 'array??', 'num', ' string', 'error', 'skip', 'log', 'dead-letter'],
  ...[{ userId: 'number', tags: 'array?' }, { x: 'num' }, { x: 'string', y: 5 }, { x: 'any' }],
  ...[{ type: 'object', required: ['userId'], properties: { userId: { type: 'integer' } } }, { type: 'nope' }],
  ...[{ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }, { $schema: 'draft-99' }],
  ...[{ properties: { msg: { maxLength: '5' } } }, { enum: [] }, { type: 'object', unknownKeyword: 1 }],
  ...[
    { type: 'memory', maxRecords: 10 },
    { type: 'buffered', target: { type: 'memory' } },
  ],
];
const VALUES = [...SCALARS, ...OBJECTS];

/** Objects of the schema's keys (and a misspelt and an unknown one) over a valid base. */
function inputs(keys: string[], base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const misspelt = keys.length > 0 ? [`${keys[0]!}s`] : [];
  return fc.uniqueArray(fc.constantFrom(...keys, ...misspelt, 'bogus'), { maxLength: 4 }).chain((chosen) =>
    fc.tuple(...chosen.map(() => fc.constantFrom(...VALUES))).map((values) => {
      const out: Record<string, unknown> = { ...base };
      chosen.forEach((key, i) => {
        out[key] = values[i];
      });
      return out;
    }),
  );
}

function keysOf(schema: z.ZodType): string[] {
  const def = (schema as unknown as { _zod: { def: { shape?: object; in?: z.ZodType; schema?: z.ZodType } } })._zod.def;
  if (def.shape) return Object.keys(def.shape);
  return def.in ? keysOf(def.in) : [];
}

type Outcome = { ok: true; data: unknown } | { ok: false; path: string; message: string; issues: unknown };

/** Records a compiled JSON Schema (the validating transport's) is tried on. */
const SAMPLE_RECORDS = [{}, { userId: 5 }, { userId: 'x', tags: [] }, { msg: 'hello there' }, { level: 30, x: null }];

/**
 * The data with each check function (a compiled JSON Schema's: two compilations give two
 * functions) replaced by what it says of SAMPLE_RECORDS, so two parses' data compare.
 */
function comparable(data: unknown, depth = 0): unknown {
  if (typeof data === 'function') return { verdicts: SAMPLE_RECORDS.map((record) => data(record)) };
  if (typeof data !== 'object' || data === null || Array.isArray(data) || depth > 2) return data;
  if (!Object.values(data).some((v) => typeof v === 'function' || (typeof v === 'object' && v !== null))) return data;
  const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(data));
  for (const [key, value] of Object.entries(data)) out[key] = comparable(value, depth + 1);
  return out;
}

function outcome(parse: () => unknown): Outcome {
  try {
    return { ok: true, data: comparable(parse()) };
  } catch (error) {
    const { path, message, issues } = error as { path: string; message: string; issues: unknown };
    return { ok: false, path, message, issues };
  }
}

/** What parseOrThrow did before plain checks: the schema alone. */
function zodAlone(schema: z.ZodType, value: unknown, prefix: string): unknown {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw issuesToConfigError(result.error.issues, schema, prefix);
  return result.data;
}

/** Plain check, then zod for what it does not vouch for: the same verdict, data and error as zod alone. */
function agrees(schema: z.ZodType, value: unknown): void {
  const prefix = 'transports[3]';
  const both = outcome(() => parseOrThrow(schema, value, prefix));
  const alone = outcome(() => zodAlone(schema, value, prefix));
  expect(both, JSON.stringify(value)).toEqual(alone);
  if (both.ok && alone.ok) expect(Object.keys(both.data ?? {}).sort()).toEqual(Object.keys(alone.data ?? {}).sort());
}

const transport = (name: string): z.ZodType => getTransportPlugin(name)!.schema;
const format = (name: string): z.ZodType => getFormatterPlugin(name)!.schema;
const cases: [string, z.ZodType, Record<string, unknown>][] = [
  ['config', configSchema, {}],
  ['router', routerSchema, {}],
  ['maxQueue', maxQueueSchema, {}],
  ['transport envelope', transportEnvelopeSchema, { type: 'file' }],
  ['batch', batchLimitsSchema, {}],
  ['retry', retrySchema, {}],
  ['spool', spoolSchema, { dir: 'spool' }],
  ['file', transport('file'), { path: 'a.log' }],
  ['console', transport('console'), {}],
  ['memory', transport('memory'), {}],
  ['buffered', transport('buffered'), { target: { type: 'memory' } }],
  ['http', transport('http'), { url: 'http://127.0.0.1:4318/v1/logs' }],
  ['syslog', transport('syslog'), { host: '127.0.0.1', port: 514 }],
  ['validating', transport('validating'), { rules: { userId: 'number' }, target: { type: 'memory' } }],
  ['validating (JSON Schema)', transport('validating'), { schema: { type: 'object' }, target: { type: 'memory' } }],
  ...['json', 'stable-json', 'text', 'pretty'].map((f): [string, z.ZodType, object] => [`${f} format`, format(f), {}]),
];

describe('plain-code option checks, then zod', () => {
  it.each(cases)('give the %s schema’s verdict, data and error, exactly', (_name, schema, base) => {
    const keys = keysOf(schema);
    fc.assert(
      fc.property(inputs(keys, base), (value) => agrees(schema, value)),
      { numRuns: 1500 },
    );
    for (const value of VALUES) {
      agrees(schema, value);
      // Every key with every value, alone over the base: one bad value is never vouched for.
      for (const key of [...keys, 'bogus']) agrees(schema, { ...base, [key]: value });
    }
  });

  it('give the verdicts of sizes, durations, redact and format specs', () => {
    for (const value of VALUES) {
      for (const schema of [sizeSchema, durationSchema, redactSchema, formatSpecSchema]) agrees(schema, value);
    }
  });

  it('vouch for the usual options, old names included (so zod is not needed for them)', () => {
    const file = getTransportPlugin('file')!.schema;
    expect(parseFast(file, { path: 'a.log', rotate: { size: '10MB', interval: 'daily' }, bufferSize: '64KB' })).toEqual(
      { path: 'a.log', rotate: { size: 10 * 1024 * 1024, interval: 86_400_000 }, bufferSize: 65_536 },
    );
    expect(parseFast(configSchema, { level: 'info', redact: ['a'], router: { spool: { dir: 's' } } })).not.toBe(NO);
    expect(parseFast(routerSchema, { spoolDir: 's' })).toEqual({ spoolDir: 's' });
    expect(parseFast(maxQueueSchema, { records: 5, bytes: '1KB' })).toEqual({ records: 5, bytes: 1024 });
    expect(parseFast(transport('memory'), { capacity: 5 })).toEqual({ capacity: 5 });
    const buffered = { bufferSize: '1KB', flushIntervalMs: '1s', maxRetries: 0, retryDelayMs: 5, target: {} };
    expect(parseFast(transport('buffered'), buffered)).toEqual({
      ...buffered,
      bufferSize: 1024,
      flushIntervalMs: 1000,
    });
    expect(parseFast(transportEnvelopeSchema, { type: 'console', format: 'text', level: 30 })).not.toBe(NO);
    const http = { url: 'https://otel:4318/v1/logs', preset: 'otlp', timeoutMs: '5s', batch: { maxBytes: '1MB' } };
    expect(parseFast(transport('http'), http)).toEqual({ ...http, timeoutMs: 5000, batch: { maxBytes: 1024 * 1024 } });
    const syslog = {
      protocol: 'udp',
      host: 'logs.internal',
      port: 514,
      facility: 'local0',
      appName: 'api',
      structuredData: { 'app@32473': ['env', 'region'] },
      maxMessageBytes: '2KB',
    };
    expect(parseFast(transport('syslog'), syslog)).toEqual({ ...syslog, maxMessageBytes: 2048 });
    const tls = { protocol: 'tls', port: 6514, facility: 16, framing: 'lf', tls: { ca: 'ca.pem', servername: 'logs' } };
    const stream = { ...tls, connectTimeoutMs: '5s', batch: { maxRecords: 100 }, spool: { dir: 'spool' } };
    expect(parseFast(transport('syslog'), stream)).toEqual({ ...stream, connectTimeoutMs: 5000 });
    const relp = { protocol: 'relp', port: 2514, relpWindow: 64, timeoutMs: '10s', retry: { deadlineMs: '1m' } };
    expect(parseFast(transport('syslog'), relp)).toEqual({ ...relp, timeoutMs: 10_000, retry: { deadlineMs: 60_000 } });
    // RELP over TLS: tls with relp is vouched for as with tls; with udp (or no protocol) it is not.
    const relpTls = { protocol: 'relp', tls: { ca: 'ca.pem', cert: 'client.pem', key: 'client.key' } };
    expect(parseFast(transport('syslog'), relpTls)).toEqual(relpTls);
    expect(parseFast(transport('syslog'), { protocol: 'udp', tls: { ca: 'ca.pem' } })).toBe(NO);
    expect(parseFast(transport('syslog'), { tls: { ca: 'ca.pem' } })).toBe(NO);
    const validating = {
      rules: { userId: 'number', tags: 'array?' },
      onInvalid: 'dead-letter',
      target: { type: 'file' },
    };
    expect(parseFast(transport('validating'), validating)).toEqual(validating);
    const withSchema = parseFast(transport('validating'), {
      schema: { type: 'object', required: ['userId'] },
      target: { type: 'memory' },
    }) as { schema: { draft: string; warnings: string[]; check: (record: object) => unknown }; target: unknown };
    expect({ ...withSchema.schema, check: undefined }).toEqual({ draft: '2020-12', warnings: [], check: undefined });
    expect(withSchema.schema.check({ userId: 1 })).toBe(true);
    expect(withSchema.schema.check({})).toEqual([{ path: 'userId', message: 'required' }]);
    expect(withSchema.target).toEqual({ type: 'memory' });
    // A misspelt option is never vouched for: zod names it, with its "did you mean".
    expect(parseFast(file, { pth: 'a.log' })).toBe(NO);
    expect(parseFast(maxQueueSchema, { maxRecord: 5 })).toBe(NO);
  });
});

/** Every string, number and boolean of `value` as "${Vn}", with Vn set to its text in `env`. */
function viaEnv(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const name = `V${Object.keys(env).length}`;
    env[name] = String(value);
    return `\${${name}}`;
  }
  if (Array.isArray(value)) return value.map((item) => viaEnv(item, env));
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: viaEnv(item, env), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

// What environment variables hold: numbers as JSON writes them and as it does not, booleans and near misses.
const ENV_TEXTS = ['0', '-0', '1', '1.5', '1e3', '64', '100', '1000', '1001', '511', '640', '0x10', ' 5 ', '05'];
const MORE_ENV_TEXTS = ['true', 'false', 'true ', 'True', 'NaN', 'Infinity', '1e309', '9007199254740993', '+1', ''];

/** The plain check reading "${VAR}" strings gives what the schema reading them gives: verdict, data, error. */
function agreesFromEnv(schema: z.ZodType, value: unknown): void {
  const env: Record<string, string> = {};
  const template = viaEnv(value, env);
  const prefix = 'transports[3]';
  const both = outcome(() => parseOrThrow(schema, expandEnv(template, env), prefix));
  const alone = outcome(() => parseWithSchema(schema, expandEnv(template, env), prefix));
  expect(both, JSON.stringify([template, env])).toEqual(alone);
}

describe('plain-code option checks, then zod, on "${VAR}" strings', () => {
  const texts = [...ENV_TEXTS, ...MORE_ENV_TEXTS];
  it.each(cases)('give the %s schema’s verdict, data and error, exactly', (_name, schema, base) => {
    const keys = keysOf(schema);
    fc.assert(
      fc.property(inputs(keys, base), fc.constantFrom(...texts), (value, text) => {
        agreesFromEnv(schema, value);
        // The same keys, each holding one text a variable might.
        agreesFromEnv(schema, Object.fromEntries(Object.keys(value).map((key) => [key, text])));
      }),
      { numRuns: 500 },
    );
    for (const key of [...keys, 'bogus']) {
      for (const text of texts) agreesFromEnv(schema, { ...base, [key]: text });
    }
  });
});

/** Messages as main (before plain checks) wrote them, for options the plain checks look at first. */
const BEFORE: [object, string][] = [
  [
    { transports: [{ type: 'memory', maxQueue: { records: 0 } }] },
    'transports[0].maxQueue.records: expected more than 0',
  ],
  [
    { transports: [{ type: 'memory', maxQueue: { maxRecord: 5 } }] },
    'transports[0].maxQueue.maxRecord: unknown option "maxRecord" (known: maxRecords, maxBytes, records, ' +
      'bytes); did you mean "maxRecords"?',
  ],
  [
    { transports: [{ type: 'memory', maxQueue: { bytes: 'lots', maxRecords: 0 } }] },
    'transports[0].maxQueue.maxRecords: expected more than 0\n  transports[0].maxQueue.bytes: expected a ' +
      'size above zero like "100MB", "64KB" or a number of bytes',
  ],
  [
    { router: { spool: { dirr: 'x' } } },
    'router.spool.dirr: unknown option "dirr" (known: dir, maxBytes); did you mean "dir"?\n  router.spool.dir: ' +
      'expected string, got undefined',
  ],
  [{ router: { spoolDir: '' } }, 'router.spoolDir: expected at least 1 character(s)'],
  // A spool of no bytes kept only the newest line, dropping the rest as each came: a mistake, said as one.
  [
    { router: { spool: { dir: 'x', maxBytes: 0 } } },
    'router.spool.maxBytes: expected a size above zero like "100MB", "64KB" or a number of bytes',
  ],
  [
    { transports: [{ type: 'http', url: 'http://127.0.0.1:9/', spool: { dir: 'x', maxBytes: '0MB' } }] },
    'transports[0].spool.maxBytes: expected a size above zero like "100MB", "64KB" or a number of bytes',
  ],
  // A queue of no bytes held one record at a time (the spool's and maxRecords' zero were refused already).
  [
    { transports: [{ type: 'memory', maxQueue: { maxBytes: 0 } }] },
    'transports[0].maxQueue.maxBytes: expected a size above zero like "100MB", "64KB" or a number of bytes',
  ],
  [
    { router: { spoolDr: 'x' } },
    'router.spoolDr: unknown option "spoolDr" (known: strategy, deadLetter, continueOnError, health, ' +
      'maxBackpressureMs, spool, spoolDir); did you mean "spoolDir"?',
  ],
  [
    { transports: [{ type: 'buffered', batch: { maxByte: 1 }, target: { type: 'memory' } }] },
    'transports[0].batch.maxByte: unknown option "maxByte" (known: maxRecords, maxBytes, intervalMs); ' +
      'did you mean "maxBytes"?',
  ],
  [
    { transports: [{ type: 'buffered', retry: { deadlineMs: 5 }, target: { type: 'memory' } }] },
    'transports[0].retry.deadlineMs: unknown option "deadlineMs" (known: maxAttempts, baseMs, maxMs)',
  ],
  [
    { transports: [{ type: 'buffered', maxRetries: -1, bufferSze: 5, target: { type: 'memory' } }] },
    'transports[0].bufferSze: unknown option "bufferSze" (known: batch, retry, target, bufferSize, ' +
      'flushIntervalMs, maxRetries, retryDelayMs); did you mean "bufferSize"?\n  transports[0].maxRetries: ' +
      'expected at least 0',
  ],
  [{ transports: [{ type: 'memory', capacity: 0 }] }, 'transports[0].capacity: expected more than 0'],
  [
    { transports: [{ type: 'memory', capacty: 5 }] },
    'transports[0].capacty: unknown option "capacty" (known: maxRecords, capacity); did you mean "capacity"?',
  ],
  [
    { transports: [{ type: 'file', path: 'x', rotate: { sise: '1MB' } }] },
    'transports[0].rotate.sise: unknown option "sise" (known: size, interval, maxFiles, compress, utc); ' +
      'did you mean "size"?\n  transports[0].rotate: expected "size" and/or "interval"',
  ],
  [
    { levle: 'info', customLevel: { a: 1 } },
    'levle: unknown option "levle" (known: $schema, level, name, base, serializers, msgPrefix, ' +
      'messageKey, timestamp, errorKey, nestedKey, enabled, crlf, levelFormat, levels, customLevels, ' +
      'useOnlyCustomLevels, levelComparison, depthLimit, edgeLimit, redact, serialize, exitFlush, ' +
      'exitTimeoutMs, handleExceptions, handleSignals, diagnostics, transports, router); did you mean "level"?' +
      '\n  customLevel: unknown option ' +
      '"customLevel" (known: $schema, level, name, base, serializers, msgPrefix, messageKey, timestamp, ' +
      'errorKey, nestedKey, enabled, crlf, levelFormat, levels, customLevels, useOnlyCustomLevels, levelComparison, ' +
      'depthLimit, edgeLimit, redact, ' +
      'serialize, exitFlush, exitTimeoutMs, handleExceptions, handleSignals, diagnostics, transports, ' +
      'router); did you mean "customLevels"?',
  ],
  [
    { serialize: { maxDeph: 3 } },
    'serialize.maxDeph: unknown option "maxDeph" (known: maxDepth, maxNodes, maxChars, maxItems, ' +
      'maxBufferBytes); did you mean "maxDepth"?',
  ],
  [
    { customLevels: { Bad: 1 } },
    'customLevels.Bad: invalid key: expected a level name of lowercase letters, digits and "_"',
  ],
  [
    { transports: [{ type: 'memory', format: { type: 'pretty', colour: true } }] },
    'transports[0].format.colour: unknown option "colour" (known: utc, colorize)',
  ],
];

describe('createLogger with plain checks in front of zod', () => {
  it.each(BEFORE)('%j: the ConfigError main wrote', (options, message) => {
    let error: unknown;
    try {
      createLogger({ exitFlush: false, diagnostics: () => {}, ...options } as LoggerOptions);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error | undefined)?.message).toBe(message);
  });
});
