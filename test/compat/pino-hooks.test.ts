import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLogger,
  createPrettyFormatter,
  createTextFormatter,
  type Logger,
  MemoryTransport,
} from '../../src/index.js';
import { Collector } from '../helpers.js';
import { type Calls, sideBySide } from './side-by-side.js';

// pino's hooks.streamWrite and crlf: each run through pino and streamlog
// with the same options, and the text each writes compared as written (line ends included).

/** The same calls on a logger: messages, fields, a child, an error, a secret to hide. */
function someCalls(log: Calls & { child?: unknown }): void {
  log.info!('plain');
  log.info!({ apiKey: 'sk-secret-1', user: 'ann' }, 'with %s', 'sk-secret-1');
  log.warn!({ n: 1, list: [1, 2] });
  (log as unknown as Logger).child({ reqId: 'r1' }).error('from a child sk-secret-1');
}

describe("pino's hooks.streamWrite", () => {
  it('writes the lines pino writes: the hook sees each line with its end and its result is written', async () => {
    const seen: [string[], string[]] = [[], []];
    let side = 0;
    const streamWrite = (line: string): string => {
      seen[side]!.push(line);
      return line.replaceAll('sk-secret-1', 'XXX');
    };
    const { calls, text } = sideBySide({ hooks: { streamWrite } });
    someCalls(calls[0]);
    side = 1;
    someCalls(calls[1]);
    const [mine, pinos] = await text();
    expect(mine).toBe(pinos);
    expect(mine).not.toContain('sk-secret-1');
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]).toHaveLength(4);
    for (const line of seen[0]!) expect(line.endsWith('}\n')).toBe(true);
  });

  it('runs once per record, whatever number of targets take it, and every target writes its result', async () => {
    const a = new Collector();
    const b = new Collector();
    const memory = new MemoryTransport();
    let calls = 0;
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      hooks: {
        streamWrite: (line) => {
          calls++;
          return line.replace('"msg":"hi"', '"msg":"hello"');
        },
      },
      transports: [a, b, memory],
    });
    log.info('hi');
    await log.flush();
    expect(calls).toBe(1);
    expect(a.text).toBe('{"level":30,"msg":"hello"}\n');
    expect(b.text).toBe(a.text);
    expect(memory.lines()).toEqual(['{"level":30,"msg":"hello"}\n']);
    expect(memory.records()[0]!.toObject()).toEqual({ level: 30, msg: 'hello' });
    await log.close();
  });

  it('is what other formats of the record show too: a secret the hook takes out is in no target', async () => {
    const json = new Collector();
    const logfmt = new MemoryTransport({ formatter: createTextFormatter() });
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      hooks: { streamWrite: (line) => line.replaceAll('sk-secret-1', 'XXX') },
      transports: [json, logfmt],
    });
    log.info({ key: 'sk-secret-1' }, 'key sk-secret-1');
    await log.flush();
    expect(json.text).toBe('{"level":30,"key":"XXX","msg":"key XXX"}\n');
    const [text] = logfmt.lines();
    expect(text).toContain('XXX');
    expect(text).not.toContain('sk-secret-1');
    await log.close();
  });

  it("a level and time the hook changes are what text and pretty show too, not the record's own", async () => {
    // text and pretty took the level and time from the record, the name from the line: a line
    // of level 60 and time 0 read "level=info" at the time of the call.
    const text = new MemoryTransport({ formatter: createTextFormatter() });
    const pretty = new MemoryTransport({ formatter: createPrettyFormatter({ colorize: false, utc: true }) });
    const log = createLogger({
      exitFlush: false,
      name: 'api',
      hooks: {
        streamWrite: (line) =>
          line.includes('"iso"')
            ? line.replace(/"time":\d+/, '"time":"2001-02-03T04:05:06.007Z"').replace('"level":30', '"level":"audit"')
            : line.includes('"gone"')
              ? line.replace(/"time":\d+,/, '')
              : line.replace('"level":30', '"level":60').replace(/"time":\d+/, '"time":0'),
      },
      transports: [text, pretty],
    });
    log.info({ a: 1 }, 'm');
    log.info({ iso: 1 }, 'm');
    log.info({ gone: 1 }, 'm');
    await log.flush();
    expect(text.lines()).toEqual([
      'time=1970-01-01T00:00:00.000Z level=fatal name=api msg=m a=1\n',
      'time=2001-02-03T04:05:06.007Z level=audit name=api msg=m iso=1\n',
      'level=info name=api msg=m gone=1\n',
    ]);
    const [fatal, audit, gone] = pretty.lines();
    expect(fatal).toMatch(/^\[00:00:00\.000\] FATAL \(api\/\d+\): m\n/);
    expect(audit).toMatch(/^\[04:05:06\.007\] AUDIT \(api\/\d+\): m\n/);
    expect(gone).toMatch(/^INFO \(api\/\d+\): m\n/);
    await log.close();
  });

  it('a hook that throws or gives no JSON object loses no record: the line stays, with a marker', async () => {
    const results: unknown[] = [
      new Error('hook broke'),
      undefined,
      42,
      null,
      '',
      'not json at all\n',
      '{"level":30,"msg":"ok"}',
    ];
    let i = 0;
    const out = new Collector();
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      hooks: {
        streamWrite: () => {
          const result = results[i++];
          if (result instanceof Error) throw result;
          return result as string;
        },
      },
      transports: [out],
    });
    for (let k = 0; k < results.length; k++) log.info({ k }, `call ${k}`);
    await log.flush();
    const lines = out.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { level: 30, k: 0, msg: 'call 0', streamWriteError: 'hooks.streamWrite threw: Error: hook broke' },
      { level: 30, k: 1, msg: 'call 1', streamWriteError: 'hooks.streamWrite returned undefined, not a string' },
      { level: 30, k: 2, msg: 'call 2', streamWriteError: 'hooks.streamWrite returned number, not a string' },
      { level: 30, k: 3, msg: 'call 3', streamWriteError: 'hooks.streamWrite returned null, not a string' },
      { level: 30, k: 4, msg: 'call 4', streamWriteError: 'hooks.streamWrite returned an empty string' },
      { level: 30, k: 5, msg: 'call 5', streamWriteError: 'hooks.streamWrite returned text that is no JSON object' },
      // A line without its end gets one, so it does not run into the next.
      { level: 30, msg: 'ok' },
    ]);
    expect(log.stats()).toMatchObject({ logged: 7, delivered: 7 });
    await log.close();
  });

  it('a hook giving line breaks inside writes a line per record: an indented object joined, else marked', async () => {
    const results = [
      (line: string) => JSON.stringify(JSON.parse(line), null, 2).replace('"call 0"', '"call 0"\t'),
      () => '{"level":30,"msg":"one"}\n{"level":30,"msg":"two"}',
      () => '{"level":30,\r"msg":"cr"}',
    ];
    let i = 0;
    for (const crlf of [false, true]) {
      i = 0;
      const out = new Collector();
      const log = createLogger({
        exitFlush: false,
        base: null,
        timestamp: false,
        crlf,
        hooks: { streamWrite: (line) => results[i++]!(line) },
        transports: [out],
      });
      for (let k = 0; k < results.length; k++) log.info({ k }, `call ${k}`);
      await log.flush();
      const end = crlf ? '\r\n' : '\n';
      const lines = out.text.split(end);
      expect(lines.pop()).toBe('');
      for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
      // The indented object is written compact, as lines are built: presets cut fields out of it.
      expect(lines[0]).toBe('{"level":30,"k":0,"msg":"call 0"}');
      expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
        { level: 30, k: 0, msg: 'call 0' },
        {
          level: 30,
          k: 1,
          msg: 'call 1',
          streamWriteError: 'hooks.streamWrite returned text with line breaks inside',
        },
        { level: 30, msg: 'cr' },
      ]);
      expect(log.stats()).toMatchObject({ logged: 3, delivered: 3 });
      await log.close();
    }
  });

  it('a hook that is no function is a ConfigError naming it; with no hook the line is as built', () => {
    const quiet = { exitFlush: false, transports: [new Collector()] };
    expect(() => createLogger({ ...quiet, hooks: { streamWrite: 'x' } } as never)).toThrow(ConfigError);
    expect(() => createLogger({ ...quiet, hooks: { streamWrite: 'x' } } as never)).toThrow(
      /^hooks\.streamWrite: expected a function$/,
    );
    expect(() => createLogger({ ...quiet, hooks: { streamwrite: () => '' } } as never)).toThrow(
      /^hooks\.streamwrite: unknown hook \(known: logMethod, streamWrite\)$/,
    );
  });
});

