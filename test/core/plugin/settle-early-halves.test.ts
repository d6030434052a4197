import { describe, expect, it } from 'vitest';
import {
  type BatchInfo,
  type BatchProcessor,
  BatchTransport,
  createLogger,
  type LogRecord,
} from '../../../src/index.js';

// A processor that settles records early (info.settle) inside a batch the transport halved:
// a half or a probe whose records were all settled early still answers for its sibling and for
// the pieces waiting on it, so those are not held for ever.

const idOf = (record: LogRecord) => record.view().i as number;

function run(processor: BatchProcessor, count: number) {
  const transport = new BatchTransport(processor, { id: 'halves', batch: { maxRecords: 100, intervalMs: 10 } });
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [transport],
  });
  for (let i = 0; i < count; i++) log.info({ i }, 'record');
  return { log, transport };
}

function addsUp(log: {
  stats(): { logged: number; delivered: number; failed: number; dropped: number; pending: number };
}) {
  const s = log.stats();
  expect(s.logged).toBe(s.delivered + s.failed + s.dropped + s.pending);
}

describe('BatchTransport: halves and probes settled early', () => {
  it('a bisected half settled whole by info.settle: its sibling refused alike is halved on, not held', async () => {
    const poison = new Error('poison');
    const seen: number[][] = [];
    const { log } = run((records, info: BatchInfo) => {
      const ids = records.map(idOf);
      seen.push(ids);
      if (ids.length === 4) return { kind: 'bisect', reason: poison };
      if (ids.includes(0)) {
        // Each acknowledged on its own, before the answer.
        info.settle([0, 1]);
        return undefined;
      }
      return { kind: 'bisect', reason: poison };
    }, 4);
    expect(await log.flush({ timeoutMs: 3000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 2, failed: 2, pending: 0 });
    expect(seen).toEqual([[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]);
    addsUp(log);
    await log.close({ timeoutMs: 1000 });
  });

  it('a probe of a batch too large settled by info.settle: the pieces waiting on it go on', async () => {
    const tooLarge = Object.assign(new Error('too large'), { status: 413 });
    const { log } = run((records, info: BatchInfo) => {
      // Anything of more than one record is too large; one alone is acknowledged early.
      if (records.length > 1) return { kind: 'split', reason: tooLarge };
      info.settle([0]);
      return { kind: 'split', reason: tooLarge };
    }, 6);
    expect(await log.flush({ timeoutMs: 3000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 6, delivered: 6, failed: 0, pending: 0 });
    addsUp(log);
    await log.close({ timeoutMs: 1000 });
  });
});

describe('BatchTransport: every record settled early, then any answer', () => {
  const answers: [string, (info: BatchInfo) => unknown][] = [
    ['a partial naming them', () => ({ failed: [0, 1], retry: [2, 3] })],
    ['split', () => ({ kind: 'split', reason: new Error('too large') })],
    ['bisect', () => ({ kind: 'bisect', reason: new Error('poison') })],
    ['retry', () => ({ kind: 'retry', reason: new Error('later') })],
    ['fail', () => ({ kind: 'fail', reason: new Error('no') })],
    ['a malformed answer', () => ({ failed: [99] })],
    [
      'a throw',
      () => {
        throw new Error('after settling');
      },
    ],
    ['settle again, out of range, then nothing', (info) => info.settle([0, 4, 5, -1, 1.5])],
  ];
  for (const [what, answer] of answers) {
    it(`${what}: each record settles once, as settled early; none sent again`, async () => {
      let calls = 0;
      const { log } = run(
        ((records: readonly LogRecord[], info: BatchInfo) => {
          calls++;
          info.settle([0, 1, 2]);
          info.settle([3, 4], new Error('refused early'));
          expect(records).toHaveLength(5);
          return answer(info);
        }) as BatchProcessor,
        5,
      );
      expect(await log.flush({ timeoutMs: 3000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 5, delivered: 3, failed: 2, pending: 0 });
      expect(calls).toBe(1);
      addsUp(log);
      await log.close({ timeoutMs: 1000 });
    });
  }
});

describe('BatchTransport: info.settle given something other than a list', () => {
  it('settle(0) settles record 0; settle of no list is a TypeError that says what it expected', async () => {
    const errors: string[] = [];
    const { log } = run((records, info: BatchInfo) => {
      if (records.length === 3) {
        // Before: "indexes is not iterable" failed the whole batch.
        (info.settle as (indexes: unknown) => void)(0);
        for (const odd of [{ index: 1 }, '12']) {
          try {
            (info.settle as (indexes: unknown) => void)(odd);
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
        // An iterator that throws halfway settles none of what it gave before.
        const halfway = function* () {
          yield 1;
          throw new Error('iterator broke');
        };
        try {
          info.settle(halfway() as unknown as number[], new Error('refused'));
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    }, 3);
    await log.flush();
    expect(errors).toEqual([
      "settle(indexes): expected an array of the batch's record indexes, got object",
      "settle(indexes): expected an array of the batch's record indexes, got string",
      'iterator broke',
    ]);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 3, failed: 0, pending: 0 });
    await log.close();
  });
});
