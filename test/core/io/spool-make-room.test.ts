import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../src/core/io/spool.js';

// Beyond maxBytes the oldest lines are dropped: as few as make room, not a read's worth.

function spoolWith(lines: number, length: number): Spool {
  const spool = new Spool(join(mkdtempSync(join(tmpdir(), 'streamlog-spool-room-')), 't.ndjson'));
  for (let i = 0; i < lines; i++)
    spool.append(`${JSON.stringify({ i, pad: 'x'.repeat(length - 20) }).padEnd(length - 1)}\n`);
  return spool;
}

describe('Spool.makeRoom', () => {
  it('drops one 50-byte line to make room for one more at the bound, not the 20 there', () => {
    const spool = spoolWith(20, 50);
    expect(spool.makeRoom(50, 1000, true)).toHaveLength(1);
    expect(spool.count).toBe(19);
    spool.close();
  });

  it('drops two 100 KB lines for a 150 KB record, of ten at a 1 MB bound', () => {
    const spool = spoolWith(10, 100_000);
    const dropped = spool.makeRoom(150_000, 1_000_000, true);
    expect(dropped.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1]);
    expect(spool.count).toBe(8);
    spool.close();
  });
});