describe("pino's crlf", () => {
  it('crlf: true writes the bytes pino writes, lines ending in "\\r\\n", with hooks.streamWrite too', async () => {
    for (const extra of [{}, { hooks: { streamWrite: (line: string) => line.replace('plain', 'PLAIN') } }]) {
      const { calls, text } = sideBySide({ crlf: true, ...extra });
      for (const log of calls) someCalls(log);
      const [mine, pinos] = await text();
      expect(mine).toBe(pinos);
      expect(mine.split('\r\n')).toHaveLength(5);
      expect(mine.replaceAll('\r\n', '')).not.toContain('\n');
    }
  });

  it('crlf: true ends stable-json lines in "\\r\\n" too (they are JSON lines); text and pretty in "\\n"', async () => {
    const formats = ['json', 'stable-json', 'text', 'pretty'] as const;
    const log = createLogger({
      exitFlush: false,
      crlf: true,
      transports: formats.map((format) => ({ type: 'memory' as const, id: format, format })),
    });
    log.info({ b: 1, a: { d: 2, c: 3 } }, 'one');
    await log.flush();
    const ends = formats.map((format) => {
      const [line] = log.transport<MemoryTransport>(format)!.lines();
      return line!.endsWith('\r\n') ? 'crlf' : line!.endsWith('\n') ? 'lf' : 'none';
    });
    expect(ends).toEqual(['crlf', 'crlf', 'lf', 'lf']);
    const [sorted] = log.transport<MemoryTransport>('stable-json')!.lines();
    expect(sorted!.slice(0, -2)).not.toMatch(/[\r\n]/);
    expect(sorted).toMatch(/^\{"a":\{"c":3,"d":2\},"b":1,"hostname":/);
    await log.close();
  });

  it('crlf: false and no crlf write "\\n" as pino does; crlf that is no boolean is a ConfigError', async () => {
    const { calls, text } = sideBySide({ crlf: false });
    for (const log of calls) someCalls(log);
    const [mine, pinos] = await text();
    expect(mine).toBe(pinos);
    expect(mine).not.toContain('\r');
    expect(() => createLogger({ exitFlush: false, crlf: 'yes', transports: [] } as never)).toThrow(/^crlf: /);
  });

  it('a line the formatter guard marks ends in "\\r\\n" and is JSON, as one with an unreadable value', async () => {
    const out = new Collector();
    const broken = new MemoryTransport({ formatter: { name: 'broken', format: () => ({ not: 'a string' }) as never } });
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      crlf: true,
      transports: [out, broken],
    });
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys');
        },
      },
    );
    log.info('fine');
    log.info({ hostile }, 'hostile');
    await log.flush();
    const text = out.text + broken.lines().join('');
    const lines = text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'hostile' });
    expect(JSON.parse(lines[1]!).hostile).toBe('[inspection threw: no keys]');
    expect(JSON.parse(lines[2]!)).toMatchObject({ msg: 'fine', formatError: 'broken: returned object, not a string' });
    await log.close();
  });
});
