import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleTransport, createLogger, createTextFormatter, MemoryTransport, StreamTransport } from '../../src/index.js';
import { Collector } from '../helpers.js';

describe('console transport', () => {
  it('sends error and above to stderr when stderrLevel is set', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    const log = createLogger({ exitFlush: false, transports: [new ConsoleTransport({ stdout, stderr, stderrLevel: 'error' })] });
    log.info('to out');
    log.warn('to out too');
    log.error('to err');
    log.fatal('to err too');
    await log.flush();
    expect(stdout.json().map((r) => r.msg)).toEqual(['to out', 'to out too']);
    expect(stderr.json().map((r) => r.msg)).toEqual(['to err', 'to err too']);
  });

  it('coalesces the lines of one tick into one write', async () => {
    const stdout = new Collector();
    const transport = new ConsoleTransport({ stdout, formatter: createTextFormatter() });
    const log = createLogger({ exitFlush: false, transports: [transport] });
    for (let i = 0; i < 100; i++) log.info(`line ${i}`);
    await log.flush();
    expect(stdout.chunks).toHaveLength(1);
    expect(stdout.lines).toHaveLength(100);
    expect(transport.stats()).toMatchObject({ accepted: 100, delivered: 100, pending: 0 });
  });

  it('does not close stdout or stderr on close()', async () => {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'console', stream: 'stderr', level: 'fatal' }] });
    await log.close();
    expect(process.stderr.destroyed).toBe(false);
    expect(process.stdout.destroyed).toBe(false);
  });

  it('counts a broken destination as failed and keeps the process alive', async () => {
    const broken = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const failures: string[] = [];
    const log = createLogger({ exitFlush: false, onDeliveryError: (f) => failures.push(f.reasons[0]!.error.message), transports: [new ConsoleTransport({ stdout: broken })] });
    log.info('a');
    log.info('b');
    await log.flush();
    log.info('c');
    await log.flush();
    expect(failures).toEqual(['write EPIPE', 'write EPIPE', 'write EPIPE']);
    expect(log.stats()).toMatchObject({ failed: 3, delivered: 0 });
  });
});

describe('memory transport', () => {
  it('keeps the newest records up to its capacity', () => {
    const memory = new MemoryTransport({ capacity: 3 });
    const log = createLogger({ exitFlush: false, transports: [memory] });
    for (let i = 0; i < 5; i++) log.info(`m${i}`);
    expect(memory.objects().map((o) => o.msg)).toEqual(['m2', 'm3', 'm4']);
    expect(memory.stats()).toMatchObject({ size: 3, evicted: 2, delivered: 5 });
    memory.clear();
    expect(memory.records()).toEqual([]);
  });
});

describe('byte Writable adapter', () => {
  it('writes lines to fs.createWriteStream and closes its descriptor on close()', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-adapter-')), 'out.log');
    const stream = createWriteStream(file);
    const log = createLogger({ exitFlush: false, transports: [stream] });
    expect(log.transports[0]).toBeInstanceOf(StreamTransport);
    for (let i = 0; i < 1000; i++) log.info({ i }, 'line');
    await log.close();
    expect(stream.closed).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[999]!)).toMatchObject({ i: 999 });
    expect(log.stats().targets[0]).toMatchObject({ delivered: 1000, failed: 0 });
  });

  it('reports a stream that errors instead of crashing', async () => {
    const failing = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('ENOSPC: no space left on device'));
      },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [failing] });
    log.info('lost?');
    await log.flush();
    expect(log.stats().failed).toBe(1);
    expect(diagnostics.join('\n')).toMatch(/1 record\(s\) failed \(stream#0: ENOSPC/);
  });
});
