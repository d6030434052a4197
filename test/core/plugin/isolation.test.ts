import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, Transport } from '../../../src/index.js';

describe('misbehaving plugins are contained', () => {
  it('a Writable whose _write throws once fails that record; later records still flow', async () => {
    const seen: string[] = [];
    let thrown = false;
    const flaky = new Writable({
      objectMode: true,
      write(record: LogRecord, _e, cb) {
        if (!thrown && record.msg === 'second') {
          thrown = true;
          throw new Error('plugin bug');
        }
        seen.push(record.msg!);
        cb();
      },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [flaky] });
    for (const msg of ['first', 'second', 'third', 'fourth']) log.info(msg);
    await log.flush({ timeoutMs: 2000 });
    expect(seen).toEqual(['first', 'third', 'fourth']);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 3, failed: 1 });
    expect(log.stats().targets[0]).toMatchObject({ pending: 0, healthy: true });
    expect(diagnostics.some((d) => d.includes('plugin bug'))).toBe(true);
    await log.close();
  });

  it('a transport that settles a record twice never drives pending or queueDepth negative', async () => {
    class Twice extends Transport {
      readonly type = 'twice';
      protected handle(): void {
        this.settleDelivered(1);
        this.settleDelivered(1);
      }
    }
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [new Twice()] });
    for (let i = 0; i < 5; i++) log.info('x');
    await log.flush();
    expect(log.stats().targets[0]).toMatchObject({ accepted: 5, delivered: 5, pending: 0, queueDepth: 0 });
    expect(diagnostics.filter((d) => d.includes('excess is ignored'))).toHaveLength(1);
    await log.close();
  });

  it('a throwing extraStats() never makes log.stats() throw', () => {
    class Broken extends Transport<{ size: number }> {
      readonly type = 'broken';
      protected handle(): void {
        this.settleDelivered(1);
      }
      protected override extraStats(): { size: number } {
        throw new Error('stats bug');
      }
    }
    const log = createLogger({ exitFlush: false, transports: [new Broken()] });
    log.info('x');
    const stats = log.stats();
    expect(stats.targets[0]).toMatchObject({ delivered: 1, statsError: 'Error: stats bug' });
  });

  it('a plugin whose flushSync throws under block overflow loses no record', async () => {
    class Slow extends Transport {
      readonly type = 'slow';
      protected handle(): void {
        setImmediate(() => this.settleDelivered(1));
      }
      override flushSync(): void {
        throw new Error('flushSync bug');
      }
    }
    const log = createLogger({
      exitFlush: false,
      transports: [{ transport: new Slow(), overflow: 'block', maxQueue: { maxRecords: 10 } }],
    });
    for (let i = 0; i < 1000; i++) log.info({ i }, 'x');
    await log.flush();
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 1000, failed: 0 });
    await log.close();
  });
});
