import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

/** Holds every record; settles the one it is told to, by name. */
class ByName extends ControlledTransport {
  settle(msg: string, outcome: 'delivered' | 'failed' = 'delivered'): void {
    const record = this.held.find((one) => one.msg === msg)!;
    this.held.splice(this.held.indexOf(record), 1);
    if (outcome === 'delivered') this.settleDelivered([record]);
    else this.settleFailed([record], new Error('refused'));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('flush() against a plugin that settles by name, out of order', () => {
  // The wait compared counts only: B settled made the count of A's flush, A still pending.
  it('waits for the records logged before it, not for as many records', async () => {
    const target = new ByName({ mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [{ transport: target }] });
    log.info('A');
    let flushed: boolean | undefined;
    void log.flush().then((done) => {
      flushed = done;
    });
    log.info('B');
    target.settle('B');
    await tick();
    expect(log.stats().pending).toBe(1);
    expect(flushed).toBeUndefined();
    target.settle('A', 'failed');
    await tick();
    expect(flushed).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 1, failed: 1, pending: 0 });
    await log.close();
  });

  it('a flush after both resolves at once, and one before B waits only for A', async () => {
    const target = new ByName({ mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [{ transport: target }] });
    log.info('A');
    const forA = log.flush();
    log.info('B');
    const forBoth = log.flush({ timeoutMs: 5_000 });
    target.settle('A');
    expect(await forA).toBe(true);
    expect(log.stats().pending).toBe(1);
    target.settle('B');
    expect(await forBoth).toBe(true);
    expect(await log.flush({ timeoutMs: 1_000 })).toBe(true);
    await log.close();
  });
});
