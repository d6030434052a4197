import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  type BatchInfo,
  type BatchProcessed,
  type BatchProcessor,
  type BatchStats,
  BatchTransport,
  type BatchTransportOptions,
  createLogger,
  type Logger,
  type LogRecord,
} from '../../../src/index.js';
import { DIST_ESM, requireBuild } from '../../built.js';

/** The `i` a test logged the record with (also for records read back from a spool). */
function idOf(record: LogRecord): number {
  return record.view().i as number;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  log: Logger;
  transport: BatchTransport;
  /** Every `batchProcessed` event, in order. */
  processed: BatchProcessed[];
  /** Every `itemFailed` event: the record's `i` and the reason. */
  itemFailed: { i: number; reason: Error }[];
  /** Problems the logger reported (a processor's mistake must show here, never as a throw). */
  diagnostics: string[];
}

/** A logger whose only target is a BatchTransport around `processor`; records are `log.info({ i })`. */
function harness(processor: BatchProcessor, options: BatchTransportOptions = {}): Harness {
  const transport = new BatchTransport(processor, { id: 'batch', ...options });
  const processed: BatchProcessed[] = [];
  const itemFailed: { i: number; reason: Error }[] = [];
  transport.on('batchProcessed', (event: BatchProcessed) => processed.push(event));
  transport.on('itemFailed', (record: LogRecord, reason: Error) => itemFailed.push({ i: idOf(record), reason }));
  const log = createLogger({
    exitFlush: false,
    base: null,
    // Failures here are the processor's word on single records: they must not open the circuit.
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [transport],
  });
  const diagnostics: string[] = [];
  log.on('diagnostic', (message: string) => diagnostics.push(message));
  return { log, transport, processed, itemFailed, diagnostics };
}

function logMany(log: Logger, ids: number[]): void {
  for (const i of ids) log.info({ i }, 'record');
}

/**
 * The top-level counts add up, and they are the transport's own counts (one target): a
 * logger-level identity alone would hold by construction, so each side is checked too.
 */
function expectBalanced(h: Harness, expected: { logged: number; delivered: number; failed: number; pending?: number }) {
  const s = h.log.stats();
  expect(s.logged).toBe(s.delivered + s.failed + s.dropped + s.pending);
  expect({
    logged: s.logged,
    delivered: s.delivered,
    failed: s.failed,
    dropped: s.dropped,
    pending: s.pending,
  }).toEqual({ pending: 0, ...expected, dropped: 0 });
  const t = h.transport.stats();
  expect({ accepted: t.accepted, delivered: t.delivered, failed: t.failed, pending: t.pending }).toEqual({
    accepted: s.logged,
    delivered: s.delivered,
    failed: s.failed,
    pending: s.pending,
  });
}

describe('BatchTransport: batching', () => {
  it('cuts batches of maxRecords, in order; the rest goes at a flush', async () => {
    const batches: number[][] = [];
    const h = harness(
      (records) => {
        batches.push(records.map(idOf));
      },
      { batch: { maxRecords: 10, intervalMs: 60_000 } },
    );
    logMany(h.log, range(0, 35));
    // Processed once the caller yields, never inside the log call.
    expect(batches).toEqual([]);
    await vi.waitFor(() => expect(batches).toHaveLength(3), { timeout: 2000 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 10]);
    expect(h.log.stats().pending).toBe(5);
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 5]);
    expect(batches.flat()).toEqual(range(0, 35));
    const stats = h.transport.stats();
    expect(stats).toMatchObject({ batches: 4, items: 35, retries: 0, splits: 0, averageBatchSize: 35 / 4 });
    expect(h.processed.map((e) => [e.records, e.attempt, e.outcome])).toEqual([
      [10, 0, 'delivered'],
      [10, 0, 'delivered'],
      [10, 0, 'delivered'],
      [5, 0, 'delivered'],
    ]);
    expectBalanced(h, { logged: 35, delivered: 35, failed: 0 });
    await h.log.close();
  });

  it('cuts a batch intervalMs after its first record, without a flush', async () => {
    const batches: { ids: number[]; at: number }[] = [];
    const h = harness(
      (records) => {
        batches.push({ ids: records.map(idOf), at: Date.now() });
      },
      { batch: { maxRecords: 1000, intervalMs: 150 } },
    );
    const start = Date.now();
    logMany(h.log, range(0, 7));
    await sleep(40);
    expect(batches).toEqual([]);
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 2000, interval: 5 });
    expect(batches[0]!.ids).toEqual(range(0, 7));
    expect(batches[0]!.at - start).toBeGreaterThanOrEqual(140);
    logMany(h.log, range(7, 10));
    await vi.waitFor(() => expect(batches).toHaveLength(2), { timeout: 2000, interval: 5 });
    expect(batches[1]!.ids).toEqual([7, 8, 9]);
    expectBalanced(h, { logged: 10, delivered: 10, failed: 0 });
    await h.log.close();
  });
});

