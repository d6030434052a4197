import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLogger,
  MemoryTransport,
  createPrettyFormatter,
  createTextFormatter,
  jsonFormatter,
  stableJsonFormatter,
  type Formatter,
  type Logger,
} from '../../src/index.js';

const T = Date.UTC(2024, 10, 28, 8, 0, 0, 0); // 2024-11-28T08:00:00.000Z = 1732780800000

function linesWith(formatter: Formatter, log: (l: Logger) => void): string[] {
  const memory = new MemoryTransport({ formatter });
  const logger = createLogger({
    name: 'api',
    base: { pid: 4242, hostname: 'web-1' },
    exitFlush: false,
    transports: [memory],
  });
  log(logger);
  return memory.lines();
}

describe('formatters (golden lines)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('json: pino-compatible NDJSON', () => {
    expect(linesWith(jsonFormatter, (l) => l.child({ reqId: 'r1' }).info('hello'))).toEqual([
      '{"level":30,"time":1732780800000,"pid":4242,"hostname":"web-1","name":"api","reqId":"r1","msg":"hello"}\n',
    ]);
  });

  it('stable-json: keys sorted at every depth', () => {
    expect(linesWith(stableJsonFormatter, (l) => l.info({ z: { b: 1, a: 2 }, a: true }, 'sorted'))).toEqual([
      '{"a":true,"hostname":"web-1","level":30,"msg":"sorted","name":"api","pid":4242,' +
        '"time":1732780800000,"z":{"a":2,"b":1}}\n',
    ]);
  });

  it('text: logfmt with quoting and flattened objects', () => {
    expect(
      linesWith(createTextFormatter(), (l) =>
        l.warn({ user: { id: 7, name: 'Ann Lee' }, empty: '', eq: 'a=b', q: 'say "hi"', list: [1, 2] }, 'disk low'),
      ),
    ).toEqual([
      'time=2024-11-28T08:00:00.000Z level=warn name=api msg="disk low" user.id=7 user.name="Ann Lee" ' +
        'empty="" eq="a=b" q="say \\"hi\\"" list=[1,2]\n',
    ]);
    expect(linesWith(createTextFormatter({ showBase: true }), (l) => l.info('x'))).toEqual([
      'time=2024-11-28T08:00:00.000Z level=info name=api msg=x pid=4242 hostname=web-1\n',
    ]);
  });

  it('pretty: header line, indented fields, indented stack', () => {
    const error = new Error('boom');
    error.stack = 'Error: boom\n    at one (a.js:1:1)\n    at two (b.js:2:2)';
    const lines = linesWith(createPrettyFormatter({ utc: true }), (l) => {
      l.info({ reqId: 'r1', n: 2 }, 'hello');
      l.error(error);
    });
    expect(lines).toEqual([
      '[08:00:00.000] INFO (api/4242): hello\n    reqId: r1\n    n: 2\n',
      '[08:00:00.000] ERROR (api/4242): boom\n    err: Error: boom\n' +
        '        at one (a.js:1:1)\n        at two (b.js:2:2)\n',
    ]);
  });

  it('pretty: a stack that does not start with the type and message above it is shown whole', () => {
    const renamed = new Error('boom');
    renamed.stack = 'QueueError: boom\n    at one (a.js:1:1)';
    const twoLines = new Error('two\nlines');
    twoLines.stack = 'Error: two\nlines\n    at one (a.js:1:1)';
    const outer = new Error('outer', { cause: new Error('inner') });
    outer.stack = 'Error: outer\n    at one (a.js:1:1)';
    (outer.cause as Error).stack = 'Error: inner\n    at two (b.js:2:2)';
    const lines = linesWith(createPrettyFormatter({ utc: true }), (l) => {
      l.error(renamed);
      l.info({ job: { type: 'Job', message: 'failed', stack: 'step 1 failed\nstep 2 skipped' } }, 'run');
      l.error(twoLines);
      l.error(outer);
      // A cause whose stack the parent's does not hold keeps its frames.
      l.info(
        { job: { type: 'Job', message: 'failed', stack: 'step 1', cause: { message: 'x', stack: 'x at z' } } },
        'run',
      );
    });
    expect(lines).toEqual([
      '[08:00:00.000] ERROR (api/4242): boom\n    err: Error: boom\n' +
        '        QueueError: boom\n        at one (a.js:1:1)\n',
      '[08:00:00.000] INFO (api/4242): run\n    job: Job: failed\n        step 1 failed\n        step 2 skipped\n',
      '[08:00:00.000] ERROR (api/4242): two\\nlines\n    err: Error: two\\nlines\n        at one (a.js:1:1)\n',
      '[08:00:00.000] ERROR (api/4242): outer\n    err: Error: outer: inner\n        at one (a.js:1:1)\n' +
        '        caused by: Error: inner\n        at two (b.js:2:2)\n' +
        // The cause's frames are in the stack above ("caused by:"): its own fields only, not them again.
        '        cause: Error: inner\n',
      '[08:00:00.000] INFO (api/4242): run\n    job: Job: failed\n        step 1\n' +
        '        cause: Error: x\n            x at z\n',
    ]);
  });

  it('pretty: the clock matches Date for every millisecond, second, and time before 1970', () => {
    const utc = createPrettyFormatter({ utc: true });
    const local = createPrettyFormatter();
    const two = (n: number): string => String(n).padStart(2, '0');
    for (const time of [T, T + 7, T + 999, T + 1000, T + 61_042, T + 3_600_000.9, -1, -1001, 0, T + 5]) {
      const d = new Date(time);
      const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
      const record = { view: () => ({}), messageKey: 'msg', timestamped: true, time, label: 'info' };
      const utcText = utc.format(record as never);
      expect(utcText.slice(1, 13)).toBe(
        `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ms}`,
      );
      const localText = local.format(record as never);
      expect(localText.slice(1, 13)).toBe(`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`);
    }
  });

  it('the message is read from its own key only: a messageKey of toString shows no function, in any format', () => {
    for (const formatter of [jsonFormatter, createTextFormatter(), createPrettyFormatter({ utc: true })]) {
      const memory = new MemoryTransport({ formatter });
      const logger = createLogger({ messageKey: 'toString', base: null, exitFlush: false, transports: [memory] });
      logger.info({ a: 1 });
      const [line] = memory.lines();
      expect(line).toContain('a');
      expect(line).not.toContain('function');
      expect(line).not.toContain('native code');
    }
  });

  it('pretty: colours only when asked', () => {
    const [plain] = linesWith(createPrettyFormatter({ utc: true }), (l) => l.info('x'));
    const [coloured] = linesWith(createPrettyFormatter({ utc: true }, { colorize: true }), (l) => l.info('x'));
    expect(plain).not.toContain('\u001b');
    expect(coloured).toContain('\u001b[32mINFO\u001b[39m');
  });

  it('text and pretty neutralise newlines and escape sequences in messages, keys and values', () => {
    // U+202E and U+2066: a right-to-left override and isolate make the rest of a line read reversed.
    const evil = 'ok\n{"level":60,"msg":"forged"}\u001b[31mred\r\u2028 \u202edecoy\u2066';
    for (const formatter of [createTextFormatter(), createPrettyFormatter({ utc: true })]) {
      const [line] = linesWith(formatter, (l) => l.info({ 'k\ney': evil }, evil));
      expect(line).not.toContain('\u001b');
      expect(line).not.toContain('\r');
      expect(line).not.toContain('\u2028');
      expect(line).not.toMatch(/[\u202e\u2066]/);
      // Only the terminating newline (text) or newline + indent (pretty) may appear.
      for (const [index, part] of line!.split('\n').entries()) {
        if (index > 0 && part !== '') expect(part.startsWith('    ')).toBe(true);
      }
      expect(line).toContain('\\u001b[31mred');
    }
    // A value whose only trick is an override is quoted and escaped too.
    const [reversed] = linesWith(createTextFormatter(), (l) => l.info({ file: 'txt.\u202eexe' }, 'x'));
    expect(reversed).toContain('file="txt.\\u202eexe"');
  });

  it('text and pretty show fields named pid and hostname that no base owns (base: null), as the line does', () => {
    const formats = [
      createTextFormatter(),
      createTextFormatter({ showBase: true }),
      createPrettyFormatter({ utc: true }),
    ];
    const outputs = formats.map((formatter) => new MemoryTransport({ formatter }));
    const log = createLogger({ base: null, exitFlush: false, transports: [new MemoryTransport(), ...outputs] });
    log.info({ hostname: 'db-3', pid: 7 }, 'replica lag');
    log.child({ hostname: 'db-4' }).info('child');
    const [text, textWithBase, pretty] = outputs.map((memory) => memory.lines());
    expect(text).toEqual([
      'time=2024-11-28T08:00:00.000Z level=info msg="replica lag" hostname=db-3 pid=7\n',
      'time=2024-11-28T08:00:00.000Z level=info msg=child hostname=db-4\n',
    ]);
    expect(textWithBase).toEqual(text);
    expect(pretty).toEqual([
      '[08:00:00.000] INFO: replica lag\n    hostname: db-3\n    pid: 7\n',
      '[08:00:00.000] INFO: child\n    hostname: db-4\n',
    ]);
    // A base that has them: the head's (or left out), and a field by the name is @pid.
    expect(linesWith(createTextFormatter(), (l) => l.info({ pid: 7 }, 'x'))).toEqual([
      'time=2024-11-28T08:00:00.000Z level=info name=api msg=x @pid=7\n',
    ]);
  });

  it('formats each record once per formatter, however many transports share it', () => {
    let calls = 0;
    const counting: Formatter = {
      name: 'counting',
      format: (r) => {
        calls++;
        return r.json();
      },
    };
    const a = new MemoryTransport({ formatter: counting });
    const b = new MemoryTransport({ formatter: counting });
    const log = createLogger({ exitFlush: false, transports: [a, b] });
    log.info('once');
    a.lines();
    b.lines();
    a.lines();
    expect(calls).toBe(1);
  });

  it('shares one formatter instance between config entries with the same format', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [
        { type: 'memory', format: 'text' },
        { type: 'memory', format: { type: 'text' } },
      ],
    });
    const [one, two] = log.transports;
    expect(one!.formatter).toBe(two!.formatter);
    await log.close();
  });
});

describe('colour decision', () => {
  it('follows the TTY, NO_COLOR, FORCE_COLOR and TERM=dumb', async () => {
    const { shouldColorize } = await import('../../src/transports/console/terminal.js');
    const tty = Object.assign(new (await import('node:stream')).PassThrough(), { isTTY: true });
    const pipe = new (await import('node:stream')).PassThrough();
    expect(shouldColorize(tty, {})).toBe(true);
    expect(shouldColorize(pipe, {})).toBe(false);
    expect(shouldColorize(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColorize(tty, { NO_COLOR: '' })).toBe(true);
    expect(shouldColorize(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColorize(tty, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(shouldColorize(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColorize(tty, { TERM: 'dumb' })).toBe(false);
  });
});
