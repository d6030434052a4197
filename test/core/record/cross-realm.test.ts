import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  type Logger,
  type LoggerOptions,
  type MemoryTransport,
  withContext,
} from '../../../src/index.js';

/*
 * Values made in another realm (node:vm, a Jest sandbox, a jsdom window) are not `instanceof`
 * this realm's Error, Map, Set or Date. Each case is made twice from one source text, once in
 * a new context and once in this one, and both must give the same line (stack frames aside):
 * an error is an error wherever it was made.
 */

const SECRET = 'pw=hunter2';
const FORMATS = ['json', 'text', 'stable-json', 'pretty'] as const;

/** The value `source` makes, in a new context and in this realm, with `S` bound to the secret. */
function madeTwice(source: string): { foreign: unknown; local: unknown } {
  const foreign: unknown = vm.runInNewContext(`(${source})`, { S: SECRET });
  const local = (vm.runInThisContext(`(function (S) { return (${source}); })`) as (s: string) => unknown)(SECRET);
  return { foreign, local };
}

/** Each format's line for a call, the frames of every stack left out (they name where the value was made). */
async function linesOf(call: (log: Logger) => void, options: LoggerOptions = {}): Promise<string[]> {
  const log = createLogger({
    exitFlush: false,
    base: null,
    timestamp: false,
    ...options,
    transports: FORMATS.map((format) => ({ type: 'memory' as const, id: format, format })),
  });
  call(log);
  await log.flush();
  const lines = FORMATS.flatMap((format) => log.transport<MemoryTransport>(format)!.lines());
  await log.close();
  return lines.map((line) => line.replace(/(\\n|\n)\s+at [^\\\n"]*/g, ''));
}

const CASES: [string, string, (log: Logger, value: unknown) => void][] = [
  [
    'a bare error with a cause',
    'new TypeError("payment declined", { cause: new Error("card expired") })',
    (log, v) => log.error(v),
  ],
  [
    'an error under err',
    'new TypeError("payment declined", { cause: new Error("card expired") })',
    (log, v) => log.error({ err: v }, 'charge failed'),
  ],
  [
    'an error under another key',
    'Object.assign(new RangeError("out"), { code: "E_OUT", n: 1 })',
    (log, v) => log.info({ e: v, nested: { list: [v] } }),
  ],
  ['an AggregateError', 'new AggregateError([new Error("a"), new Error("b")], "both")', (log, v) => log.error(v)],
  [
    'an error as the cause of one of this realm',
    'new Error("db login failed")',
    (log, v) => log.error({ err: new Error('query failed', { cause: v }) }),
  ],
  [
    'an error as a property of one of this realm',
    'new Error("inner")',
    (log, v) => log.error(Object.assign(new Error('outer'), { inner: v })),
  ],
  [
    'collections',
    '({ m: new Map([["k", 1], [2, { deep: new Set(["x"]) }]]), s: new Set([1, 2]) })',
    (log, v) => log.info(v as object, 'collections'),
  ],
  ['a Map as the call object', 'new Map([["user", "ann"], ["n", 2]])', (log, v) => log.info(v as object)],
  [
    'a Map as context fields',
    'new Map([["traceId", "t-9"]])',
    (log, v) => withContext(v as Record<string, unknown>, () => log.info('in context')),
  ],
  ['a Map interpolated with %s', 'new Map([["user", "ann"]])', (log, v) => log.info('map %s', v)],
  [
    'dates and boxed values',
    '({ d: new Date(0), bad: new Date(NaN), n: new Number(3), t: new String("x") })',
    (log, v) => log.info({ v }),
  ],
];

describe('values made in another realm are written as the same values made here', () => {
  it('the local copies are of this realm, the foreign ones not', () => {
    const { foreign, local } = madeTwice('new Error("x")');
    expect(local).toBeInstanceOf(Error);
    expect(foreign).not.toBeInstanceOf(Error);
  });

  for (const [name, source, call] of CASES) {
    it(name, async () => {
      const { foreign, local } = madeTwice(source);
      const expected = await linesOf((log) => call(log, local));
      expect(await linesOf((log) => call(log, foreign))).toEqual(expected);
    });
  }

  it('a bare foreign error gives the line its message, as one of this realm does', async () => {
    const { foreign } = madeTwice('new TypeError("payment declined", { cause: new Error("card expired") })');
    const [json] = await linesOf((log) => log.error(foreign));
    expect(JSON.parse(json!)).toMatchObject({
      msg: 'payment declined',
      err: { type: 'TypeError', message: 'payment declined: card expired', cause: { message: 'card expired' } },
    });
  });
});

describe('redaction reaches into values made in another realm', () => {
  const REDACT = [
    'err.message',
    'err.cause.message',
    'e.message',
    'e.cause.message',
    'err.password',
    'm.token',
    's[*]',
  ];
  const REDACTED: [string, string, (log: Logger, value: unknown) => void][] = [
    ['a bare error', 'new Error("login failed " + S)', (log, v) => log.error(v)],
    [
      'a cause',
      'new Error("db login failed " + S)',
      (log, v) => log.error({ err: new Error('query failed', { cause: v }) }, 'cross-realm cause'),
    ],
    [
      'an error and its cause',
      'new Error("query failed", { cause: new Error("db login failed " + S) })',
      (log, v) => log.error({ err: v }, 'both cross-realm'),
    ],
    [
      'an error under another key',
      'new Error("outer", { cause: new Error("inner " + S) })',
      (log, v) => log.error({ e: v }, 'e'),
    ],
    ['a field of an error', 'Object.assign(new Error("x"), { password: S })', (log, v) => log.error(v)],
    ['a Map and a Set', '({ m: new Map([["token", S]]), s: new Set([S]) })', (log, v) => log.info(v as object)],
  ];
  for (const [name, source, call] of REDACTED) {
    it(name, async () => {
      const { foreign, local } = madeTwice(source);
      const lines = await linesOf((log) => call(log, foreign), { redact: REDACT });
      for (const line of lines) expect(line).not.toContain('hunter2');
      expect(lines).toEqual(await linesOf((log) => call(log, local), { redact: REDACT }));
    });
  }

  it('a censored cause is written as the censored object, not {}', async () => {
    const { foreign } = madeTwice('new Error("db login failed " + S)');
    const [json] = await linesOf((log) => log.error({ err: new Error('query failed', { cause: foreign }) }), {
      redact: ['err.cause.message'],
    });
    const { err } = JSON.parse(json!) as { err: { message: string; cause: { type: string; message: string } } };
    expect(err.message).toBe('query failed: [Redacted]');
    expect(err.cause).toMatchObject({ type: 'Error', message: '[Redacted]' });
  });
});
