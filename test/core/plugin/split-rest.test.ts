import { describe, expect, it } from 'vitest';
import { BatchTransport, createLogger, type LogRecord } from '../../../src/index.js';

// A batch refused as too large is halved; when both halves are refused alike, the smallest
// record goes alone first (a probe). The rest of that half waits on the probe's answer. A rest
// of one record was never sent alone: it must be tried alone, not failed as too large.

const idOf = (record: LogRecord) => record.view().i as number;

describe('BatchTransport: split, a probe, and the rest of its half', () => {
  for (const count of [3, 4, 6]) {
    it(`${count} records, each taken alone, any two refused as too large: all delivered`, async () => {
      const tooLarge = Object.assign(new Error('too large'), { status: 413 });
      const taken: number[] = [];
      const transport = new BatchTransport(
        (records) => {
          if (records.length > 1) return { kind: 'split', reason: tooLarge };
          taken.push(idOf(records[0]!));
          return undefined;
        },
        { id: 'rest', batch: { maxRecords: 100, intervalMs: 10 } },
      );
      const log = createLogger({
        exitFlush: false,
        base: null,
        router: { health: { failureThreshold: 1_000_000 } },
        transports: [transport],
      });
      const failed: string[] = [];
      log.on('deliveryFailed', (f: { reasons: { error: Error }[] }) => failed.push(f.reasons[0]!.error.message));
      for (let i = 0; i < count; i++) log.info({ i }, 'record');
      expect(await log.flush({ timeoutMs: 3000 })).toBe(true);
      const s = log.stats();
      expect(s).toMatchObject({ logged: count, delivered: count, failed: 0, pending: 0 });
      expect(s.logged).toBe(s.delivered + s.failed + s.dropped + s.pending);
      expect(taken.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(failed).toEqual([]);
      await log.close({ timeoutMs: 1000 });
    });
  }
});