describe('BatchTransport: partial results', () => {
  it('{ failed: [indexes] }: those records fail with itemFailed, the rest are delivered', async () => {
    const stored: number[] = [];
    const h = harness(
      (records) => {
        const failed: number[] = [];
        records.forEach((record, index) => {
          if (idOf(record) % 10 === 0) failed.push(index);
          else stored.push(idOf(record));
        });
        return { failed };
      },
      { batch: { maxRecords: 25, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 100));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    const tenths = range(0, 10).map((k) => k * 10);
    expect(h.itemFailed.map((f) => f.i)).toEqual(tenths);
    for (const { reason } of h.itemFailed) expect(reason.message).toBe('refused by the processor');
    expect(stored).toEqual(range(0, 100).filter((i) => i % 10 !== 0));
    expect(h.processed.map((e) => e.outcome)).toEqual(['partial', 'partial', 'partial', 'partial']);
    expectBalanced(h, { logged: 100, delivered: 90, failed: 10 });
    await h.log.close();
  });

  it('[index, Error] pairs and a Map: each record fails with its own reason', async () => {
    let batch = 0;
    const h = harness(
      (records) => {
        batch++;
        const odd = records.flatMap((r, index): [number, Error][] =>
          idOf(r) % 2 === 1 ? [[index, new Error(`odd ${idOf(r)}`)]] : [],
        );
        return { failed: batch === 1 ? odd : new Map(odd) };
      },
      { batch: { maxRecords: 4, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 8));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(h.itemFailed.map((f) => [f.i, f.reason.message])).toEqual([
      [1, 'odd 1'],
      [3, 'odd 3'],
      [5, 'odd 5'],
      [7, 'odd 7'],
    ]);
    expectBalanced(h, { logged: 8, delivered: 4, failed: 4 });
    await h.log.close();
  });

  it('{ retry: [indexes] }: those records are tried again on a later attempt and delivered', async () => {
    const stored: { i: number; attempt: number }[] = [];
    const h = harness(
      (records, info) => {
        const retry: number[] = [];
        records.forEach((record, index) => {
          if (info.attempt === 0 && idOf(record) % 7 === 3) retry.push(index);
          else stored.push({ i: idOf(record), attempt: info.attempt });
        });
        return { retry };
      },
      { batch: { maxRecords: 20, intervalMs: 10 }, retry: { baseMs: 5, maxMs: 20 } },
    );
    logMany(h.log, range(0, 60));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(stored.map((s) => s.i).sort((a, b) => a - b)).toEqual(range(0, 60));
    // Backoffs are jittered: the three retried batches may come back in any order.
    const retried = stored.filter((s) => s.attempt > 0).sort((a, b) => a.i - b.i);
    expect(retried).toEqual(
      range(0, 60)
        .filter((i) => i % 7 === 3)
        .map((i) => ({ i, attempt: 1 })),
    );
    expect(h.itemFailed).toEqual([]);
    expect(h.transport.stats().retries).toBe(3);
    // One retry attempt per batch, carrying only the records named in `retry`.
    expect(h.processed.filter((e) => e.attempt === 1).map((e) => e.records)).toEqual([3, 3, 3]);
    expectBalanced(h, { logged: 60, delivered: 60, failed: 0 });
    await h.log.close();
  });
});

describe('BatchTransport: throwing processors', () => {
  it('throws twice then succeeds: delivered on attempt 2, two retries counted', async () => {
    const attempts: number[] = [];
    const stored: number[] = [];
    const h = harness(
      async (records, info) => {
        attempts.push(info.attempt);
        if (attempts.length <= 2) throw new Error(`transient ${attempts.length}`);
        stored.push(...records.map(idOf));
      },
      { batch: { maxRecords: 50, intervalMs: 10 }, retry: { maxAttempts: 5, baseMs: 5, maxMs: 20 } },
    );
    logMany(h.log, range(0, 20));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(attempts).toEqual([0, 1, 2]);
    expect(stored).toEqual(range(0, 20));
    expect(h.processed.map((e) => [e.records, e.attempt, e.outcome])).toEqual([
      [20, 0, 'retry'],
      [20, 1, 'retry'],
      [20, 2, 'delivered'],
    ]);
    expect(h.transport.stats()).toMatchObject({ batches: 3, items: 60, retries: 2, averageBatchSize: 20 });
    expect(h.itemFailed).toEqual([]);
    expectBalanced(h, { logged: 20, delivered: 20, failed: 0 });
    await h.log.close();
  });

  it('always throws, maxAttempts 3: the records fail, "gave up after 3 attempt(s)", and flush resolves', async () => {
    let calls = 0;
    const h = harness(
      async () => {
        calls++;
        throw new Error('database is down');
      },
      { batch: { maxRecords: 50, intervalMs: 10 }, retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 } },
    );
    logMany(h.log, range(0, 12));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(calls).toBe(3);
    expect(h.processed.map((e) => [e.attempt, e.outcome])).toEqual([
      [0, 'retry'],
      [1, 'retry'],
      [2, 'retry'],
    ]);
    expect(h.itemFailed.map((f) => f.i)).toEqual(range(0, 12));
    for (const { reason } of h.itemFailed) {
      expect(reason.message).toContain('gave up after 3 attempt(s)');
      expect(reason.message).toContain('database is down');
    }
    expect(h.transport.stats().retries).toBe(2);
    expectBalanced(h, { logged: 12, delivered: 0, failed: 12 });
    expect(await h.log.close({ timeoutMs: 5000 })).toBe(true);
  });

  it('a processor that throws synchronously is retried like one that rejects', async () => {
    let calls = 0;
    const h = harness(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
      },
      { batch: { maxRecords: 50, intervalMs: 10 }, retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 } },
    );
    logMany(h.log, range(0, 5));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(calls).toBe(2);
    expect(h.processed.map((e) => e.outcome)).toEqual(['retry', 'delivered']);
    expectBalanced(h, { logged: 5, delivered: 5, failed: 0 });
    await h.log.close();
  });
});

