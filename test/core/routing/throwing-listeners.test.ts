import { describe, expect, it } from 'vitest';
import { createLogger, type DeliveryFailure } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

/** Records uncaught exceptions for the duration of `run` (vitest would report them as errors). */
async function uncaughtDuring(run: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    caught.push(error);
  };
  process.on('uncaughtException', onUncaught);
  try {
    await run();
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  return caught;
}

const ticks = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('a listener that throws', () => {
  it('deliveryFailed: every failed record is still reported, the throw is diagnosed, nothing escapes', async () => {
    const failing = new ControlledTransport({ id: 'failing', mode: 'fail' });
    const log = createLogger({
      exitFlush: false,
      router: { health: { failureThreshold: 100 } },
      transports: [failing],
    });
    const heard: DeliveryFailure[] = [];
    const diagnostics: string[] = [];
    log.on('diagnostic', (message) => diagnostics.push(message));
    log.on('deliveryFailed', (failure) => {
      heard.push(failure);
      throw new Error('listener bug');
    });
    const uncaught = await uncaughtDuring(async () => {
      log.info('one');
      log.info('two');
      await ticks(3);
    });
    expect(uncaught).toEqual([]);
    expect(heard.map((f) => f.record.msg)).toEqual(['one', 'two']);
    expect(diagnostics.filter((m) => m.includes('deliveryFailed listener threw: Error: listener bug'))).toHaveLength(2);
    expect(log.stats()).toMatchObject({ logged: 2, failed: 2, delivered: 0, pending: 0 });
    await log.close();
  });

  it('drop: the log call does not throw and the record that had to wait is kept', async () => {
    const stalled = new ControlledTransport({ id: 'stalled', mode: 'stall' });
    const log = createLogger({
      exitFlush: false,
      transports: [{ transport: stalled, overflow: 'drop-oldest', maxQueue: { maxRecords: 2 } }],
    });
    log.on('drop', () => {
      throw new Error('listener bug');
    });
    log.on('backpressureStart', () => {
      throw new Error('listener bug');
    });
    for (let i = 0; i < 4; i++) expect(() => log.info(`r${i}`)).not.toThrow();
    stalled.mode = 'ok';
    stalled.release();
    await log.flush();
    expect(stalled.messages()).toEqual(['r0', 'r3', 'dropped 2 record(s) for stalled while its queue was full']);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 3, dropped: 2, pending: 0 });
    await log.close();
  });
});

describe("log.once('diagnostic') (found attacking the listeners heard one by one)", () => {
  it('hears one diagnostic and is taken off', async () => {
    const failing = new ControlledTransport({ id: 'failing', mode: 'fail' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [failing] });
    const heard: string[] = [];
    log.once('diagnostic', (message) => heard.push(message));
    for (let i = 0; i < 4; i++) {
      log.info({ i }, 'fails');
      await ticks(3);
    }
    expect(heard).toHaveLength(1);
    expect(log.listenerCount('diagnostic')).toBe(0);
    await log.close();
  });
});
