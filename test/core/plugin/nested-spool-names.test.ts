import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchTransport, BufferedTransport, createLogger, type Logger, type LogRecord } from '../../../src/index.js';

// Two batch transports of one logger, each nested in a wrapper, with a spool in one folder
// and no name of their own: each spool file must stay its own destination's. A file named
// only by the transport's type would have the first target adopt the second one's records
// at the next start, and send them to the wrong destination.

const folders: string[] = [];

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A destination that refuses everything while `down`, else keeps each record's `i`. */
function destination(dir: string): { transport: BatchTransport; received: number[]; down: { now: boolean } } {
  const received: number[] = [];
  const down = { now: true };
  const transport = new BatchTransport(
    (records: readonly LogRecord[]) => {
      if (down.now) throw Object.assign(new Error('down'), { outcomeUnknown: false });
      for (const record of records) received.push(record.view().i as number);
    },
    { batch: { intervalMs: 10 }, retry: { maxAttempts: 1, baseMs: 10, maxMs: 20 }, spool: { dir } },
  );
  return { transport, received, down };
}

async function until(log: Logger, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done(), JSON.stringify(log.stats())).toBe(true);
}

describe('batch transports nested in wrappers, spooling in one folder without names', () => {
  it('each gets its own spool file: the next start sends each record to its own destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-nested-names-'));
    folders.push(dir);
    const start = () => {
      const a = destination(dir);
      const b = destination(dir);
      const log = createLogger({
        exitFlush: false,
        transports: [new BufferedTransport(a.transport), new BufferedTransport(b.transport)],
      });
      return { a, b, log };
    };
    const first = start();
    for (let i = 0; i < 20; i++) first.log.info({ i }, 'for both');
    await until(first.log, () => first.log.stats().pendingDetail.spooled === 20);
    await first.log.close();
    expect(first.log.stats()).toMatchObject({ failed: 0, pending: 20 });

    const next = start();
    next.a.down.now = false;
    next.b.down.now = false;
    await until(next.log, () => next.a.received.length + next.b.received.length >= 40);
    await next.log.close();
    const all = Array.from({ length: 20 }, (_, i) => i);
    expect([...next.a.received].sort((x, y) => x - y)).toEqual(all);
    expect([...next.b.received].sort((x, y) => x - y)).toEqual(all);
  });
});
