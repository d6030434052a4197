import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BufferedTransport,
  createLogger,
  Transport,
  type BufferStatus,
  type DeliveryFailure,
  type FlushEvent,
  type LogRecord,
} from '../../src/index.js';
import { ControlledTransport } from '../helpers.js';

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'streamlog-wrap-')), name);
}

/** Fails each named message the first `times` times it arrives; delivers everything else. */
class Flaky extends Transport {
  readonly type = 'flaky';
  readonly delivered: string[] = [];
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly failing: Set<string>,
    private readonly times = 1,
    private readonly async = false,
  ) {
    super();
  }
  protected handle(record: LogRecord): void {
    if (this.async) setImmediate(() => this.settle(record));
    else this.settle(record);
  }
  private settle(record: LogRecord): void {
    const n = (this.seen.get(record.msg!) ?? 0) + 1;
    this.seen.set(record.msg!, n);
    if (this.failing.has(record.msg!) && n <= this.times)
      this.settleFailed([record], new Error(`flaky on ${record.msg}`));
    else {
      this.delivered.push(record.msg!);
      this.settleDelivered(1);
    }
  }
}

describe('buffered transport', () => {
  it("a flush's durationMs is on the monotonic clock: a wall clock set back an hour is no negative time", () => {
    const inner = new ControlledTransport({ mode: 'stall' });
    const buffered = new BufferedTransport(inner, { batch: { maxRecords: 2, intervalMs: 60_000 } });
    const flushes: FlushEvent[] = [];
    buffered.on('flush', (e: FlushEvent) => flushes.push(e));
    const log = createLogger({ exitFlush: false, base: null, transports: [buffered] });
    log.info('one');
    log.info('two');
    expect(inner.held).toHaveLength(2);
    const realNow = Date.now;
    try {
      // Set back while the chunk is out.
      Date.now = () => realNow() - 3_600_000;
      inner.release();
    } finally {
      Date.now = realNow;
    }
    expect(flushes).toHaveLength(1);
    // Before: -3599999.
    expect(flushes[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(flushes[0]!.durationMs).toBeLessThan(60_000);
    void log.close();
  });

  it('hands records on when the buffer fills, with flush events and buffer status', async () => {
    const inner = new ControlledTransport();
    const buffered = new BufferedTransport(inner, { batch: { maxBytes: 1024, intervalMs: 60_000 } });
    const flushes: FlushEvent[] = [];
    buffered.on('flush', (e: FlushEvent) => flushes.push(e));
    const log = createLogger({ exitFlush: false, base: null, transports: [buffered] });
    log.info('small');
    expect(inner.received).toHaveLength(0);
    const status: BufferStatus = buffered.bufferStatus();
    expect(status.bufferedRecords).toBe(1);
    expect(status.utilisation).toBeCloseTo(status.bufferedBytes / 1024);
    for (let i = 0; i < 40; i++) log.info({ i }, 'x'.repeat(20));
    expect(flushes.length).toBeGreaterThanOrEqual(1);
    expect(flushes[0]!.bytes).toBeGreaterThanOrEqual(1024);
    expect(flushes[0]!.failed).toBe(0);
    await buffered.forceFlush();
    expect(inner.received).toHaveLength(41);
    expect(buffered.bufferStatus()).toMatchObject({ bufferedRecords: 0, bufferedBytes: 0, inFlight: 0 });
    expect(buffered.bufferStatus().totalWritten).toBe(flushes.reduce((sum, f) => sum + f.bytes, 0));
    await log.close();
  });

  it('flushes on the interval', async () => {
    const inner = new ControlledTransport();
    const log = createLogger({
      exitFlush: false,
      transports: [new BufferedTransport(inner, { batch: { intervalMs: 20 } })],
    });
    log.info('waits for the timer');
    expect(inner.received).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(inner.messages()).toEqual(['waits for the timer']);
    await log.close();
  });

  it('puts a failed flush back in front, in order, and retries it', async () => {
    const inner = new Flaky(new Set(['m1', 'm3']), 1, true);
    const buffered = new BufferedTransport(inner, {
      batch: { maxBytes: 1_000_000, intervalMs: 60_000 },
      retry: { baseMs: 10 },
    });
    const flushes: FlushEvent[] = [];
    buffered.on('flush', (e: FlushEvent) => flushes.push(e));
    const log = createLogger({ exitFlush: false, transports: [buffered] });
    for (let i = 0; i < 5; i++) log.info(`m${i}`);
    buffered.flushSync();
    expect(buffered.bufferStatus().inFlight).toBe(5);
    log.info('m5'); // arrive while the first chunk is still out
    log.info('m6');
    await new Promise((r) => setImmediate(r));
    expect(inner.delivered).toEqual(['m0', 'm2', 'm4']);
    expect(buffered.bufferStatus()).toMatchObject({ bufferedRecords: 4, retries: 1, failedFlushes: 1 });
    await log.flush();
    expect(inner.delivered).toEqual(['m0', 'm2', 'm4', 'm1', 'm3', 'm5', 'm6']);
    expect(flushes.map((f) => [f.records, f.failed])).toEqual([
      [5, 2],
      [4, 0],
    ]);
    expect(log.stats()).toMatchObject({ failed: 0 });
    expect(buffered.stats()).toMatchObject({ delivered: 7, failed: 0 });
  });

  it.each([
    ['retry.maxAttempts', { retry: { maxAttempts: 3, baseMs: 1 } }],
    ['0.2 names, deprecated', { maxRetries: 2, retryDelayMs: 1 }],
  ] as const)('gives up after retry.maxAttempts (%s) and settles those records as failed', async (_, options) => {
    const inner = new Flaky(new Set(['doomed']), 100);
    const failures: DeliveryFailure[] = [];
    const buffered = new BufferedTransport(inner, options);
    const log = createLogger({
      exitFlush: false,
      onDeliveryError: (f) => failures.push(f),
      transports: [buffered],
    });
    log.info('fine');
    log.info('doomed');
    await log.flush();
    expect(inner.delivered).toEqual(['fine']);
    expect(failures.map((f) => [f.record.msg, f.reasons[0]!.error.message])).toEqual([['doomed', 'flaky on doomed']]);
    expect(buffered.bufferStatus().retries).toBe(2);
  });

  it('works from config around a file, and names nested config errors by path', async () => {
    const path = tempFile('buffered.log');
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'buffered', batch: { maxBytes: '4KB', intervalMs: 50 }, target: { type: 'file', path } }],
    });
    for (let i = 0; i < 500; i++) log.info({ i }, 'through the buffer');
    await log.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(500);
    expect(() => createLogger({ transports: [{ type: 'buffered', target: { type: 'fiel', path } }] })).toThrow(
      /^transports\[0\]\.target\.type: unknown transport "fiel"/,
    );
    // Wrong on purpose: the type says target is required; this checks what JSON config gets.
    expect(() => createLogger({ transports: [{ type: 'buffered' } as never] })).toThrow(
      /^transports\[0\]\.target: expected a "target" transport entry/,
    );
  });
});

describe('buffered transport retrying for weeks', () => {
  it('a backoff past the longest timer waits that long rather than firing at once (no retry storm)', async () => {
    const inner = new Flaky(new Set(['never taken']), Number.POSITIVE_INFINITY);
    // 30 days, from code: past the 24.8 days a Node timer can hold (a config refuses it; code is not checked).
    const day = 86_400_000;
    const buffered = new BufferedTransport(inner, {
      batch: { intervalMs: 1 },
      retry: { baseMs: 30 * day, maxAttempts: 50 },
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const log = createLogger({ exitFlush: false, base: null, transports: [buffered] });
    try {
      log.info('never taken');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // One attempt, then a wait of days: a timer set past its limit would fire after 1 ms, again and again.
      expect(inner.delivered).toEqual([]);
      expect(log.stats()).toMatchObject({ logged: 1, delivered: 0, failed: 0, pending: 1 });
      expect((inner as unknown as { seen: Map<string, number> }).seen.get('never taken')).toBeLessThanOrEqual(2);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
      await log.close({ timeoutMs: 50 });
    }
  });
});