describe('BatchTransport: concurrency', () => {
  async function peakInFlight(concurrency: number): Promise<{ peak: number; order: number[]; h: Harness }> {
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const h = harness(
      async (records) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        order.push(...records.map(idOf));
        await sleep(50);
        inFlight--;
      },
      { batch: { maxRecords: 5, intervalMs: 10 }, concurrency },
    );
    logMany(h.log, range(0, 30));
    expect(await h.log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(inFlight).toBe(0);
    expectBalanced(h, { logged: 30, delivered: 30, failed: 0 });
    await h.log.close();
    return { peak, order, h };
  }

  it('concurrency 1: never two batches in flight, and batches in order', async () => {
    const { peak, order, h } = await peakInFlight(1);
    expect(peak).toBe(1);
    expect(order).toEqual(range(0, 30));
    expect(h.processed).toHaveLength(6);
    // Six batches of 50 ms one after the other.
    for (const e of h.processed) expect(e.durationMs).toBeGreaterThanOrEqual(45);
  });

  it('concurrency 1 ("batches in order"): a batch waiting out a retry is not overtaken by the next', async () => {
    const delivered: number[] = [];
    let calls = 0;
    const h = harness(
      (records) => {
        if (++calls === 1) throw new Error('transient');
        delivered.push(...records.map(idOf));
      },
      { batch: { maxRecords: 5, intervalMs: 10 }, retry: { baseMs: 20, maxMs: 40 } },
    );
    logMany(h.log, range(0, 15));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(delivered).toEqual(range(0, 15));
    expectBalanced(h, { logged: 15, delivered: 15, failed: 0 });
    await h.log.close();
  });

  it('concurrency 3: up to three batches in flight at once, never more', async () => {
    const { peak, h } = await peakInFlight(3);
    expect(peak).toBe(3);
    expect(h.transport.stats().inFlight).toBe(0);
  });
});

