import { describe, expect, it } from 'vitest';
import { Batcher, backoffMs, retryWaitMs } from '../../../src/core/plugin/batcher.js';

describe('Batcher: the batching buffered and http share', () => {
  it('cuts by count, by bytes, and by interval', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxItems: 3, maxBytes: 100, intervalMs: 20 }, (items) => {
      batches.push(items);
      return true;
    });
    for (const n of [1, 2, 3]) batcher.add(n, 1); // by count
    batcher.add(4, 60);
    batcher.add(5, 60); // by bytes
    batcher.add(6, 1);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 60)); // by interval
    expect(batches).toEqual([[1, 2, 3], [4, 5], [6]]);
    batcher.close();
  });

  it('a busy consumer leaves the items gathered; what comes back goes in front, in order', () => {
    let busy = true;
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxItems: 2, maxBytes: 1e9, intervalMs: 1e6 }, (items) => {
      if (busy) return false;
      batches.push(items);
      return true;
    });
    batcher.add('a', 1);
    batcher.add('b', 1); // full, but the consumer is busy
    batcher.add('c', 1);
    expect(batcher.length).toBe(3);
    batcher.putBack(['x', 'y'], 2);
    busy = false;
    batcher.cut();
    expect(batches).toEqual([['x', 'y', 'a', 'b', 'c']]);
    expect(batcher.bytes).toBe(0);
    batcher.close();
  });

  it('backoff doubles per attempt up to the cap; with jitter, anywhere below it', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, 100, 1000, false))).toEqual([100, 200, 400, 800, 1000]);
    for (let i = 0; i < 100; i++) {
      const delay = backoffMs(3, 100, 1000, true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });

  it("a destination's wait is a least wait, spread so a fleet told the same one does not come back in step", () => {
    const waits = Array.from({ length: 200 }, () => retryWaitMs(0, 100, 30_000, 2000));
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(2000);
      // Spread over a tenth of it, at least baseMs: 2000 to 2200.
      expect(wait).toBeLessThan(2200);
    }
    // Before: every client waited exactly 2000 ms (six loggers retried within 8 ms of each other).
    expect(new Set(waits).size).toBeGreaterThan(150);
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(100);
    // Past maxMs: spread below it, never over.
    for (let i = 0; i < 100; i++) {
      const capped = retryWaitMs(0, 100, 8000, 3_600_000);
      expect(capped).toBeLessThanOrEqual(8000);
      expect(capped).toBeGreaterThan(8000 - 800);
    }
    // A wait shorter than the backoff is the backoff.
    for (let i = 0; i < 100; i++) expect(retryWaitMs(5, 100, 30_000, 0)).toBeLessThan(3200);
  });

  it('backoff without a cap stops at the longest wait a Node timer holds (past it, a timer fires at once)', () => {
    const longest = 2 ** 31 - 1;
    expect(backoffMs(40, 100, Number.POSITIVE_INFINITY, false)).toBe(longest);
    expect(backoffMs(2000, 100, Number.POSITIVE_INFINITY, false)).toBe(longest);
    expect(backoffMs(1, 13 * 86_400_000, Number.POSITIVE_INFINITY, true)).toBeLessThanOrEqual(longest);
  });
});
