import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, Transport } from '../../src/index.js';

/** Delivers each record 50 ms after it gets it. */
class Slow extends Transport {
  override readonly type = 'slow';
  readonly got: number[] = [];
  protected handle(record: LogRecord): void {
    this.got.push((record.fields as { i: number }).i);
    setTimeout(() => this.settleDelivered(), 50);
  }
}

describe('buffered: a record gathered while a batch is out', () => {
  it('goes out once that batch is done, with no flush() to push it', async () => {
    const slow = new Slow();
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'buffered', batch: { maxRecords: 4, intervalMs: 5 }, target: slow }],
    });
    log.info({ i: 0 }, 'out first');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Record 0 is with the target for 50 ms: its interval passes while the batch is out.
    expect(slow.got).toEqual([0]);
    log.info({ i: 1 }, 'gathered meanwhile');
    const deadline = Date.now() + 3000;
    while (log.stats().delivered < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // Before, it waited for a fourth record, a flush or a close, however long that took.
    expect(slow.got).toEqual([0, 1]);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, pending: 0 });
    await log.close();
  });
});
