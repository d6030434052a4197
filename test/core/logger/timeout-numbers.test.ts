import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';

// From JavaScript, `close(5000)` reads as "close within 5 s": it once meant no timeout at
// all, and against a destination that never answers the promise never settled.
describe('flush and close take a bare number of milliseconds as their timeout', () => {
  function stalled() {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'controlled', mode: 'stall' }] });
    log.info('never answered');
    return { log, target: log.transports[0] as ControlledTransport };
  }

  it('flush(50) resolves false against a stalled destination', async () => {
    const { log, target } = stalled();
    expect(await log.flush(50)).toBe(false);
    target.release();
    expect(await log.close()).toBe(true);
  });

  it('close(50) gives up on a stalled destination and counts what it held', async () => {
    const { log } = stalled();
    expect(await log.close(50)).toBe(false);
    const stats = log.stats();
    expect(stats.logged).toBe(1);
    expect(stats.pendingDetail.abandoned).toBe(1);
  });

  it('a timeout past what a timer holds (Infinity, 2**31 ms and more) or NaN waits, not cut to 1 ms', async () => {
    for (const timeoutMs of [Number.POSITIVE_INFINITY, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.NaN]) {
      const { log, target } = stalled();
      // The destination answers later than a millisecond: by a timer that fires after 1 ms ones.
      setTimeout(() => target.release(), 30);
      expect(await log.flush(timeoutMs), `flush(${timeoutMs})`).toBe(true);
      log.info('answered later too');
      setTimeout(() => target.release(), 30);
      expect(await log.close({ timeoutMs }), `close(${timeoutMs})`).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, failed: 0 });
    }
  });

  it('a bare string of milliseconds (from the environment, in JavaScript) is the timeout too', async () => {
    const { log, target } = stalled();
    expect(await log.flush('50' as unknown as number)).toBe(false);
    expect(await log.close('50' as unknown as number)).toBe(false);
    expect(log.stats().pendingDetail.abandoned).toBe(1);
    target.release();
  });

  it('close(50) while a close() without a timeout waits gives up by then, and both resolve false', async () => {
    const { log, target } = stalled();
    const first = log.close();
    const second = log.close(50);
    expect(await second).toBe(false);
    expect(await first).toBe(false);
    const stats = log.stats();
    expect(stats.logged).toBe(1);
    expect(stats.pendingDetail.abandoned).toBe(1);
    target.release();
  });
});
