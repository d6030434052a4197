import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carryFate, type Fate, impl, LogRecordImpl, type RecordScope } from '../../../src/core/record/log-record.js';
import { ParkedFates } from '../../../src/core/record/parked-fates.js';
import { runWithStalled } from '../../built.js';

function recordSentTo(sentTo: number): LogRecordImpl {
  const record = new LogRecordImpl(30, 0, 'm', undefined, {} as RecordScope, undefined);
  record.sentTo = sentTo;
  return record;
}

describe('the fates of parked lines', () => {
  it('are kept in line order, one entry per line, and at most `max` at once', () => {
    const fates = new ParkedFates(3);
    const records = [2, 1, 2, 2, 3, 2].map(recordSentTo);
    for (const record of records) fates.push(record);
    expect(fates.length).toBe(6);
    // Lines of records sent to one target have none; past three kept, none either.
    const taken = records.map(() => fates.shift());
    expect(taken.map((fate) => (typeof fate === 'object' ? fate.sentTo : fate))).toEqual([
      2,
      undefined,
      2,
      2,
      undefined,
      undefined,
    ]);
    expect((taken[0] as Fate).failure).toBe(impl(records[0]!).failure);
    // Once taken, room for more.
    fates.push(recordSentTo(2));
    expect((fates.shift() as Fate).sentTo).toBe(2);
  });

  it("keep a record's tag in the router's holds past `max`: a number, no fate", () => {
    const fates = new ParkedFates(1);
    const records = [2, 2, 1].map(recordSentTo);
    records.forEach((record, i) => {
      record.holdTag = 10 + i;
    });
    for (const record of records) fates.push(record);
    const taken = [fates.shift(), fates.shift(), fates.shift()];
    expect((taken[0] as Fate).holdTag).toBe(10);
    expect(taken.slice(1)).toEqual([11, 12]);
    const revived = recordSentTo(0);
    carryFate(revived, taken[1]);
    expect(revived.holdTag).toBe(11);
    expect(revived.sentTo).toBe(0);
  });

  it('keep the heap bounded: 300,000 records of two targets parked through an outage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fates-'));
    const script = `
      class Sink extends Transport { type = 'sink'; handle() { this.settleDelivered(1); } }
      registerTransport('sink', { schema: z.strictObject({}), create: () => new Sink() });
      const spool = { dir: ${JSON.stringify(dir)}, maxBytes: '1GB' };
      const log = createLogger({ exitFlush: false, base: null, router: { strategy: 'any', spool },
        transports: [{ type: 'stalled', maxQueue: { maxRecords: 10 } }, { type: 'sink' }] });
      global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 300000; i++) log.info({ i }, 'parked');
      global.gc(); const after = process.memoryUsage().heapUsed;
      const s = log.stats();
      process.stdout.write(JSON.stringify({ growthMiB: (after - before) / 1048576, spooled: s.targets[0].spooled }));
      process.exit(0);
    `;
    const result = runWithStalled(script, ['--expose-gc']);
    const { growthMiB, spooled } = JSON.parse(result.stdout) as { growthMiB: number; spooled: number };
    expect(spooled).toBeGreaterThan(299_000);
    // A fate for every line took 36 MB here; at most 100,000 of them, about 15.
    expect(growthMiB).toBeLessThan(24);
  }, 150_000);
});
