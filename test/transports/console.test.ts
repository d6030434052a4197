import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleTransport, createLogger, createTextFormatter } from '../../src/index.js';
import { Collector } from '../helpers.js';

describe('console transport', () => {
  it('sends error and above to stderr when stderrLevel is set', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    const log = createLogger({
      exitFlush: false,
      transports: [new ConsoleTransport({ stdout, stderr, stderrLevel: 'error' })],
    });
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
    const broken = new Writable({
      write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    });
    const failures: string[] = [];
    const log = createLogger({
      exitFlush: false,
      onDeliveryError: (f) => failures.push(f.reasons[0]!.error.message),
      transports: [new ConsoleTransport({ stdout: broken })],
    });
    log.info('a');
    log.info('b');
    await log.flush();
    log.info('c');
    await log.flush();
    expect(failures).toEqual(['write EPIPE', 'write EPIPE', 'write EPIPE']);
    expect(log.stats()).toMatchObject({ failed: 3, delivered: 0 });
  });
});
