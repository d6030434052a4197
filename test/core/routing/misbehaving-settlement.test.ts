import type { LogRecord } from '../../../src/index.js';
import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure, type Strategy } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

/**
 * Holds its first record, then fails that same record twice when the second arrives. With a
 * giveUpSync of its own, as a built-in: the base class keeps no records by name (it would
 * ignore the second failure), so the router's own guard is what is tested.
 */
class FailsTwice extends ControlledTransport {
  override giveUpSync(): void {}

  protected override handle(record: LogRecord): void {
    this.received.push(record);
    if (this.received.length === 1) {
      this.held.push(record);
      return;
    }
    this.settleFailed([this.held[0]!], new Error('first'));
    this.settleFailed([this.held[0]!], new Error('again'));
  }
}

describe('a transport that settles one record twice', () => {
  it.each(['any', 'majority'] as Strategy[])(
    '%s over it and a healthy target: its two failures of one record are one target failing',
    async (strategy) => {
      const twice = new FailsTwice({ id: 'twice' });
      const ok = new ControlledTransport({ id: 'ok' });
      const extra = strategy === 'majority' ? [new ControlledTransport({ id: 'ok2' })] : [];
      const log = createLogger({ exitFlush: false, router: { strategy }, transports: [twice, ok, ...extra] });
      const failures: DeliveryFailure[] = [];
      log.on('deliveryFailed', (failure) => failures.push(failure));
      log.info('one');
      log.info('two');
      await log.flush();
      expect(failures).toEqual([]);
      expect(log.stats()).toMatchObject({ logged: 2, failed: 0, delivered: 2, pending: 0 });
      await log.close();
    },
  );
});

describe('a transport that close({ timeoutMs }) gave up on', () => {
  it('settles its records later: those delivered are no longer counted as pending (abandoned)', async () => {
    const stalled = new ControlledTransport({ id: 'stalled', mode: 'stall' });
    const log = createLogger({ exitFlush: false, transports: [stalled] });
    log.info('a');
    log.info('b');
    expect(await log.close({ timeoutMs: 20 })).toBe(false);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 0, pending: 2, pendingDetail: { abandoned: 2 } });
    expect(log.stats().targets[0]).toMatchObject({ abandoned: 2, delivered: 0 });
    stalled.release();
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, pending: 0, pendingDetail: { abandoned: 0 } });
    // The target's own figure too: it said 2 abandoned beside 2 delivered (or failed, at the end).
    expect(log.stats().targets[0]).toMatchObject({ abandoned: 0, delivered: 2 });
  });
});
