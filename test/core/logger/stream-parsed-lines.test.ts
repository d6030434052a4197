import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { DIST_ESM } from '../../built.js';
import '../../helpers.js';
import { runChild } from '../../transports/http/receiver.js';
import type { ControlledTransport } from '../../helpers.js';

/** A logger with the default base (pid, hostname), so a line's own `pid` is a key the line renames. */
function memoryLogger(options: Record<string, unknown> = {}) {
  const memory = new MemoryTransport({ maxRecords: 100_000 });
  const log = createLogger({ exitFlush: false, ...options, transports: [memory] });
  return { log, memory };
}

/** NDJSON lines through log.stream(): the lines the logger wrote. */
async function viaLines(lines: string[], options: Record<string, unknown> = {}): Promise<string[]> {
  const { log, memory } = memoryLogger(options);
  await pipeline(Readable.from([Buffer.from(lines.map((l) => `${l}\n`).join(''))]), log.stream());
  await log.flush();
  return memory.lines();
}

/** The same lines parsed first and given as objects: the generic path the parsed one must match. */
async function viaObjects(lines: string[], options: Record<string, unknown> = {}): Promise<string[]> {
  const { log, memory } = memoryLogger(options);
  await pipeline(Readable.from(lines.map((l) => JSON.parse(l) as unknown)), log.stream({ format: 'object' }));
  await log.flush();
  return memory.lines();
}

const KEYS = ['level', 'msg', 'message', 'text', 'a', 'b', '1', '__proto__', 'pid', 'hostname', 'invalidLevel'];
const value = fc.oneof(fc.constantFrom(30, 'warn', 'nope', 'silent', 'x'), fc.jsonValue({ maxDepth: 2 }));
/** A line written by hand from pairs, so keys repeat and `__proto__` is a key, as producers may send. */
const line = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 8 }), fc.nat(8), fc.nat(1e12))
  .map(([pairs, at, time]) => {
    const entries = pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    entries.splice(at, 0, `"time":${1e12 + time}`);
    return `{${entries.join(',')}}`;
  });

describe('log.stream() lines: the parsed path writes what the generic object path writes', () => {
  it('property: any line, repeated so its shape gets a picker, comes out as the object would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), fc.constantFrom('msg', 'text'), async (lines, messageKey) => {
        const repeated = lines.flatMap((l) => [l, l, l]);
        expect(await viaLines(repeated, { messageKey })).toEqual(await viaObjects(repeated, { messageKey }));
      }),
      { numRuns: 150 },
    );
  });

  it('a "__proto__" key is a field like any other, and no prototype is touched', async () => {
    const line = '{"time":5,"__proto__":{"polluted":true},"msg":"m","a":1}';
    const out = await viaLines([line, line]);
    expect(out).toHaveLength(2);
    for (const written of out) expect(written).toContain(',"__proto__":{"polluted":true},"a":1,"msg":"m"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('duplicate keys: the first position, the last value, as JSON.parse gives them', async () => {
    const line = '{"a":1,"level":40,"time":5,"a":2,"level":50,"msg":"x","msg":"y","b":3}';
    const [first, second] = await viaLines([line, line]);
    expect(first).toBe(second);
    expect(first).toMatch(/^\{"level":50,"time":5,"pid":\d+,"hostname":"[^"]*","a":2,"b":3,"msg":"y"\}\n$/);
  });

  it('the time keeps its exact text around second boundaries and levels that change within a second', async () => {
    const times = [999, 1000, 1001, 1_700_000_000_999, 1_700_000_001_000, 1e15, 1e15 + 1, 8.64e15, 1.5, -5, 0];
    const lines = times.flatMap((t) => [`{"level":30,"time":${t}}`, `{"level":40,"time":${t}}`]);
    const out = await viaLines(lines, { base: null });
    expect(out).toEqual(times.flatMap((t) => [`{"level":30,"time":${t}}\n`, `{"level":40,"time":${t}}\n`]));
  });

  it('a value nested deeper than the serialiser limit is written whole: the line bounds its size', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const [out] = await viaLines([JSON.stringify({ time: 5, deep, msg: 'm' })], { base: null });
    expect(JSON.parse(out!)).toEqual({ level: 30, time: 5, deep, msg: 'm' });
  });

  it('a line nested too deep for native stringify (400 kB of brackets) is logged with a depth marker', async () => {
    const depth = 200_000;
    const line = `{"time":5,"d":${'['.repeat(depth)}${']'.repeat(depth)},"msg":"deep"}`;
    const { log, memory } = memoryLogger({ base: null });
    await pipeline(Readable.from([Buffer.from(`${line}\n{"msg":"next"}\n`)]), log.stream());
    await log.close();
    const [deep, next] = memory.objects();
    expect(deep).toMatchObject({ level: 30, time: 5, msg: 'deep' });
    expect(JSON.stringify(deep!.d)).toContain('"[Array]"');
    expect(deep).not.toHaveProperty('logError');
    expect(next).toMatchObject({ msg: 'next' });
    const stats = log.stats();
    expect(stats.logged).toBe(2);
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
  });

  it('redaction applies to lines of every shape, the picked ones included', async () => {
    const line = '{"time":5,"user":{"name":"n","password":"p"},"secret":"s","msg":"m"}';
    const out = await viaLines([line, line, line], { base: null, redact: ['user.password', 'secret'] });
    expect(out).toEqual(
      Array(3).fill(
        '{"level":30,"time":5,"user":{"name":"n","password":"[Redacted]"},"secret":"[Redacted]","msg":"m"}\n',
      ),
    );
  });

  it('keepOrigin: lines of one shape, picked, come out byte for byte', async () => {
    const lines = [1, 2, 3].map(
      (i) => `{"level":30,"time":${i},"pid":4242,"hostname":"web-1","reqId":"r${i}","msg":"hi"}`,
    );
    const { log, memory } = memoryLogger({ name: 'shipper' });
    await pipeline(Readable.from([Buffer.from(lines.map((l) => `${l}\n`).join(''))]), log.stream({ keepOrigin: true }));
    await log.flush();
    expect(memory.lines()).toEqual(lines.map((l) => `${l}\n`));
  });

  it('backpressure: a chunk of lines is not called back while a block target is full', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'controlled', mode: 'stall', overflow: 'block', maxQueue: { maxRecords: 2 } }],
    });
    const [stalled] = log.transports as [ControlledTransport];
    const sink = log.stream();
    let calledBack = false;
    sink.write(Buffer.from('{"msg":"m0"}\n{"msg":"m1"}\n{"msg":"m2"}\n{"msg":"m3"}\n'), () => {
      calledBack = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calledBack).toBe(false);
    stalled.mode = 'ok';
    stalled.release();
    await log.flush();
    expect(calledBack).toBe(true);
    expect(stalled.messages()).toEqual(['m0', 'm1', 'm2', 'm3']);
    const stats = log.stats();
    expect(stats.logged).toBe(4);
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
  });
});

