import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

// Small deterministic cases of what test/core/routing/accounting-fuzz.test.ts found.

describe('what the accounting fuzz found', () => {
  it('under all, records failed at one target and held by another: pendingDetail sums to pending', async () => {
    const refuses = new ControlledTransport({ id: 'refuses', mode: 'fail' });
    const stalls = new ControlledTransport({ id: 'stalls', mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [refuses, stalls] });
    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    const during = log.stats();
    // Each record failed under `all` at once; the stalled target still holds them, but they are not pending.
    expect(during).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    expect(during.pendingDetail).toEqual({ inMemory: 0, spooled: 0, abandoned: 0 });
    expect(await log.close({ timeoutMs: 50 })).toBe(false);
    const after = log.stats();
    expect(after).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    expect(after.pendingDetail).toEqual({ inMemory: 0, spooled: 0, abandoned: 0 });
  });
});

describe('a record logged by a listener while failures are reported', () => {
  it('is pending, not delivered, until it is routed: stats() read right after logging it', async () => {
    const refuses = new ControlledTransport({ id: 'refuses', mode: 'fail' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [refuses] });
    let inside: ReturnType<typeof log.stats> | undefined;
    log.on('deliveryFailed', ({ record }) => {
      if (record.msg !== 'first') return;
      log.warn('the first record failed');
      inside = log.stats();
    });
    log.info('first');
    await new Promise((resolve) => setImmediate(resolve));
    // The listener's record waits its turn; it has reached no target yet.
    expect(inside).toMatchObject({ logged: 2, delivered: 0, failed: 1, pending: 1 });
    expect(inside?.pendingDetail.inMemory).toBe(1);
    await log.flush();
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 0, failed: 2, pending: 0 });
    await log.close();
  });
});

describe('a Writable handed to the logger that calls back twice for one write', () => {
  it('does not settle the next record, which it never wrote, as delivered', async () => {
    const written: string[] = [];
    const stream = new Writable({
      objectMode: true,
      write(record: LogRecord, _encoding, callback) {
        if (record.msg === 'second') return; // its callback never comes
        written.push(String(record.msg));
        callback();
        setTimeout(() => callback(), 1); // once more, a little later
      },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [stream] });
    log.info('first');
    log.info('second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual(['first']);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 1, pending: 1 });
    expect(diagnostics.some((m) => m.includes('called back twice'))).toBe(true);
    await log.close({ timeoutMs: 20 });
  });
});