describe('BatchTransport: timeouts', () => {
  it('never answers: each attempt aborted after timeoutMs, maxAttempts of them, then the records fail', async () => {
    const signals: AbortSignal[] = [];
    const h = harness(
      (_records, info: BatchInfo) => {
        signals.push(info.signal);
        return new Promise<undefined>(() => {});
      },
      { batch: { maxRecords: 50, intervalMs: 10 }, timeoutMs: 100, retry: { maxAttempts: 2, baseMs: 5, maxMs: 20 } },
    );
    const start = Date.now();
    logMany(h.log, range(0, 6));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    expect(signals).toHaveLength(2);
    for (const signal of signals) {
      expect(signal.aborted).toBe(true);
      expect(String((signal.reason as Error).message)).toContain('no answer within 100 ms');
    }
    expect(h.itemFailed.map((f) => f.i)).toEqual(range(0, 6));
    expect(h.itemFailed[0]!.reason.message).toMatch(/gave up after 2 attempt\(s\).*no answer within 100 ms/);
    expect(h.processed.map((e) => [e.attempt, e.outcome])).toEqual([
      [0, 'retry'],
      [1, 'retry'],
    ]);
    expectBalanced(h, { logged: 6, delivered: 0, failed: 6 });
    expect(await h.log.close({ timeoutMs: 5000 })).toBe(true);
  });
});

