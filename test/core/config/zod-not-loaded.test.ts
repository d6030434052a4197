import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { libraryLines } from '../../built.js';

/*
 * zod is half the cost of loading the package, so a logger made of built-in transports and
 * formatters must not load it (plain-code checks vouch for the usual options). Each build
 * runs in a child process where every require('zod') is counted and an ESM import of zod
 * fails outright; a config only zod can judge then shows the counting works.
 */
const dir = mkdtempSync(join(tmpdir(), 'streamlog-zod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const countRequires = join(dir, 'count-requires.cjs');
writeFileSync(
  countRequires,
  [
    "const Module = require('node:module');",
    'const load = Module._load;',
    'globalThis.zodRequires = 0;',
    'Module._load = function (request, ...rest) {',
    "  if (request === 'zod' || request.startsWith('zod/')) globalThis.zodRequires++;",
    '  return load.call(this, request, ...rest);',
    '};',
  ].join('\n'),
);
const hooks = join(dir, 'refuse-zod-import.mjs');
writeFileSync(
  hooks,
  [
    'export async function resolve(specifier, context, next) {',
    "  const fromEsm = context.parentURL !== undefined && !context.parentURL.endsWith('.cjs');",
    "  if (fromEsm && (specifier === 'zod' || specifier.startsWith('zod/'))) {",
    '    throw new Error(`zod imported from ${context.parentURL}`);',
    '  }',
    '  return next(specifier, context);',
    '}',
  ].join('\n'),
);
const register = join(dir, 'register.mjs');
writeFileSync(
  register,
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

const BUILT_INS = [
  { type: 'file', path: join(dir, 'a.log'), rotate: { size: '10MB', interval: 'daily' }, bufferSize: '64KB' },
  { type: 'file', path: join(dir, 'b.log'), format: 'stable-json', maxQueue: { maxRecords: 100, bytes: '1MB' } },
  { type: 'console', stream: 'stderr', level: 'fatal', format: { type: 'pretty', utc: true } },
  { type: 'memory', maxRecords: 10, format: { type: 'text', showBase: false }, overflow: 'drop-oldest' },
  { type: 'memory', capacity: 5, format: 'json', id: 'old-names' },
  {
    type: 'buffered',
    batch: { maxBytes: '1KB' },
    retry: { maxAttempts: 3 },
    flushIntervalMs: 500,
    target: { type: 'memory' },
  },
  // Above every level logged here, so nothing is sent: only their options are read.
  {
    type: 'http',
    level: 'fatal',
    preset: 'otlp',
    url: 'http://127.0.0.1:9/v1/logs',
    headers: { authorization: 'Bearer x' },
    batch: { maxRecords: 500, maxBytes: '1MB', intervalMs: '2s' },
    retry: { maxAttempts: 4, baseMs: 100, deadlineMs: '1m' },
    concurrency: 2,
    timeoutMs: '5s',
    compression: { type: 'gzip', minBytes: '1KB' },
  },
  {
    type: 'http',
    level: 'fatal',
    preset: 'loki',
    url: 'https://127.0.0.1:9/push',
    labels: ['app'],
    compression: 'none',
  },
  // Ports nobody listens on (9, discard), above every level logged here: only their options are read.
  {
    type: 'syslog',
    level: 'fatal',
    protocol: 'udp',
    host: '127.0.0.1',
    port: 9,
    facility: 'local0',
    appName: 'app',
    structuredData: { 'app@32473': ['env'] },
    maxMessageBytes: '2KB',
  },
  {
    type: 'syslog',
    level: 'fatal',
    protocol: 'tcp',
    port: 9,
    facility: 16,
    framing: 'lf',
    fatalSeverity: 'emerg',
    connectTimeoutMs: '1s',
    batch: { maxRecords: 100 },
  },
  {
    type: 'validating',
    rules: { msg: 'string', request: 'number?' },
    onInvalid: 'skip',
    target: { type: 'memory', maxRecords: 10 },
  },
  {
    type: 'validating',
    schema: { type: 'object', required: ['msg'], properties: { msg: { type: 'string', maxLength: 100 } } },
    onInvalid: 'dead-letter',
    target: { type: 'memory', format: 'json' },
  },
];
const OPTIONS = {
  exitFlush: false,
  diagnostics: false,
  level: 'debug',
  name: 'app',
  redact: { paths: ['password'], censor: '***' },
  serialize: { maxDepth: 5, maxChars: '1MB' },
  customLevels: { audit: 35 },
  router: {
    strategy: 'any',
    health: { cooldownMs: '5s' },
    spoolDir: join(dir, 'spool'),
    deadLetter: join(dir, 'dead.ndjson'),
  },
  transports: BUILT_INS,
};

/** The same kind of logger with its numbers and booleans given as "${VAR}", read from `env`. */
const FROM_ENV = {
  exitFlush: '${EXIT_FLUSH}',
  diagnostics: '${DIAGNOSTICS}',
  timestamp: '${TIMESTAMP}',
  level: 'debug',
  redact: { paths: ['password'], remove: '${REMOVE}' },
  serialize: { maxDepth: '${DEPTH}', maxItems: '${ITEMS:-100}' },
  customLevels: { audit: '${AUDIT}' },
  router: {
    strategy: 'any',
    continueOnError: '${CONTINUE}',
    health: { failureThreshold: '${THRESHOLD}' },
    deadLetter: join(dir, 'dead.ndjson'),
  },
  transports: [
    {
      type: 'file',
      path: join(dir, 'c.log'),
      sync: '${SYNC}',
      rotate: { size: '${ROTATE_SIZE}', maxFiles: '${MAX_FILES}', compress: '${COMPRESS}' },
      maxQueue: { maxRecords: '${QUEUE}' },
    },
    { type: 'memory', maxRecords: '${KEEP}', format: { type: 'text', showBase: '${SHOW_BASE}' } },
    {
      type: 'buffered',
      batch: { maxRecords: '${BATCH}' },
      retry: { maxAttempts: '${ATTEMPTS}' },
      target: { type: 'memory', maxRecords: '${KEEP}' },
    },
    {
      type: 'http',
      level: 'fatal',
      url: 'http://127.0.0.1:9/',
      concurrency: '${CONCURRENCY}',
      timeoutMs: '${TIMEOUT}',
    },
    {
      type: 'syslog',
      level: 'fatal',
      protocol: 'udp',
      port: '${SYSLOG_PORT}',
      facility: '${FACILITY}',
      utf8Bom: '${BOM}',
      maxMessageBytes: '${MAX_MESSAGE}',
    },
    { type: 'validating', rules: { msg: 'string' }, target: { type: 'memory', maxRecords: '${KEEP}' } },
  ],
  env: {
    EXIT_FLUSH: 'false',
    DIAGNOSTICS: 'false',
    TIMESTAMP: 'true',
    REMOVE: 'true',
    DEPTH: '5',
    AUDIT: '35',
    CONTINUE: 'true',
    THRESHOLD: '3',
    SYNC: 'false',
    ROTATE_SIZE: '10MB',
    MAX_FILES: '7',
    COMPRESS: 'false',
    QUEUE: '100',
    KEEP: '10',
    SHOW_BASE: 'true',
    BATCH: '50',
    ATTEMPTS: '3',
    CONCURRENCY: '2',
    TIMEOUT: '5000',
    SYSLOG_PORT: '9',
    FACILITY: '16',
    BOM: 'true',
    MAX_MESSAGE: '2048',
  },
};

function run(build: 'esm' | 'cjs', options: object = OPTIONS): { afterLogger: number; afterInvalid: number } {
  const script = [
    ...libraryLines(build),
    `const log = lib.createLogger(${JSON.stringify(options)});`,
    "log.info({ password: 'x' }, 'hello');",
    "log.child({ request: 1 }, { level: 'warn' }).audit('child');",
    'await log.close();',
    'const afterLogger = globalThis.zodRequires;',
    "try { lib.createLogger({ exitFlush: false, transports: [{ type: 'file', pth: 'x.log' }] }); } catch {}",
    'process.stdout.write(JSON.stringify({ afterLogger, afterInvalid: globalThis.zodRequires }));',
  ].join('\n');
  const args = ['--require', countRequires, '--import', pathToFileURL(register).href, '--input-type=module'];
  const result = spawnSync(process.execPath, [...args, '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe('createLogger with built-in transports and formatters', () => {
  it.each(['esm', 'cjs'] as const)('%s build: does not load zod; an option only zod can judge does', (build) => {
    const counts = run(build);
    expect(counts.afterLogger).toBe(0);
    expect(counts.afterInvalid).toBeGreaterThan(0);
  });

  it.each(['esm', 'cjs'] as const)(
    '%s build: numbers and booleans given as "${VAR}" do not load zod either',
    (build) => {
      const counts = run(build, FROM_ENV);
      expect(counts.afterLogger).toBe(0);
      expect(counts.afterInvalid).toBeGreaterThan(0);
    },
  );
});
