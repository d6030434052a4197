import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { ControlledTransport } from '../helpers.js';
import { heapGrowthMiB } from './heap-growth.js';

/** Holds every record; settles the oldest on demand. */
class OneByOne extends ControlledTransport {
  settleOldest(): void {
    this.held.shift();
    this.settleDelivered(1);
  }
}

describe('flush({ timeoutMs }) against a destination that settles nothing', () => {
  it('leaves nothing behind once it gives up: 20,000 calls keep a flat heap', () => {
    // A health check flushing with a timeout while the backend is down for hours.
    const growthMiB = heapGrowthMiB(
      `
      const log = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [{ type: 'stalled' }] });
      log.info('never settled');
      async function step() {
        const results = await Promise.all(Array.from({ length: 2000 }, () => log.flush({ timeoutMs: 1 })));
        if (results.some((done) => done !== false)) throw new Error('a flush said it was done');
      }`,
      1,
      10,
    );
    // Each call kept its wait until the record settled: about 2.7 KB, 50 MiB here.
    expect(growthMiB).toBeLessThan(8);
  }, 120_000);

  it('still waits for what was logged before each call, when flushes overlap', async () => {
    const target = new OneByOne({ mode: 'stall' });
    const log = createLogger({ exitFlush: false, transports: [{ transport: target }] });
    log.info('first');
    const first = log.flush();
    log.info('second');
    const second = log.flush({ timeoutMs: 10_000 });
    const late = log.flush({ timeoutMs: 1 });
    const outcomes: string[] = [];
    void first.then((done) => outcomes.push(`first ${done}`));
    void second.then((done) => outcomes.push(`second ${done}`));
    expect(await late).toBe(false);
    // Only the first record settles: the first flush is done, the second still waits.
    target.settleOldest();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcomes).toEqual(['first true']);
    target.release();
    expect(await second).toBe(true);
    expect(await log.flush({ timeoutMs: 1000 })).toBe(true);
    await log.close();
  });
});
