import { describe, expect, it } from 'vitest';
import {
  type BatchInfo,
  type BatchProcessor,
  BatchTransport,
  type BatchTransportOptions,
  createLogger,
  type Logger,
  type LogRecord,
} from '../../../src/index.js';

// Processors that answer in ways a BatchTransport must not take at their word (F6 of the
// attack on the exit path): a bare Map or array, a thenable that never settles, an edit to
// the array they were given. Every record must end delivered or failed, counted alike by
// the logger and the transport, and a flush must come back.

interface Harness {
  log: Logger;
  transport: BatchTransport;
  itemFailed: { i: number; reason: Error }[];
}

function harness(processor: BatchProcessor, options: BatchTransportOptions = {}): Harness {
  const transport = new BatchTransport(processor, {
    id: 'hostile',
    batch: { maxRecords: 10, intervalMs: 10 },
    retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
    ...options,
  });
  const itemFailed: { i: number; reason: Error }[] = [];
  transport.on('itemFailed', (record: LogRecord, reason: Error) =>
    itemFailed.push({ i: record.view().i as number, reason }),
  );
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [transport],
  });
  return { log, transport, itemFailed };
}

function logMany(log: Logger, count: number): void {
  for (let i = 0; i < count; i++) log.info({ i }, 'record');
}

/** Nothing pending, and the logger's counts are the transport's own. */
function expectSettled(h: Harness, logged: number): { delivered: number; failed: number } {
  const s = h.log.stats();
  const t = h.transport.stats();
  expect({ logged: s.logged, pending: s.pending, dropped: s.dropped }).toEqual({ logged, pending: 0, dropped: 0 });
  expect(s.delivered + s.failed).toBe(logged);
  expect({ accepted: t.accepted, delivered: t.delivered, failed: t.failed, pending: t.pending }).toEqual({
    accepted: logged,
    delivered: s.delivered,
    failed: s.failed,
    pending: 0,
  });
  return { delivered: s.delivered, failed: s.failed };
}

describe('F6: a bare Map or array answer', () => {
  it.each([
    ['a bare Map of one failure', () => new Map([[0, new Error('row 0 refused')]])],
    ['a bare array of indexes', () => [0, 1]],
  ])(
    '%s is refused: the batch fails, its reason says to return { failed }, none counted delivered',
    async (_name, answer) => {
      const h = harness(answer as unknown as BatchProcessor);
      logMany(h.log, 10);
      expect(await h.log.flush({ timeoutMs: 3000 })).toBe(true);
      // Before the fix: read as an answer without `failed`, so all ten counted delivered.
      expect(expectSettled(h, 10)).toEqual({ delivered: 0, failed: 10 });
      expect(h.itemFailed.map((f) => f.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const { reason } of h.itemFailed) expect(reason.message).toContain('return { failed } instead');
      await h.log.close({ timeoutMs: 1000 });
    },
  );
});

describe('F6: a thenable that never settles', () => {
  it('is bounded by timeoutMs like a Promise: each attempt aborted, then the records fail', async () => {
    const signals: AbortSignal[] = [];
    const h = harness(
      ((_records: readonly LogRecord[], info: BatchInfo) => {
        signals.push(info.signal);
        // biome-ignore lint/suspicious/noThenProperty: a thenable (not a Promise) is the point here
        return { then() {} };
      }) as unknown as BatchProcessor,
      { timeoutMs: 100 },
    );
    logMany(h.log, 5);
    // Before the fix: only a real Promise got the deadline; the flush waited out its own timeout.
    expect(await h.log.flush({ timeoutMs: 2000 })).toBe(true);
    expect(signals).toHaveLength(2);
    for (const signal of signals) expect(signal.aborted).toBe(true);
    expect(expectSettled(h, 5)).toEqual({ delivered: 0, failed: 5 });
    expect(h.itemFailed[0]!.reason.message).toMatch(/gave up after 2 attempt\(s\).*no answer within 100 ms/);
    await h.log.close({ timeoutMs: 1000 });
  });
});

describe('a processor that ignores its abort', () => {
  it('is no longer in flight once a close has given up on it: its records are settled', async () => {
    const h = harness((() => new Promise(() => {})) as unknown as BatchProcessor, { timeoutMs: 60_000 });
    logMany(h.log, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.transport.stats().inFlight).toBe(1);
    await h.log.close({ timeoutMs: 100 });
    // Before: 1 for as long as the processor's promise stayed pending (here, for ever).
    expect(h.transport.stats().inFlight).toBe(0);
    expect(expectSettled(h, 3)).toEqual({ delivered: 0, failed: 3 });
  });
});

describe('F6: a processor that edits the array it is given', () => {
  it.each([
    [
      'empties it (records.length = 0)',
      (records: LogRecord[]) => {
        records.length = 0;
      },
    ],
    [
      'pops one',
      (records: LogRecord[]) => {
        records.pop();
      },
    ],
  ])('%s: no record is left unsettled, the flush returns and the counts add up', async (_name, edit) => {
    let calls = 0;
    const h = harness((records) => {
      calls++;
      edit(records as LogRecord[]);
    });
    logMany(h.log, 10);
    // Before the fix: the transport settled only what was left in the edited array; the rest stayed pending.
    expect(await h.log.flush({ timeoutMs: 2000 })).toBe(true);
    expect(calls).toBeGreaterThan(0);
    expectSettled(h, 10);
    await h.log.close({ timeoutMs: 1000 });
  });
});

describe('timeoutMs from code that no timer holds', () => {
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['past 24.8 days', 3_000_000_000],
  ])(
    '%s is no bound: an attempt answered after a pause is delivered, not failed after 1 ms',
    async (_name, timeoutMs) => {
      const overflows: string[] = [];
      const onWarning = (warning: Error): void => {
        if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning.message);
      };
      process.on('warning', onWarning);
      try {
        let calls = 0;
        const h = harness(
          async () => {
            calls++;
            await new Promise((resolve) => setTimeout(resolve, 50));
          },
          { timeoutMs, retry: { maxAttempts: 1 } },
        );
        logMany(h.log, 10);
        // Before the fix: Node cut the attempt's timer to 1 ms; "no answer within Infinity ms", all ten failed.
        expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
        expect(expectSettled(h, 10)).toEqual({ delivered: 10, failed: 0 });
        expect(calls).toBe(1);
        await h.log.close({ timeoutMs: 1000 });
        await new Promise((resolve) => setImmediate(resolve));
        expect(overflows).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
  );
});