describe("log.stream(): a producer's level and time", () => {
  it('a name in capitals or "warning" is a level; a number outside 0..1000 or not whole is not', async () => {
    const lines = [
      '{"level":"WARN","time":1796600000000,"msg":"a"}',
      '{"level":"Error","time":1796600000000,"msg":"b"}',
      '{"level":"WARNING","time":1796600000000,"msg":"c"}',
      '{"level":1e308,"time":1796600000000,"msg":"d"}',
      '{"level":-1,"time":1796600000000,"msg":"e"}',
      '{"level":30.5,"time":1796600000000,"msg":"f"}',
      '{"level":35,"time":1796600000000,"msg":"g"}',
    ];
    const written = (await viaLines(lines)).map(
      (line) => JSON.parse(line) as { level: number; invalidLevel?: unknown },
    );
    // Before: "WARN" and "Error" were invalidLevel (info); 1e308, -1 and 30.5 were taken as levels.
    expect(written.map((r) => [r.level, r.invalidLevel])).toEqual([
      [40, undefined],
      [50, undefined],
      [40, undefined],
      [30, 1e308],
      [30, -1],
      [30, 30.5],
      [35, undefined],
    ]);
  });

  it('in object mode, a time given as a Date is the time (it was invalidTime)', async () => {
    const { log, memory } = memoryLogger();
    const stream = log.stream({ format: 'object' });
    stream.end({ level: 30, time: new Date(1796600000123), msg: 'dated' });
    await new Promise((resolve) => stream.on('finish', resolve));
    await log.flush();
    const [record] = memory.objects();
    expect(record).toMatchObject({ time: 1796600000123, msg: 'dated' });
    expect(record).not.toHaveProperty('invalidTime');
  });
});

describe('log.stream() where code cannot be made from strings', () => {
  it('node --disallow-code-generation-from-strings: repeated shapes are copied key by key, all logged', async () => {
    const child = await runChild(
      `
      const { MemoryTransport } = await import(${JSON.stringify(DIST_ESM)});
      const memory = new MemoryTransport();
      const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
      const sink = log.stream();
      for (let i = 0; i < 5; i++) sink.write('{"time":' + i + ',"a":' + i + ',"b":"x","msg":"m"}\\n');
      sink.end();
      await new Promise((resolve) => sink.on('finish', resolve));
      await log.flush();
      writeSync(1, JSON.stringify({ lines: memory.lines(), stats: log.stats() }));
      `,
      { args: ['--disallow-code-generation-from-strings'] },
    );
    expect(child.stderr).toBe('');
    const { lines, stats } = JSON.parse(child.stdout);
    expect(lines).toEqual([0, 1, 2, 3, 4].map((i) => `{"level":30,"time":${i},"a":${i},"b":"x","msg":"m"}\n`));
    expect(stats).toMatchObject({ logged: 5, delivered: 5, failed: 0 });
  });
});
