import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../../src/index.js';

function configError(config: unknown, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    const options =
      typeof config === 'string' ? config : ({ ...(config as object), env, exitFlush: false } as LoggerOptions);
    createLogger(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).not.toBeInstanceOf(TypeError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const cases: [string, unknown, string, RegExp][] = [
  ['unknown top-level key', { levle: 'info' }, 'levle', /unknown option "levle" \(known: .*level/],
  ['unknown level name', { level: 'verbose' }, 'level', /unknown level "verbose" \(known: trace/],
  ['level of the wrong type', { level: true }, 'level', /expected a level name/],
  [
    'transports not an array',
    { transports: { type: 'console' } },
    'transports',
    /expected an array of transport entries/,
  ],
  [
    'transport without type or module',
    { transports: [{ level: 'info' }] },
    'transports[0].type',
    /expected a transport "type"/,
  ],
  [
    'transport with both type and module',
    { transports: [{ type: 'console', module: './x.js' }] },
    'transports[0].module',
    /either "type" or "module"/,
  ],
  [
    'unknown transport type',
    { transports: [{ type: 'console' }, { type: 'kafak' }] },
    'transports[1].type',
    /unknown transport "kafak" \(known: buffered, console, file, http, memory, syslog, validating\)/,
  ],
  [
    'unknown transport option',
    { transports: [{ type: 'console', colour: true }] },
    'transports[0].colour',
    /unknown option "colour" \(known: stream, stderrLevel\)/,
  ],
  [
    'bad transport option value',
    { transports: [{ type: 'console', stream: 'stdlog' }] },
    'transports[0].stream',
    /expected one of "stdout", "stderr"/,
  ],
  [
    'unknown transport level',
    { transports: [{ type: 'memory', level: 'loud' }] },
    'transports[0].level',
    /unknown level "loud"/,
  ],
  [
    'unknown formatter',
    { transports: [{ type: 'memory', format: 'xml' }] },
    'transports[0].format',
    /unknown formatter "xml" \(known: json, pretty, stable-json, text\)/,
  ],
  [
    'unknown formatter option',
    { transports: [{ type: 'memory', format: { type: 'pretty', utc: 'yes' } }] },
    'transports[0].format.utc',
    /expected boolean, got string/,
  ],
  [
    'formatter of the wrong type',
    { transports: [{ type: 'memory', format: 3 }] },
    'transports[0].format',
    /expected a formatter name/,
  ],
  [
    'memory maxRecords not positive',
    { transports: [{ type: 'memory', maxRecords: -1 }] },
    'transports[0].maxRecords',
    /expected .*0/,
  ],
  // 640 as a number is decimal: the mode meant is octal, written as a string.
  [
    'a file mode written as a decimal number',
    { transports: [{ type: 'file', path: 'x.log', mode: 640 }] },
    'transports[0].mode',
    /expected at most 511 \(0o777\); an octal mode goes in a string, like "0640"/,
  ],
  [
    'a base field named __proto__ (dropped without a word before)',
    JSON.parse('{"base":{"__proto__":{"x":1},"region":"eu"}}'),
    'base.__proto__',
    /expected a field name other than "__proto__"/,
  ],
  ['redact not a list', { redact: 'password' }, 'redact', /expected an array of paths/],
  ['malformed redact path', { redact: ['ok', 'a..b'] }, 'redact[1]', /invalid redact path "a\.\.b"/],
  // One alternative of a union took the value's shape and failed deeper: named there, not at the union.
  ['a redact path that is no string', { redact: ['ok', 5] }, 'redact[1]', /expected string, got number/],
  ['a paths entry that is no string', { redact: { paths: [5] } }, 'redact.paths[0]', /expected string, got number/],
  [
    'a format type that is no string',
    { transports: [{ type: 'memory', format: { type: 5 } }] },
    'transports[0].format.type',
    /expected string, got number/,
  ],
  ['custom level with a bad name', { levels: { 'Bad-Name': 35 } }, 'levels["Bad-Name"]', /lowercase letters/],
  ['custom level with a bad value', { levels: { audit: 1.5 } }, 'levels.audit', /expected int/],
  [
    'custom level with a reserved name',
    { levels: { child: 35 } },
    'levels.child',
    /would shadow the logger's own "child"/,
  ],
  ['bad timestamp', { timestamp: 'unix' }, 'timestamp', /expected "epoch", "iso", true or false/],
  ['bad levelFormat', { levelFormat: 'word' }, 'levelFormat', /expected one of "number", "label"/],
  ['bad base', { base: 'host' }, 'base', /expected record, got string/],
  [
    'bad router strategy',
    { router: { strategy: 'some' } },
    'router.strategy',
    /expected one of "all", "any", "majority"/,
  ],
  ['empty messageKey', { messageKey: '' }, 'messageKey', /expected at least 1 character/],
  ['missing environment variable', { name: '${SERVICE_NAME}' }, 'name', /environment variable SERVICE_NAME is not set/],
  [
    'missing variable deep inside a transport',
    { transports: [{ type: 'console', stream: '${OUT}' }] },
    'transports[0].stream',
    /environment variable OUT is not set/,
  ],
  ['malformed variable reference', { name: 'svc-${oops' }, 'name', /malformed variable reference/],
  [
    'transport entry that is not an object',
    { transports: ['console'] },
    'transports[0]',
    /expected a transport entry object like \{ "type": "console" \}/,
  ],
  [
    'bad option deep in a nested target',
    { transports: [{ type: 'buffered', target: { type: 'file', path: 'x.log', rotate: { size: 'huge' } } }] },
    'transports[0].target.rotate.size',
    /expected a size like "1MB"/,
  ],
  [
    'rotation without size or interval',
    { transports: [{ type: 'file', path: 'x.log', rotate: { maxFiles: 3 } }] },
    'transports[0].rotate',
    /expected "size" and\/or "interval"/,
  ],
  [
    'bad overflow policy',
    { transports: [{ type: 'memory', overflow: 'drop-random' }] },
    'transports[0].overflow',
    /expected one of "block", "drop-newest", "drop-oldest"/,
  ],
  [
    'bad queue bound',
    { transports: [{ type: 'memory', maxQueue: { maxRecords: 0 } }] },
    'transports[0].maxQueue.maxRecords',
    /expected .*0/,
  ],
  [
    'bad router health',
    { router: { health: { cooldownMs: 'soon' } } },
    'router.health.cooldownMs',
    /expected a duration like "30s"/,
  ],
  [
    'plugin module that does not exist',
    { transports: [{ module: './nope.mjs' }] },
    'transports[0].module',
    /cannot load plugin module "\.\/nope\.mjs"/,
  ],
  // Harmful configs that were accepted, and messages that misled.
  [
    'rotation size 0 (a file per record)',
    { transports: [{ type: 'file', path: '/tmp/x.log', rotate: { size: 0 } }] },
    'transports[0].rotate.size',
    /at least 1KB/,
  ],
  [
    'a setuid, executable file mode',
    { transports: [{ type: 'file', path: '/tmp/x.log', mode: '07777' }] },
    'transports[0].mode',
    /three digits, at most 0777/,
  ],
  [
    'two transports with one id',
    {
      transports: [
        { type: 'memory', id: 'a' },
        { type: 'memory', id: 'a' },
      ],
    },
    'transports[1].id',
    /duplicate id "a" \(already used by transports\[0\]\)/,
  ],
  ['messageKey "level"', { messageKey: 'level' }, 'messageKey', /other than "level"/],
  ['messageKey "__proto__"', { messageKey: '__proto__' }, 'messageKey', /other than .*"__proto__"/],
  ['a level number no level can have', { level: 1e308 }, 'level', /^level: expected at most 1000$/],
  [
    'a positive number given 0 says "more than 0"',
    { router: { health: { failureThreshold: 0 } } },
    'router.health.failureThreshold',
    /expected more than 0/,
  ],
  [
    'an infinite number says so',
    { router: { health: { failureThreshold: Number.POSITIVE_INFINITY } } },
    'router.health.failureThreshold',
    /expected a finite number, got Infinity/,
  ],
  [
    'a crafted 200,000-character size is refused, quickly',
    { transports: [{ type: 'file', path: '/tmp/x.log', bufferSize: `1${' '.repeat(200_000)}x` }] },
    'transports[0].bufferSize',
    /expected a size like/,
  ],
];

describe('every invalid config throws a ConfigError naming the path', () => {
  it('lists every transport problem at once, not only the first', () => {
    const error = configError({
      transports: [{ type: 'memory', maxRecords: -1 }, { type: 'nope' }, { type: 'console', colour: true }],
    });
    expect(error.issues.map((i) => i.path)).toEqual([
      'transports[0].maxRecords',
      'transports[1].type',
      'transports[2].colour',
    ]);
  });

  it.each(cases)('%s', (_name, config, path, message) => {
    const error = configError(config);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('lists every problem, not just the first', () => {
    // The level too, though the schema refused the rest of the top level (said once fixed, before).
    const error = configError({ level: 'loud', levelFormat: 'x', timestamp: 'y' });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['level', 'levelFormat', 'timestamp']);
    expect(error.message).toMatch(/^(timestamp|levelFormat): .*\n {2}(timestamp|levelFormat): /);
  });

  it('lists the problems of the top level, the level and the transports together', () => {
    const schemaToo = configError({ levelFormat: 'x', transports: [{ type: 'kafak' }] });
    expect(schemaToo.issues.map((i) => i.path)).toEqual(['levelFormat', 'transports[0].type']);
    // A number's text from the environment is a level the schema reads: no problem said for it.
    const fromEnv = configError({ bogus: 1, level: '${LEVEL}' }, { LEVEL: '40' });
    expect(fromEnv.issues.map((i) => i.path)).toEqual(['bogus']);
    const levelToo = configError({ level: 'loud', transports: [{ type: 'memory', capacity: -1 }] });
    expect(levelToo.issues.map((i) => i.path)).toEqual(['level', 'transports[0].capacity']);
  });

  it('every bad redaction path and every level name that shadows a member, not only the first', () => {
    // Before, `streamlog check` said the first of each and the rest one fix at a time.
    const paths = configError({ redact: ['a..b', 'ok', '[*', 'x["y'] });
    expect(paths.issues.map((i) => i.path)).toEqual(['redact[0]', 'redact[2]', 'redact[3]']);
    const names = configError({ levels: { constructor: 35, audit: 36, child: 37, toString: 38 } });
    expect(names.issues.map((i) => i.path)).toEqual(['levels.constructor', 'levels.child', 'levels.toString']);
  });

  it('names line and column of a JSON syntax error', () => {
    const file = writeTemp('streamlog.json', '{\n  "level": "info",\n  "name": "api",\n}\n');
    const error = configError(file);
    expect(error.message).toMatch(/invalid JSON in .*streamlog\.json at line 4, column 1: trailing comma before "}"/);
  });

  it('names a missing config file', () => {
    expect(configError('/nonexistent/streamlog.json').message).toMatch(
      /cannot read config file \/nonexistent\/streamlog\.json: ENOENT/,
    );
  });

  it('rejects a module that exports no plugin', () => {
    const fixture = new URL('../../fixtures/not-a-plugin.mjs', import.meta.url).pathname;
    expect(configError({ transports: [{ module: fixture }] }).message).toMatch(/does not export a transport plugin/);
  });

  it('rejects a config that is not an object', () => {
    expect(configError(writeTemp('a.json', '[1, 2]')).message).toMatch(/expected the config to be a JSON object/);
  });
});
