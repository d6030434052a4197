import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/index.js';
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';

/** The records a log.stream() makes of `input`, and how many JSON.parse calls threw meanwhile. */
async function countingParses(input: string): Promise<{ records: Record<string, unknown>[]; failedParses: number }> {
  const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory', maxRecords: 100_000 }] });
  const sink = log.stream();
  const parse = JSON.parse;
  let failedParses = 0;
  const spy = vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: Parameters<typeof parse>[1]) => {
    try {
      return parse(text, reviver);
    } catch (error) {
      failedParses++;
      throw error;
    }
  });
  try {
    sink.end(input);
    await new Promise((r) => sink.on('finish', r));
  } finally {
    spy.mockRestore();
  }
  const memory = log.transports[0] as unknown as { objects(): Record<string, unknown>[] };
  return { records: memory.objects().map(({ time: _time, ...rest }) => rest), failedParses };
}

describe('log.stream()', () => {
  it('accepts objects and NDJSON split anywhere, keeping level, time and message', async () => {
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
    const objects = log.stream({ format: 'object' });
    objects.write({ level: 'warn', time: '2024-01-01T00:00:00.000Z', msg: 'from object', k: 1 });
    objects.end();
    const ndjson = log.stream();
    ndjson.write('{"level":50,"time":5,"msg":"split ');
    ndjson.write('across writes"}\nnot json\n{"msg":"no newline at end"}');
    ndjson.end();
    await Promise.all([new Promise((r) => objects.on('finish', r)), new Promise((r) => ndjson.on('finish', r))]);
    const memory = log.transports[0] as unknown as { objects(): Record<string, unknown>[] };
    expect(memory.objects()).toEqual([
      { level: 40, time: Date.parse('2024-01-01T00:00:00.000Z'), k: 1, msg: 'from object' },
      { level: 50, time: 5, msg: 'split across writes' },
      expect.objectContaining({ level: 30, invalidJson: true, msg: 'not json' }),
      expect.objectContaining({ level: 30, msg: 'no newline at end' }),
    ]);
  });

  it("keepOrigin: a shipped line keeps its own pid and hostname, without the shipper's base", async () => {
    const log = createLogger({ exitFlush: false, name: 'shipper', transports: [{ type: 'memory' }] });
    const line = '{"level":30,"time":7,"pid":4242,"hostname":"web-1","name":"api","reqId":"r1","msg":"hi"}\n';
    for (const keepOrigin of [true, false]) {
      const sink = log.stream({ keepOrigin });
      sink.end(line);
      await new Promise((r) => sink.on('finish', r));
    }
    await log.flush();
    const [kept, renamed] = (log.transports[0] as unknown as { lines(): string[] }).lines();
    expect(kept).toBe(line);
    expect(JSON.parse(renamed!)).toMatchObject({
      pid: process.pid,
      '@pid': 4242,
      '@hostname': 'web-1',
      name: 'shipper',
    });
  });

  it('reads CRLF (a text line without its CR) and BOM-led lines, skips blank ones, cuts an overlong one', async () => {
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
    const ndjson = log.stream({ maxLineBytes: 40 });
    ndjson.write('{"msg":"crlf"}\r\n\n   \n\t\r\n\ufeff{"msg":"bom"}\n \u00a0{"msg":"nbsp"} \nplain text\r\n');
    ndjson.write(`{"msg":"${'x'.repeat(60)}"}\n{"msg":"after"}\n{"msg":"${'y'.repeat(30)}`);
    ndjson.write(`${'y'.repeat(30)}"}\n`);
    ndjson.end();
    await new Promise((r) => ndjson.on('finish', r));
    const memory = log.transports[0] as unknown as { objects(): Record<string, unknown>[] };
    const got = memory.objects().map(({ time: _time, ...rest }) => rest);
    expect(got).toEqual([
      { level: 30, msg: 'crlf' },
      { level: 30, msg: 'bom' },
      { level: 30, msg: 'nbsp' },
      { level: 30, invalidJson: true, msg: 'plain text' },
      { level: 30, invalidJson: true, truncated: true, msg: `{"msg":"${'x'.repeat(32)}` },
      { level: 30, msg: 'after' },
      { level: 30, invalidJson: true, truncated: true, msg: `{"msg":"${'y'.repeat(32)}` },
    ]);
  });

  it('blank lines (LF, CRLF, spaces) reach no JSON.parse: each failed parse throws, which costs µs', async () => {
    const { records, failedParses } = await countingParses(
      `${'\n'.repeat(10_000)}${'\r\n'.repeat(10_000)}${' \t\r\n'.repeat(10_000)}{"msg":"after"}\n [1]\n{"msg":"x"\n`,
    );
    expect(records).toEqual([
      { level: 30, msg: 'after' },
      { level: 30, value: [1] },
      { level: 30, invalidJson: true, msg: '{"msg":"x"' },
    ]);
    // The one failure is the line that is not JSON; a blank line is skipped before any parse.
    expect(failedParses).toBe(1);
  });

  it('plain text lines (a program that logs no JSON, a stack trace) are kept as text without a parse', async () => {
    const text = ['Error: boom', '    at main (app.js:1:2)', 'GET /health 200 in 3 ms', '# done', 'true', '-1'];
    const { records, failedParses } = await countingParses(`${text.join('\n')}\n`.repeat(1000));
    expect(records.slice(0, 6)).toEqual([
      ...text.slice(0, 4).map((msg) => ({ level: 30, invalidJson: true, msg })),
      { level: 30, msg: 'true' },
      { level: 30, msg: '-1' },
    ]);
    expect(records).toHaveLength(6000);
    expect(failedParses).toBe(0);
  });

  it('format: only "ndjson" or "object"; a misspelt one is a RangeError, not an NDJSON stream', async () => {
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
    // Before: "objects" made an NDJSON stream, and its first write({ … }) threw at the caller.
    for (const bad of ['objects', 'json', '', null, 1, Object.create(null)]) {
      expect(() => log.stream({ format: bad as 'object' })).toThrow(
        /^log\.stream\(\): format must be "ndjson" or "object" \(got /,
      );
    }
    const sink = log.stream({ format: 'object' });
    sink.end({ level: 30, msg: 'object mode' });
    await new Promise((r) => sink.on('finish', r));
    const memory = log.transports[0] as unknown as { objects(): Record<string, unknown>[] };
    expect(memory.objects()).toHaveLength(1);
    expect(memory.objects()[0]).toMatchObject({ level: 30, msg: 'object mode' });
    await log.close();
  });

  it('maxLineBytes: a size ("16B") bounds lines; 0, NaN, Infinity, a fraction: a RangeError', async () => {
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory' }] });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 'lots', '0KB']) {
      expect(() => log.stream({ maxLineBytes: bad })).toThrow(RangeError);
    }
    const sink = log.stream({ maxLineBytes: '16B' });
    sink.end(
      `{"msg":"${'x'.repeat(40)}"}\n{"msg":"short"}\n${' '.repeat(20)}{"msg":"after spaces"}\n` +
        // Blanks alone cut off: a blank line (skipped, as `pipe --summary` counts it), and a
        // whole record followed by blanks (nothing a reader sees was lost).
        `${' \t'.repeat(20)}\n{"msg":"ok"}${' '.repeat(40)}\r\n`,
    );
    await new Promise((r) => sink.on('finish', r));
    const memory = log.transports[0] as unknown as { objects(): Record<string, unknown>[] };
    expect(memory.objects().map(({ time: _time, ...rest }) => rest)).toEqual([
      { level: 30, invalidJson: true, truncated: true, msg: `{"msg":"${'x'.repeat(8)}` },
      { level: 30, msg: 'short' },
      // Cut off after 16 spaces: not a blank line, as what was cut off is not.
      { level: 30, invalidJson: true, truncated: true, msg: ' '.repeat(16) },
      { level: 30, msg: 'ok' },
    ]);
  });

  it('emits pipe and unpipe like any Writable', async () => {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'memory' }] });
    const sink = log.stream();
    const events: string[] = [];
    sink.on('pipe', () => events.push('pipe'));
    sink.on('unpipe', () => events.push('unpipe'));
    const source = Readable.from(['{"msg":"a"}\n']);
    source.pipe(sink);
    await new Promise((r) => sink.on('finish', r));
    expect(events).toEqual(['pipe', 'unpipe']);
  });
});

