import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type OverflowPolicy } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

interface Sample {
  where: string;
  logged: number;
  delivered: number;
  failed: number;
  dropped: number;
  pending: number;
}

function sample(log: Logger, where: string, into: Sample[]): void {
  const { logged, delivered, failed, dropped, pending } = log.stats();
  into.push({ where, logged, delivered, failed, dropped, pending });
}

describe('stats() read from inside an event listener counts nothing as delivered that is not', () => {
  it.each(['drop-newest', 'drop-oldest'] as OverflowPolicy[])(
    '%s: at the drop and backpressureStart events, a stalled target has delivered nothing',
    (overflow) => {
      const stalled = new ControlledTransport({ id: 'stalled', mode: 'stall' });
      const log = createLogger({
        exitFlush: false,
        transports: [{ transport: stalled, overflow, maxQueue: { maxRecords: 4 } }],
      });
      const samples: Sample[] = [];
      log.on('drop', () => sample(log, 'drop', samples));
      log.on('backpressureStart', () => sample(log, 'backpressureStart', samples));
      for (let i = 0; i < 6; i++) log.info(`r${i}`);
      expect(samples.map((s) => s.where)).toEqual(['backpressureStart', 'drop', 'drop']);
      for (const s of samples) {
        expect(s.delivered, s.where).toBe(0);
        expect(s.logged).toBe(s.delivered + s.failed + s.dropped + s.pending);
      }
      expect(samples.map((s) => s.dropped)).toEqual([0, 1, 2]);
    },
  );

  it('at targetUnhealthy, the record whose failure opened the circuit is already counted as failed', async () => {
    const failing = new ControlledTransport({ id: 'failing', mode: 'fail' });
    const log = createLogger({ exitFlush: false, router: { health: { failureThreshold: 1 } }, transports: [failing] });
    const samples: Sample[] = [];
    log.on('targetUnhealthy', () => sample(log, 'targetUnhealthy', samples));
    log.on('deliveryFailed', () => {});
    log.info('refused');
    expect(samples).toEqual([{ where: 'targetUnhealthy', logged: 1, delivered: 0, failed: 1, dropped: 0, pending: 0 }]);
    await log.close();
  });
});
