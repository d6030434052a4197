import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAddsUp, lastJson, lineCount, PRINT_AT_EXIT, runChild, tempFolder } from './receiver.js';
import { receiversClosedAfterEach, replayInChild, spoolConfig, spoolFile, type TargetCounts } from './spool-fixture.js';

// spool.maxBytes while the backend stays down: a read of the spool is out (retried), so the
// lines dropped for the bound behind it cannot be committed. They must still be gone: from
// the disk (the bound holds) and from what the next start replays (they were counted dropped).

const receiver = receiversClosedAfterEach();

/** A child logging `count` records at a receiver that is down, ended by close() or process.exit(); its stats. */
async function logWhileDown(url: string, dir: string, count: number, extra: Record<string, unknown>, end = 'close') {
  const child = await runChild(
    `const log = createLogger(${spoolConfig(url, dir, extra)});
     log.on('deliveryFailed', () => {}); // the drops: counted and dead-lettered, not printed
     ${PRINT_AT_EXIT}
     for (let i = 0; i < ${count}; i++) {
       log.info({ i }, 'while the backend is down');
       if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
     }
     await new Promise((r) => setTimeout(r, 300));
     ${end === 'close' ? 'await log.close();' : 'process.exit(0);'}`,
  );
  expect(child.stderr).toBe('');
  return lastJson<TargetCounts>(child.stdout);
}

describe('spool.maxBytes while a replay is out', () => {
  it.each(['close', 'exit'])(
    'records dropped for the bound are not replayed by the next start (%s)',
    async (end) => {
      const down = await receiver('down');
      const dir = tempFolder('spool-bound-replay');
      const file = spoolFile(dir, down.url);
      // Left by an earlier process: read at start and retried while the backend is down.
      writeFileSync(file, '{"level":30,"time":1,"i":-1}\n{"level":30,"time":1,"i":-2}\n');
      const extra = { spool: { dir: join(dir, 'spool'), maxBytes: 1000 }, retry: { baseMs: 20, maxMs: 50 } };
      const first = await logWhileDown(down.url, dir, 200, extra, end);
      expectAddsUp(first);
      expect(first.dropped).toBeGreaterThan(100);
      expect(first.pendingDetail.spooled).toBe(first.pending);
      expect(lineCount(join(dir, 'dead.ndjson'))).toBe(first.dropped);

      await down.close();
      const live = await receiver('ok', down.port);
      const { stats } = await replayInChild(live.url, dir, first.pending + 2);
      expect(stats.targets[0]!.replayed).toBe(first.pending + 2);
      expect(live.received).toHaveLength(first.pending + 2);
      // Each record once: delivered by the next start, or dropped (dead-lettered), never both.
      const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { record: { i: number } }).record.i);
      const all = [...live.received.filter((i) => i >= 0), ...dead].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    },
    60_000,
  );

  it('the spool file stays near its bound, however long the backend is down', async () => {
    const down = await receiver('down');
    const dir = tempFolder('spool-bound-disk');
    const extra = {
      spool: { dir: join(dir, 'spool'), maxBytes: 2000 },
      batch: { intervalMs: 20, maxRecords: 10 },
      retry: { baseMs: 20, maxMs: 50, maxAttempts: 2 },
    };
    const stats = await logWhileDown(down.url, dir, 2000, extra);
    expectAddsUp(stats);
    expect(stats.dropped).toBeGreaterThan(1500);
    // The target's own figures say them as drops too (they said failed, with failed 0 at the top).
    expect(stats.targets[0]).toMatchObject({ dropped: stats.dropped, failed: stats.failed });
    expect(stats.targets[0]!.spoolDropped).toBe(stats.dropped);
    // Unread lines within maxBytes, as much again settled or dropped before a compaction, and one read out.
    expect(statSync(spoolFile(dir, down.url)).size).toBeLessThan(2 * 2000 + 1000);
  }, 60_000);
});