describe('BatchTransport: records settled early (info.settle)', () => {
  it('settled before the answer, counted once; the answer and a retry concern only the rest', async () => {
    const seen: number[][] = [];
    let late: BatchInfo | undefined;
    const h = harness(
      (records, info: BatchInfo) => {
        seen.push(records.map(idOf));
        if (info.attempt > 0) return undefined;
        late = info;
        info.settle([0, 1]);
        info.settle([2], new Error('refused alone'));
        // Again, and out of range: no effect.
        info.settle([0, 2, 7, -1]);
        // The answer still speaks of the whole batch: 0-2 are no longer its concern.
        return {
          failed: [[4, new Error('refused in the answer')] as const, [0, new Error('x')] as const],
          retry: [3, 1],
          reason: new Error('the session ended'),
          outcomeUnknown: true,
        };
      },
      { batch: { maxRecords: 50, intervalMs: 10 }, retry: { baseMs: 5, maxMs: 10 } },
    );
    logMany(h.log, range(0, 5));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    late!.settle([3, 4]);
    expect(seen).toEqual([range(0, 5), [3]]);
    expect(h.itemFailed.map((f) => [f.i, f.reason.message])).toEqual([
      [2, 'refused alone'],
      [4, 'refused in the answer'],
    ]);
    expectBalanced(h, { logged: 5, delivered: 3, failed: 2 });
    // Record 3 was sent and not answered: its delivery on the retry may be a second copy.
    expect(h.transport.stats().possibleDuplicates).toBe(1);
    expect(await h.log.close({ timeoutMs: 5000 })).toBe(true);
  });

  it('a give-up during the attempt (an exit) fails only what was not settled', async () => {
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const h = harness(
      (_records, info: BatchInfo) => {
        info.settle([0, 1]);
        started();
        return new Promise<undefined>(() => {});
      },
      { batch: { maxRecords: 50, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 5));
    await running;
    h.transport.giveUpSync(new Error('the process is exiting'));
    expect(h.itemFailed.map((f) => [f.i, f.reason.message])).toEqual(
      range(2, 5).map((i) => [i, 'the process is exiting']),
    );
    expectBalanced(h, { logged: 5, delivered: 2, failed: 3 });
    await h.log.close({ timeoutMs: 1000 });
  });

  it('a give-up fails what it holds in the order it was logged: the batch in flight before those waiting', async () => {
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const h = harness(
      () => {
        started();
        return new Promise<undefined>(() => {});
      },
      { batch: { maxRecords: 3, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 3));
    await running;
    // Batch [0, 1, 2] is in flight; [3, 4, 5] and [6, 7, 8] wait behind it, and 9 is not yet a batch.
    logMany(h.log, range(3, 10));
    await new Promise((resolve) => setTimeout(resolve, 30));
    h.transport.giveUpSync(new Error('the process is exiting'));
    expect(h.itemFailed.map((f) => f.i)).toEqual(range(0, 10));
    expectBalanced(h, { logged: 10, delivered: 0, failed: 10 });
    await h.log.close({ timeoutMs: 1000 });
  });
});

describe('BatchTransport: verdicts', () => {
  it("{ kind: 'bisect' } for a batch holding a poison record: only that record fails", async () => {
    const stored: number[] = [];
    const poison = new Error('poison record');
    const h = harness(
      (records) => {
        if (records.some((r) => idOf(r) === 13)) return { kind: 'bisect', reason: poison };
        stored.push(...records.map(idOf));
      },
      { batch: { maxRecords: 32, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 32));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(stored.sort((a, b) => a - b)).toEqual(range(0, 32).filter((i) => i !== 13));
    expect(h.itemFailed).toEqual([{ i: 13, reason: poison }]);
    // 32 → 16 → 8 → 4 → 2 → 1: five halvings on the poison's side.
    expect(h.transport.stats()).toMatchObject({ splits: 5, batches: 11 });
    expectBalanced(h, { logged: 32, delivered: 31, failed: 1 });
    await h.log.close();
  });

  it("{ kind: 'bisect' } without a reason (JavaScript callers): the poison record fails all the same", async () => {
    const stored: number[] = [];
    const h = harness(
      // The type asks for a reason; an .mjs processor is not checked.
      ((records: readonly LogRecord[]) => {
        if (records.some((r) => idOf(r) === 2)) return { kind: 'bisect' };
        stored.push(...records.map(idOf));
      }) as unknown as BatchProcessor,
      { batch: { maxRecords: 8, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 8));
    expect(await h.log.flush({ timeoutMs: 3000 })).toBe(true);
    expect(stored.sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 5, 6, 7]);
    expect(h.itemFailed.map((f) => f.i)).toEqual([2]);
    // The record the processor refused is failed at the top level too, not counted delivered.
    expectBalanced(h, { logged: 8, delivered: 7, failed: 1 });
    expect(h.diagnostics.filter((d) => d.includes('threw'))).toEqual([]);
    expect(h.itemFailed[0]!.reason).toBeInstanceOf(Error);
    await h.log.close({ timeoutMs: 3000 });
  });

  it("{ kind: 'fail', reason }: every record of the batch fails with that reason", async () => {
    const h = harness(() => ({ kind: 'fail', reason: new Error('schema rejected') }), {
      batch: { maxRecords: 10, intervalMs: 10 },
    });
    logMany(h.log, range(0, 4));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(h.itemFailed.map((f) => [f.i, f.reason.message])).toEqual(range(0, 4).map((i) => [i, 'schema rejected']));
    expectBalanced(h, { logged: 4, delivered: 0, failed: 4 });
    await h.log.close();
  });
});

describe('BatchTransport: malformed answers', () => {
  it('{ failed: [999] } for a batch of 10: the batch fails, the reason names it, nothing is thrown', async () => {
    const h = harness(() => ({ failed: [999] }), { batch: { maxRecords: 10, intervalMs: 10 } });
    expect(() => logMany(h.log, range(0, 10))).not.toThrow();
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(h.itemFailed.map((f) => f.i)).toEqual(range(0, 10));
    for (const { reason } of h.itemFailed) {
      expect(reason.message).toContain('not usable');
      expect(reason.message).toContain('999');
      expect(reason.message).toContain('batch of 10');
    }
    expect(h.processed.map((e) => e.outcome)).toEqual(['fail']);
    expectBalanced(h, { logged: 10, delivered: 0, failed: 10 });
    expect(await h.log.close({ timeoutMs: 5000 })).toBe(true);
  });

  it('{ retry: [-1] } and a string answer fail their batches, saying why', async () => {
    let call = 0;
    const h = harness(
      (() => {
        call++;
        return call === 1 ? { retry: [-1] } : 'ok';
      }) as unknown as BatchProcessor,
      { batch: { maxRecords: 2, intervalMs: 10 } },
    );
    logMany(h.log, range(0, 4));
    expect(await h.log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(h.itemFailed.map((f) => [f.i, f.reason.message])).toEqual([
      [0, expect.stringContaining('named record -1 of a batch of 2')],
      [1, expect.stringContaining('named record -1 of a batch of 2')],
      [2, expect.stringContaining('returned a string')],
      [3, expect.stringContaining('returned a string')],
    ]);
    expectBalanced(h, { logged: 4, delivered: 0, failed: 4 });
    await h.log.close();
  });

  /**
   * Answers that look like verdicts but are not ones run in a child process: if one escapes
   * as an unhandled rejection (which ends the process) or leaves the batch unsettled, the
   * child shows it, and this run is not disturbed.
   */
  function runAnswer(answer: string): { status: number | null; stderr: string; result: Record<string, unknown> } {
    requireBuild();
    const script = `
      import { BatchTransport, createLogger } from ${JSON.stringify(DIST_ESM)};
      const reasons = [];
      const diagnostics = [];
      const transport = new BatchTransport(() => (${answer}),
        { batch: { maxRecords: 4, intervalMs: 10 }, retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 } });
      transport.on('itemFailed', (record, reason) =>
        reasons.push(reason instanceof Error ? reason.message : 'not an Error: ' + String(reason)));
      const log = createLogger({ exitFlush: false, base: null, transports: [transport] });
      log.on('diagnostic', (message) => diagnostics.push(message));
      for (let i = 0; i < 4; i++) log.info({ i }, 'record');
      const flushed = await log.flush({ timeoutMs: 2000 });
      const s = log.stats();
      const t = transport.stats();
      process.stdout.write(JSON.stringify({ flushed, reasons, diagnostics, logged: s.logged, delivered: s.delivered,
        failed: s.failed, pending: s.pending, transportDelivered: t.delivered, transportFailed: t.failed }));
      await log.close({ timeoutMs: 1000 });
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    let result: Record<string, unknown> = {};
    try {
      result = JSON.parse(child.stdout) as Record<string, unknown>;
    } catch {
      // Asserted by the caller: stdout must be the JSON line.
    }
    return { status: child.status, stderr: child.stderr, result };
  }

  it.each([
    ['{ failed: [999] }', 'the malformed short form, for comparison'],
    ["{ kind: 'nonsense' }", 'an unknown kind'],
    ["{ kind: 'partial', failed: [0], retry: [] }", 'a partial verdict whose failed is an array, not a Map'],
    ["{ kind: 'retry' }", 'a retry verdict without a reason'],
    ["{ kind: 'fail' }", 'a fail verdict without a reason'],
  ])('%s (%s): the batch settles, counted alike by logger and transport, nothing escapes', (answer) => {
    const { status, stderr, result } = runAnswer(answer);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(result).toMatchObject({ flushed: true, logged: 4, pending: 0 });
    expect((result.diagnostics as string[]).filter((d) => d.includes('threw'))).toEqual([]);
    const r = result as { delivered: number; failed: number; transportDelivered: number; transportFailed: number };
    expect(r.delivered + r.failed).toBe(4);
    expect(r.failed).toBeGreaterThan(0);
    // A refused record is failed at the top level too, never counted as delivered there.
    expect({ delivered: r.transportDelivered, failed: r.transportFailed }).toEqual({
      delivered: r.delivered,
      failed: r.failed,
    });
    for (const reason of result.reasons as string[]) expect(reason).not.toMatch(/^not an Error|undefined/);
  });
});

describe('BatchTransport: a script that awaits close()', () => {
  /**
   * A script whose processor fails once: the retry waits out a backoff on a timer that does
   * not hold the process alive. Someone awaiting close() (or flush()) is waiting for it, so
   * the process must live until the retry has run and the promise resolved.
   */
  it.each([
    ['close', 'exitFlush: false'],
    ['close', 'the exit hooks'],
    ['flush', 'exitFlush: false'],
    ['flush', 'the exit hooks'],
  ])(
    'await log.%s() with %s after a transient failure: the retry runs, it resolves, the process exits 0',
    (call, hooks) => {
      requireBuild();
      const option = hooks === 'exitFlush: false' ? 'exitFlush: false,' : '';
      const script = `
      import { BatchTransport, createLogger } from ${JSON.stringify(DIST_ESM)};
      let calls = 0;
      const failed = [];
      const transport = new BatchTransport(async () => { if (++calls === 1) throw new Error('transient'); },
        { batch: { maxRecords: 10, intervalMs: 10 }, retry: { baseMs: 50, maxMs: 100 } });
      transport.on('itemFailed', (record, reason) => failed.push(reason.message));
      const log = createLogger({ ${option} base: null, transports: [transport] });
      for (let i = 0; i < 5; i++) log.info({ i }, 'record');
      // No timeoutMs: its timer would hold the process alive by itself and hide the point.
      const answer = await log.${call}();
      const s = log.stats();
      process.stdout.write(JSON.stringify({ answer, calls, failed, delivered: s.delivered, pending: s.pending }));
      await log.close();
    `;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(child.stderr).toBe('');
      expect({ status: child.status, stdout: child.stdout }).toEqual({
        status: 0,
        stdout: JSON.stringify({ answer: true, calls: 2, failed: [], delivered: 5, pending: 0 }),
      });
    },
  );
});

describe('BatchTransport: the spool', () => {
  it('always throws: close parks every record; the next logger delivers them, the file goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-batch-spool-'));
    const spool = { dir, name: 'orders' };
    const down = harness(
      async () => {
        throw new Error('warehouse offline');
      },
      { spool, batch: { maxRecords: 10, intervalMs: 10 }, retry: { maxAttempts: 1000, baseMs: 5, maxMs: 20 } },
    );
    logMany(down.log, range(0, 25));
    // Let it fail a few attempts first, so close meets batches waiting out a backoff.
    await vi.waitFor(() => expect(down.transport.stats().retries).toBeGreaterThanOrEqual(3), { timeout: 3000 });
    const start = Date.now();
    const closed = await Promise.race([down.log.close(), sleep(4000).then(() => 'hung' as const)]);
    expect(closed).toBe(true);
    expect(Date.now() - start).toBeLessThan(4000);
    const s = down.log.stats();
    expect(s.pendingDetail.spooled).toBe(25);
    expect(s).toMatchObject({ logged: 25, failed: 0, dropped: 0, pending: 25, delivered: 0 });
    expect(s.logged).toBe(s.delivered + s.failed + s.dropped + s.pending);
    expect(down.itemFailed).toEqual([]);
    expect(down.transport.stats()).toMatchObject({ spooledForLater: 25, failed: 0, parked: 25 });
    expect(readdirSync(dir)).toContain('orders.ndjson');

    const stored: number[] = [];
    const replays: boolean[] = [];
    const up = harness(
      (records, info) => {
        replays.push(info.replay);
        stored.push(...records.map(idOf));
      },
      { spool, batch: { maxRecords: 10, intervalMs: 10 } },
    );
    await vi.waitFor(() => expect(stored).toHaveLength(25), { timeout: 5000 });
    expect(stored.sort((a, b) => a - b)).toEqual(range(0, 25));
    expect(replays.every(Boolean)).toBe(true);
    expect(await up.log.close({ timeoutMs: 5000 })).toBe(true);
    const target = up.log.stats().targets[0] as unknown as BatchStats;
    expect(target).toMatchObject({ replayed: 25, replayFailed: 0 });
    // Not this logger's records: nothing of its own was logged, and nothing is left pending.
    expect(up.log.stats()).toMatchObject({ logged: 0, pending: 0, failed: 0 });
    expect(readdirSync(dir).filter((f) => f.startsWith('orders'))).toEqual([]);
  });

  it('the same across processes: one that exits with the destination down, one that delivers', () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-batch-spool-'));
    const run = (body: string) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { BatchTransport, createLogger } from ${JSON.stringify(DIST_ESM)};
           const spool = { dir: ${JSON.stringify(dir)}, name: 'orders' };
           ${body}`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
    const first = run(`
      const transport = new BatchTransport(async () => { throw new Error('down'); },
        { spool, batch: { maxRecords: 10, intervalMs: 10 }, retry: { maxAttempts: 1000, baseMs: 5, maxMs: 20 } });
      const log = createLogger({ exitFlush: false, base: null, transports: [transport] });
      for (let i = 0; i < 40; i++) log.info({ i }, 'record');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await log.close();
      const s = log.stats();
      process.stdout.write(JSON.stringify({ spooled: s.pendingDetail.spooled, failed: s.failed }));`);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ spooled: 40, failed: 0 });
    const second = run(`
      const ids = [];
      const transport = new BatchTransport((records) => { for (const r of records) ids.push(r.view().i); },
        { spool, batch: { maxRecords: 10, intervalMs: 10 } });
      const log = createLogger({ exitFlush: false, base: null, transports: [transport] });
      log.info({ i: 40 }, 'after the restart');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await log.close();
      const s = log.stats();
      process.stdout.write(JSON.stringify({ ids, replayed: s.targets[0].replayed, delivered: s.delivered }));`);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    const result = JSON.parse(second.stdout) as { ids: number[]; replayed: number; delivered: number };
    expect([...result.ids].sort((a, b) => a - b)).toEqual(range(0, 41));
    expect(result).toMatchObject({ replayed: 40, delivered: 1 });
    expect(readdirSync(dir).filter((f) => f.startsWith('orders'))).toEqual([]);
  });
});
