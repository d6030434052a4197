import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, MemoryTransport } from '../../../src/index.js';
import { DIST_ESM, requireBuild, runWithStalled } from '../../built.js';

/** Runs an ES module script against the build in a child; a crash or a hang is the failure. */
function child(body: string): { status: number | null; stdout: string; stderr: string } {
  requireBuild();
  const script = `import { createLogger } from ${JSON.stringify(DIST_ESM)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function memoryLogger(options: Record<string, unknown> = {}) {
  const memory = new MemoryTransport({ maxRecords: 100_000 });
  const log = createLogger({ exitFlush: false, base: null, ...options, transports: [memory] });
  return { log, memory };
}

describe('log.stream() against hostile producers', () => {
  it('a message that cannot be a string does not crash the pipeline; it is kept, marked', () => {
    const out = child(`
      import { Readable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
      await pipeline(Readable.from(['{"msg":{"toString":1}}\\n', '{"msg":"fine"}\\n']), log.stream());
      await log.flush();
      process.stdout.write(JSON.stringify(log.transports[0].objects()));
    `);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const records = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(records.map((r) => r.msg)).toEqual([undefined, 'fine']);
    expect(records[0]).toMatchObject({ invalidMessage: { toString: 1 } });
  });

  it('a time no Date can hold, with ISO timestamps and a dead letter, does not crash later either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-hostile-'));
    const out = child(`
      import { Readable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      const log = createLogger({ exitFlush: false, base: null, timestamp: 'iso',
        router: { deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))} },
        transports: [{ type: 'memory' }] });
      await pipeline(Readable.from(['{"time":1e20,"msg":"far future"}\\n']), log.stream());
      await new Promise((resolve) => setTimeout(resolve, 20));
      await log.close();
      process.stdout.write(JSON.stringify(log.transports[0].objects()));
    `);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const [record] = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(record).toMatchObject({ msg: 'far future', invalidTime: 1e20 });
    expect(Number.isNaN(Date.parse(record!.time as string))).toBe(false);
  });

  it('a 40 MB line without a newline is cut at maxLineBytes, in linear time and bounded memory', () => {
    const out = child(`
      import { Readable } from 'node:stream';
      import { pipeline } from 'node:stream/promises';
      const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      async function* source() { for (let i = 0; i < 640; i++) yield chunk; yield Buffer.from('\\n{"msg":"next"}\\n'); }
      await pipeline(Readable.from(source()), log.stream({ maxLineBytes: 1024 * 1024 }));
      await log.flush();
      const objects = log.transports[0].objects();
      process.stdout.write(JSON.stringify(objects.map((o) => ({ ...o, msg: o.msg.length }))));
    `);
    expect(out.stderr).toBe('');
    const records = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(records).toEqual([
      { level: 30, msg: 1024 * 1024, invalidJson: true, truncated: true, time: expect.any(Number) },
      { level: 30, msg: 4, time: expect.any(Number) },
    ]);
  });

  it('a line written a byte at a time holds about maxLineBytes of memory, not a Buffer per write', () => {
    const out = runWithStalled(
      `
      const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
      const sink = log.stream({ maxLineBytes: 1024 * 1024 });
      const one = Buffer.from('a');
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      let i = 0;
      await new Promise((resolve) => {
        const more = () => {
          while (i < 1_200_000) {
            i++;
            if (!sink.write(one)) return sink.once('drain', more);
          }
          resolve();
        };
        more();
      });
      globalThis.gc();
      const held = process.memoryUsage().heapUsed - before;
      sink.end('\\n');
      await new Promise((resolve) => sink.on('finish', resolve));
      const [record] = log.transports[0].objects();
      process.stdout.write(JSON.stringify({ held, length: record.msg.length, truncated: record.truncated }));
    `,
      ['--expose-gc'],
    );
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout) as { held: number; length: number; truncated: boolean };
    expect(result).toMatchObject({ length: 1024 * 1024, truncated: true });
    expect(result.held).toBeLessThan(16 * 1024 * 1024);
  });

  it('keeps a multi-byte character whole when a chunk boundary splits it', async () => {
    const { log, memory } = memoryLogger();
    const bytes = Buffer.from('{"msg":"日本語"}\n');
    await pipeline(Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]), log.stream());
    await log.flush();
    expect(memory.objects().map((o) => o.msg)).toEqual(['日本語']);
  });

  it('property: any bytes never throw or hang, and every record is accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), async (chunks) => {
        const { log } = memoryLogger();
        await pipeline(Readable.from(chunks.map((c) => Buffer.from(c))), log.stream({ maxLineBytes: 64 }));
        await log.close();
        const stats = log.stats();
        expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped);
      }),
      { numRuns: 200 },
    );
  });

  it('property: any object through log.stream({ format: "object" }) and log.info is accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.anything(), { maxLength: 10 }), async (values) => {
        const { log } = memoryLogger();
        const objects = log.stream({ format: 'object' });
        for (const value of values) {
          if (value !== null && value !== undefined) objects.write(value);
          log.info(value as object, 'call');
        }
        objects.end();
        await new Promise((resolve) => objects.on('finish', resolve));
        await log.close();
        const stats = log.stats();
        expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped);
        expect(stats.logged).toBeGreaterThanOrEqual(values.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('log.stream() in object mode against hostile objects', () => {
  it('a revoked Proxy is logged as what could not be read; the stream goes on, nothing after it lost', async () => {
    const { log, memory } = memoryLogger();
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    // Before: write() threw (Array.isArray on the revoked Proxy), the write never called back,
    // and every later object waited for ever: the stream never finished, 'after' never logged.
    const sink = log.stream({ format: 'object' });
    const finished = new Promise((resolve) => sink.on('finish', () => resolve('finished')));
    sink.write({ msg: 'before' });
    sink.write(revoked.proxy);
    sink.end({ msg: 'after' });
    const settled = await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 5000, 'stuck'))]);
    expect(settled).toBe('finished');
    await log.flush();
    const objects = memory.objects().map(({ time: _t, ...rest }) => rest);
    expect(objects).toHaveLength(3);
    expect(objects[0]).toEqual({ level: 30, msg: 'before' });
    expect(String(objects[1]!.logError)).toContain('revoked');
    expect(objects[2]).toEqual({ level: 30, msg: 'after' });
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 3 });
  });
});

describe('log.stream() input held when the process ends or the stream is destroyed', () => {
  it.each([
    ['process.exit()', 'process.exit(0)'],
    ['SIGTERM', "process.kill(process.pid, 'SIGTERM')"],
  ])('%s: a line without its newline yet is logged, not lost', (_how, end) => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-held-'));
    const path = join(dir, 'app.log');
    const out = child(`
        const log = createLogger({ base: null, transports: [{ type: 'file', path: ${JSON.stringify(path)} }] });
        const sink = log.stream();
        sink.write('{"msg":"whole"}\\n{"msg":"begun"');
        setTimeout(() => { ${end}; }, 20);
      `);
    expect(out.stderr).toBe('');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map(({ time: _t, ...rest }) => rest)).toEqual([
      { level: 30, msg: 'whole' },
      { level: 30, invalidJson: true, msg: '{"msg":"begun"' },
    ]);
  });

  it('process.exit() while a block target holds the writer back: the chunks it waits with are counted too', () => {
    const out = runWithStalled(`
      const stalled = { type: 'stalled', overflow: 'block', maxQueue: { maxRecords: 2 } };
      const log = createLogger({ base: null, transports: [stalled] });
      const sink = log.stream({ highWaterMark: 64 });
      for (let i = 0; i < 10; i++) sink.write('{"msg":"m' + i + '"}\\n');
      sink.write('{"msg":"begun"');
      process.on('exit', () => {
        const { logged, delivered, failed, dropped, pending } = log.stats();
        process.stdout.write(JSON.stringify({ logged, delivered, failed, dropped, pending }));
      });
      setTimeout(() => process.exit(0), 50);
    `);
    // The stalled plugin holds them at the exit: they fail, said once, none left pending.
    const said = 'streamlog: 11 record(s) failed (stalled#0: process exited before the records were sent)\n';
    expect(out.stderr).toBe(said);
    const stats = JSON.parse(out.stdout) as Record<string, number>;
    expect(stats).toEqual({ logged: 11, delivered: 0, failed: 11, dropped: 0, pending: 0 });
  });

  /**
   * A file target that blocks after 2 records, fed 10 lines and a line begun through one
   * stream, the process ended by script run `before` the writes or `after` them: the file and
   * the stats at exit (`extra`: more of the child's variables to print beside them).
   */
  function heldChunksAtExit(ends: { before?: string; after?: string; extra?: string }): {
    messages: string[];
    stats: Record<string, number>;
  } {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-held-'));
    const path = join(dir, 'app.log');
    const out = child(`
      const log = createLogger({ base: null, transports: [
        { type: 'file', path: ${JSON.stringify(path)}, overflow: 'block', maxQueue: { maxRecords: 2 } },
      ] });
      const sink = log.stream({ highWaterMark: 64 });
      ${ends.before ?? ''}
      for (let i = 0; i < 10; i++) sink.write('{"msg":"m' + i + '"}\\n');
      sink.write('{"msg":"begun"');
      process.on('exit', () => {
        const { logged, delivered, failed, dropped, pending } = log.stats();
        process.stdout.write(JSON.stringify({ ${ends.extra ?? ''} logged, delivered, failed, dropped, pending }));
      });
      ${ends.after ?? ''}
    `);
    expect(out.stderr).toBe('');
    const messages = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    return { messages, stats: JSON.parse(out.stdout) as Record<string, number> };
  }

  const HELD = [...Array.from({ length: 10 }, (_, i) => `m${i}`), '{"msg":"begun"'];

  it('process.exit() while a file target holds the writer back: each held chunk is one record, not two', () => {
    // The exit writes the file target's queue through, which unblocks the writer: Node then
    // writes the chunks it held to the stream, and the stream had made records of them already.
    const { messages, stats } = heldChunksAtExit({ after: 'process.exit(0);' });
    expect(messages).toEqual(HELD);
    expect(stats).toEqual({ logged: 11, delivered: 11, failed: 0, dropped: 0, pending: 0 });
  });

  it('exit while Node writes held chunks (a listener exits as the target blocks again): none lost', () => {
    // Node clears each buffered slot before it writes its chunk: the buffer asked at exit held
    // empty slots, and the held chunks after them and the line begun were lost uncounted.
    const { messages, stats } = heldChunksAtExit({
      before: "let starts = 0; log.on('backpressureStart', () => { if (++starts === 2) process.exit(0); });",
      extra: 'starts,',
    });
    expect(messages).toEqual(HELD);
    expect(stats).toEqual({ starts: 2, logged: 11, delivered: 11, failed: 0, dropped: 0, pending: 0 });
  });

  it('a line begun when the logger closed is counted dropped after close, once, by its end or at exit', () => {
    const out = child(`
      const log = createLogger({ base: null, transports: [{ type: 'memory' }] });
      const never = log.stream();
      const later = log.stream();
      never.write('{"msg":"whole"}\\n{"msg":"never ended"');
      later.write('{"msg":"ended after the close');
      await new Promise((resolve) => setImmediate(resolve));
      await log.close();
      // The rest of one line, after the close: that line is dropped, counted now, and not again at exit.
      later.end('"}\\n');
      await new Promise((resolve) => later.on('finish', resolve));
      const before = log.stats().droppedAfterClose;
      process.on('exit', () => {
        const { logged, delivered, droppedAfterClose } = log.stats();
        process.stdout.write(JSON.stringify({ before, logged, delivered, droppedAfterClose }));
      });
      process.exit(0);
    `);
    expect(out.stderr).toBe('');
    // Before: the line begun and never ended vanished uncounted (droppedAfterClose stayed 1).
    expect(JSON.parse(out.stdout)).toEqual({ before: 1, logged: 1, delivered: 1, droppedAfterClose: 2 });
  });

  it('process.exit() during a close, a corked stream with a line begun: each line counted once', () => {
    // Both the closing logger and the stream itself take what the stream holds at exit.
    const out = child(`
      const log = createLogger({ base: null, transports: [{ type: 'memory' }] });
      const sink = log.stream();
      sink.write('{"msg":"begun');
      await new Promise((resolve) => setImmediate(resolve));
      sink.cork();
      sink.write('"}\\n{"msg":"a"}\\n');
      sink.write('{"msg":"b"}\\n');
      log.close();
      process.on('exit', () => {
        const { logged, droppedAfterClose } = log.stats();
        process.stdout.write(JSON.stringify({ logged, droppedAfterClose }));
      });
      process.exit(0);
    `);
    expect(out.stderr).toBe('');
    // Before: the corked chunks were taken twice, 6 lines counted for 3.
    expect(JSON.parse(out.stdout)).toEqual({ logged: 0, droppedAfterClose: 3 });
  });

  it('destroy() mid-line (a pipeline whose source failed): the line begun is logged as it came', async () => {
    const { log, memory } = memoryLogger();
    const source = new Readable({ read() {} });
    const done = pipeline(source, log.stream());
    source.push('{"msg":"whole"}\n{"msg":"beg');
    await new Promise((resolve) => setImmediate(resolve));
    source.destroy(new Error('producer died'));
    await expect(done).rejects.toThrow('producer died');
    await log.flush();
    expect(memory.objects().map(({ time: _t, ...rest }) => rest)).toEqual([
      { level: 30, msg: 'whole' },
      { level: 30, invalidJson: true, msg: '{"msg":"beg' },
    ]);
  });
});

describe('log calls against hostile values: every call ends as one record', () => {
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('get trap');
      },
      ownKeys() {
        throw new Error('ownKeys trap');
      },
      getPrototypeOf() {
        throw new Error('getPrototypeOf trap');
      },
      getOwnPropertyDescriptor() {
        throw new Error('descriptor trap');
      },
    },
  );
  const getter = {
    get secret(): string {
      throw new Error('getter');
    },
  };
  const throwingValueOf = {
    valueOf(): number {
      throw new Error('valueOf');
    },
  };

  it.each([
    ['%d with a Symbol', (log: Logger) => log.info('n=%d', Symbol('s'))],
    ['%d with a throwing valueOf', (log: Logger) => log.info('n=%d', throwingValueOf)],
    ['a top-level Proxy whose traps throw', (log: Logger) => log.info(throwing, 'proxy')],
    ['a throwing getter under redaction', (log: Logger) => log.info(getter, 'getter')],
    ['a Proxy under redaction', (log: Logger) => log.info({ user: throwing }, 'nested')],
  ])('%s', async (_name, call) => {
    const { log, memory } = memoryLogger({ redact: ['secret', 'user.password', '*.token'] });
    call(log);
    await log.flush();
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1 });
    const [record] = memory.objects();
    expect(record).toMatchObject({ level: 30 });
  });

  it.each([
    ['getPrototypeOf', { getPrototypeOf: () => fail('getPrototypeOf') }],
    ['every', { get: () => fail('get'), ownKeys: () => fail('ownKeys'), getPrototypeOf: () => fail('proto') }],
  ])('an object whose %s trap throws keeps the message given after it', async (_name, traps) => {
    for (const redact of [undefined, ['secret']]) {
      const { log, memory } = memoryLogger({ redact });
      const hostile = new Proxy({}, traps as ProxyHandler<object>);
      log.info(hostile, 'order %s failed', 'o-7');
      log.child({}, { msgPrefix: '[pay] ' }).warn(hostile, 'retrying');
      log.error(hostile, { secret: 's3', id: 1 });
      await log.flush();
      const records = memory.objects();
      const secret = redact === undefined ? 's3' : '[Redacted]';
      expect(records.map((r) => r.msg)).toEqual([
        'order o-7 failed',
        '[pay] retrying',
        `{"secret":"${secret}","id":1}`,
      ]);
      for (const record of records) expect(record.logError).toMatch(/record could not be built/);
    }
  });

  it('a getter that throws on msg, err, err.message or method: marked where it is, the other fields kept', async () => {
    const { log, memory } = memoryLogger({ timestamp: false });
    const boom = (): never => fail('getter');
    log.info({
      get msg() {
        return boom();
      },
      a: 1,
    });
    log.info({
      get err() {
        return boom();
      },
      a: 2,
    });
    log.info(
      {
        err: {
          get message() {
            return boom();
          },
        },
        a: 3,
      },
      'given',
    );
    log.info(
      {
        get method() {
          return boom();
        },
        a: 4,
      },
      'request-like',
    );
    log.info(new Proxy({ a: 5 }, { get: () => fail('get') }), 'proxy');
    await log.flush();
    const marked = '[getter threw: getter trap]';
    expect(memory.objects()).toEqual([
      { level: 30, '@msg': marked, a: 1 },
      { level: 30, err: marked, a: 2 },
      { level: 30, err: { message: marked }, a: 3, msg: 'given' },
      { level: 30, method: marked, a: 4, msg: 'request-like' },
      { level: 30, a: '[getter threw: get trap]', msg: 'proxy' },
    ]);
  });

  it("a mixin that throws, or fields (its or the call's) that cannot be read: no field of the call lost", async () => {
    const boom = (): never => fail('getter');
    const mixins: [string, () => object][] = [
      ['throws', () => fail('mixin')],
      [
        'getter',
        () => ({
          app: 'api',
          get t() {
            return boom();
          },
        }),
      ],
      ['proxy', () => new Proxy({}, { ownKeys: () => fail('ownKeys') })],
      ['plain', () => ({ app: 'api' })],
    ];
    const lines: Record<string, unknown>[] = [];
    for (const [, mixin] of mixins) {
      const { log, memory } = memoryLogger({ timestamp: false, mixin });
      log.info(
        {
          a: 1,
          get b() {
            return boom();
          },
        },
        'call',
      );
      await log.flush();
      lines.push(...memory.objects());
    }
    const call = { a: 1, b: '[getter threw: getter trap]', msg: 'call' };
    expect(lines).toEqual([
      { level: 30, mixinError: 'mixin threw: Error: mixin trap', ...call },
      { level: 30, app: 'api', t: '[getter threw: getter trap]', ...call },
      { level: 30, mixinError: 'fields could not be merged: Error: ownKeys trap', ...call },
      { level: 30, app: 'api', ...call },
    ]);
  });

  it('formatters.log that throws or gives no object: the fields kept, formattersLogError said', async () => {
    const formatters: ((fields: Record<string, unknown>) => unknown)[] = [
      () => fail('formatter'),
      () => undefined,
      () => 5,
      (fields) => ({ ...fields, shaped: true }),
    ];
    const lines: Record<string, unknown>[] = [];
    for (const log of formatters) {
      const setup = memoryLogger({ timestamp: false, formatters: { log } });
      setup.log.info({ a: 1 }, 'call');
      await setup.log.flush();
      lines.push(...setup.memory.objects());
    }
    expect(lines).toEqual([
      { level: 30, formattersLogError: 'formatters.log threw: Error: formatter trap', a: 1, msg: 'call' },
      { level: 30, formattersLogError: 'formatters.log returned undefined, not an object', a: 1, msg: 'call' },
      { level: 30, formattersLogError: 'formatters.log returned number, not an object', a: 1, msg: 'call' },
      { level: 30, a: 1, shaped: true, msg: 'call' },
    ]);
  });

  it('a throwing censor still logs the call, saying what went wrong', async () => {
    const { log, memory } = memoryLogger({
      redact: {
        paths: ['password'],
        censor: () => {
          throw new Error('censor bug');
        },
      },
    });
    log.info({ password: 'hunter2' }, 'login');
    await log.flush();
    expect(memory.objects()).toEqual([
      { level: 30, time: expect.any(Number), msg: 'login', logError: expect.stringMatching(/censor bug/) },
    ]);
    expect(JSON.stringify(memory.objects())).not.toContain('hunter2');
  });

  it('child() with a hostile binding never throws; its records say what was wrong', async () => {
    const { log, memory } = memoryLogger({ redact: ['user.password'] });
    const child = log.child({ user: throwing, ok: 1 });
    child.info('from the child');
    await log.flush();
    expect(memory.objects()[0]).toMatchObject({
      msg: 'from the child',
      bindingsError: expect.stringMatching(/trap/),
    });
  });
});

describe('child() with options that cannot be used', () => {
  it('null options, or options whose reading throws: a child with its bindings, the mistake diagnosed', async () => {
    const diagnostics: string[] = [];
    const { log, memory } = memoryLogger({ diagnostics: (message: string) => diagnostics.push(message) });
    const throwing = (what: string) =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error(what);
          },
        },
      );
    const prefix = {
      toString(): string {
        throw new Error('prefix exploded');
      },
    };
    const children = [
      () => log.child({ n: 1 }, null as never),
      () => log.child({ n: 2 }, { serializers: throwing('serializers exploded') }),
      () => log.child({ n: 3 }, { customLevels: throwing('levels exploded') as never }),
      () => log.child({ n: 4 }, { msgPrefix: prefix as never }),
    ];
    for (const make of children) make().info('from the child');
    await log.flush();
    expect(memory.objects()).toEqual(
      [1, 2, 3, 4].map((n) => ({ level: 30, time: expect.any(Number), n, msg: 'from the child' })),
    );
    expect(diagnostics).toEqual([
      'child options ignored: Error: serializers exploded',
      'child options ignored: Error: levels exploded',
      'child options ignored: Error: prefix exploded',
    ]);
  });
});

describe('fields cannot forge the line', () => {
  it('a field named level, time, msg or a base key is written as @<key>; the real values win', async () => {
    // base: {} keeps name (base: null leaves it out, as pino).
    const { log, memory } = memoryLogger({ name: 'api', base: {} });
    log.error({ level: 10, time: 0, name: 'billing', msg: 'forged' }, 'real');
    await log.flush();
    const [record] = memory.objects();
    expect(record).toMatchObject({
      level: 50,
      name: 'api',
      msg: 'real',
      '@level': 10,
      '@time': 0,
      '@name': 'billing',
      '@msg': 'forged',
    });
    expect(record!.time).not.toBe(0);
    expect(memory.records()[0]!.json()).not.toMatch(/"level":10/);
  });

  it('stable-json keeps the real level', async () => {
    const out = new (class extends Writable {
      text = '';
      override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
        this.text += chunk.toString();
        cb();
      }
    })();
    const log = createLogger({ exitFlush: false, base: null, transports: [{ transport: out }] });
    const stable = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'memory', format: 'stable-json' }],
    });
    stable.error({ level: 10 }, 'alert');
    await stable.flush();
    const line = (stable.transports[0] as MemoryTransport).lines()[0]!;
    expect(JSON.parse(line)).toMatchObject({ level: 50, '@level': 10 });
    await log.close();
  });
});

describe('bindings and context cannot forge it either', () => {
  it('child bindings named level are renamed too', async () => {
    const { log, memory } = memoryLogger();
    log.child({ level: 10 }).warn('child');
    await log.flush();
    expect(memory.objects()[0]).toMatchObject({ level: 40, '@level': 10 });
  });
});

describe('a readable dead letter after hostile values', () => {
  it('the dead-letter line for a forged record is valid JSON with the real level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-forge-'));
    const path = join(dir, 'dead.ndjson');
    const failing = new Writable({
      objectMode: true,
      write(_record, _e, cb) {
        cb(new Error('refused'));
      },
    });
    const log = createLogger({ exitFlush: false, base: null, router: { deadLetter: path }, transports: [failing] });
    log.error({ level: 10 }, 'forged');
    await log.close();
    const [line] = readFileSync(path, 'utf8').trim().split('\n');
    expect(JSON.parse(line!).record).toMatchObject({ level: 50, '@level': 10 });
  });
});

function fail(trap: string): never {
  throw new Error(`${trap} trap`);
}
