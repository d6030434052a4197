import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, Transport } from '../../../src/index.js';

// Plugins written in JavaScript get no type checks: what they pass to settleDelivered() and
// settleFailed() must not corrupt the counters that log.stats() adds up.

class Settles extends Transport {
  readonly type = 'settles';
  constructor(private readonly settle: (self: Settles, record: LogRecord) => void) {
    super();
  }
  protected handle(record: LogRecord): void {
    this.settle(this, record);
  }
  delivered(count: unknown): void {
    this.settleDelivered(count as number);
  }
  failed(records: unknown, reason: unknown): void {
    this.settleFailed(records as LogRecord[], reason as Error);
  }
}

async function run(settle: (self: Settles, record: LogRecord) => void) {
  const transport = new Settles(settle);
  const log = createLogger({ exitFlush: false, transports: [{ transport }] });
  const diagnostics: string[] = [];
  log.on('diagnostic', (message: string) => diagnostics.push(message));
  const reasons: string[] = [];
  log.on('deliveryFailed', (failure: { reasons: { error: Error }[] }) =>
    reasons.push(...failure.reasons.map((r) => r.error.message)),
  );
  log.info('one');
  log.info('two');
  await log.close({ timeoutMs: 100 });
  return { log: log.stats(), transport: transport.stats(), diagnostics, reasons };
}

describe('a transport that settles with odd arguments', () => {
  it.each([
    ['-3', -3],
    ['0.5', 0.5],
    ['NaN', Number.NaN],
    ['"1"', '1'],
  ])('settleDelivered(%s) is ignored and said, never a negative or fractional count', async (_, count) => {
    const result = await run((self) => self.delivered(count));
    expect(result.transport).toMatchObject({ accepted: 2, delivered: 0, failed: 0, pending: 2 });
    expect(result.log.delivered).toBe(0);
    expect(result.log.pendingDetail.abandoned).toBe(2);
    expect(result.diagnostics.join('\n')).toMatch(/not a count of records; ignored/);
  });

  it('settleDelivered("1") says the string it was given, not NaN', async () => {
    const result = await run((self) => self.delivered('1'));
    // Before: "settled NaN record(s)".
    expect(result.diagnostics.join('\n')).toContain('settled "1" (a string) record(s): not a count of records');
  });

  it('countPossibleDuplicates(-100) is ignored and said: the count never goes below zero', async () => {
    const result = await run((self) => {
      (self as unknown as { countPossibleDuplicates(n: unknown): void }).countPossibleDuplicates(-100);
      self.delivered(1);
    });
    expect(result.transport).toMatchObject({ delivered: 2, possibleDuplicates: 0 });
    expect(result.diagnostics.join('\n')).toContain('counted -100 possible duplicate(s): not a count of records');
  });

  it('a failure given as a plain object says its message, or its code and keys, not [object Object]', async () => {
    let n = 0;
    const result = await run((self, record) =>
      self.failed([record], ++n === 1 ? { message: 'broker said no' } : { code: 'ECONNRESET' }),
    );
    expect(result.reasons).toEqual(['broker said no', 'an object (code "ECONNRESET", keys code)']);
  });

  it('settleFailed(record, reason) with one record, not an array: that record fails', async () => {
    const result = await run((self, record) => self.failed(record, new Error('single')));
    expect(result.transport).toMatchObject({ accepted: 2, delivered: 0, failed: 2, pending: 0 });
    expect(result.log).toMatchObject({ logged: 2, delivered: 0, failed: 2, pending: 0 });
  });

  it('settleFailed([record], "a string"): the record fails with an Error of that message', async () => {
    const result = await run((self, record) => self.failed([record], 'broker said no'));
    expect(result.log).toMatchObject({ logged: 2, failed: 2, pending: 0 });
    expect(result.reasons).toEqual(['broker said no', 'broker said no']);
  });
});

describe('a transport that destroys itself while it holds a record', () => {
  // The record stayed pending for good after close({ timeoutMs }) resolved true, with no word
  // (found by attacking plugins). It is given up now: counted abandoned, said, close false.
  it('close gives it up: counted as abandoned and said, and close resolves false', async () => {
    let n = 0;
    const transport = new Settles((self) => {
      if (++n === 50) self.destroy();
      else self.delivered(1);
    });
    const diagnostics: string[] = [];
    const log = createLogger({
      exitFlush: false,
      diagnostics: (m) => diagnostics.push(m),
      transports: [{ transport }],
    });
    for (let i = 0; i < 100; i++) log.info({ i }, 'rec');
    expect(await log.close({ timeoutMs: 1000 })).toBe(false);
    const stats = log.stats();
    expect(stats).toMatchObject({ logged: 100, delivered: 99, failed: 0 });
    expect(stats.pendingDetail).toEqual({ inMemory: 0, spooled: 0, abandoned: 1 });
    expect(diagnostics.join('\n')).toMatch(/did not settle in time: 0 queued record\(s\) failed, 1 in the trans/);
  });
});
