import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../src/core/io/spool.js';
import { SpoolReads } from '../../../src/core/io/spool-reads.js';

// A read out for delivery while the bound drops lines behind it: the file is compacted, and
// the read, settled afterwards, still commits exactly its own lines.

const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`;
const ids = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { i: number }).i);

describe('Spool compaction behind a read out for delivery', () => {
  it('keeps the file within about twice its bound and commits the read where its lines went', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'streamlog-spool-compact-')), 't.ndjson');
    const reads = new SpoolReads(new Spool(path));
    const spool = reads.spool;
    for (let i = 0; i < 10; i++) spool.append(line(i));
    // One read settled (the start of the file is committed), the next out.
    const first = reads.take(2);
    reads.settle(first.read, 2);
    const out = reads.take(3);
    expect(ids(out.lines)).toEqual([2, 3, 4]);
    let dropped = 0;
    for (let i = 10; i < 1000; i++) {
      dropped += spool.makeRoom(line(i).length, 1000, reads.outstanding === 0).length;
      spool.append(line(i));
      expect(statSync(path).size).toBeLessThanOrEqual(2 * 1000 + 3 * line(0).length + line(i).length);
    }
    expect(dropped).toBe(995 - spool.count);
    // Settled after the compactions: its lines, and only they, are committed.
    const unread = spool.count;
    const newest = Array.from({ length: unread }, (_, k) => 1000 - unread + k);
    reads.settle(out.read, 3);
    spool.close();

    // The next owner gets the unread lines only: none dropped, none settled.
    const next = new Spool(path);
    expect(next.count).toBe(unread);
    expect(ids(next.read(100))).toEqual(newest);
    next.close();
  });
});