describe('log.stream() backpressure signals', () => {
  it('write() returns false while a block target is full, and drain follows once it catches up', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'controlled', mode: 'stall', overflow: 'block', maxQueue: { maxRecords: 2 } }],
    });
    const [stalled] = log.transports as [ControlledTransport];
    const sink = log.stream({ format: 'object', highWaterMark: 1 });
    const accepted: boolean[] = [];
    for (let i = 0; i < 4; i++) accepted.push(sink.write({ msg: `m${i}` }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(accepted.at(-1)).toBe(false);
    expect(sink.writableLength).toBeGreaterThan(0); // held back in the stream, not in the router
    const drained = new Promise((resolve) => sink.once('drain', resolve));
    stalled.mode = 'ok';
    stalled.release();
    await drained;
    await log.flush();
    expect(stalled.messages()).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('close() while a block target holds the stream back: the pipeline ends, each line counted', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'controlled', mode: 'stall', overflow: 'block', maxQueue: { maxRecords: 2 } }],
    });
    const lines = Array.from({ length: 50 }, (_, i) => `{"msg":"m${i}"}\n`);
    const done = pipeline(Readable.from(lines), log.stream({ highWaterMark: 16 }));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(log.stats().logged).toBeLessThan(50); // held back by the full target
    // The stalled transport never settles: close gives it up, and nothing unblocks it again.
    expect(await log.close({ timeoutMs: 50 })).toBe(false);
    const ended = await Promise.race([
      done.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting')),
    ]);
    expect(ended).toBe('ended');
    const stats = log.stats();
    expect(stats.logged + stats.droppedAfterClose).toBe(50);
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
  });
});

describe('log.stream() and the logger’s own level (docs/delivery.md)', () => {
  it('takes every record whatever the logger’s level or enabled; a transport’s level filters', async () => {
    for (const options of [{ level: 'error' }, { enabled: false }] as const) {
      const log = createLogger({
        ...options,
        exitFlush: false,
        transports: [{ type: 'memory' }, { type: 'memory', level: 'warn' }],
      });
      const sink = log.stream();
      sink.end('{"level":30,"msg":"shipped info"}\n{"level":40,"msg":"shipped warn"}\n');
      await new Promise((r) => sink.on('finish', r));
      log.info('own call');
      await log.flush();
      const [all, warnings] = log.transports as unknown as { objects(): { msg: string }[] }[];
      expect(all!.objects().map((o) => o.msg)).toEqual(['shipped info', 'shipped warn']);
      expect(warnings!.objects().map((o) => o.msg)).toEqual(['shipped warn']);
      await log.close();
    }
  });
});
