import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchTransport, createLogger } from '../../../src/index.js';

// Records read back from a spool go out in batches within batch.maxBytes, like the ones
// gathered live: a destination with a body limit must not get the whole read at once.

describe('a BatchTransport replaying its spool', () => {
  it('hands the processor batches within batch.maxBytes (as the batcher cuts them), not a whole read', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'streamlog-replay-bytes-')), 'spool');
    mkdirSync(dir);
    const pad = 'p'.repeat(10_000);
    let lines = '';
    for (let i = 0; i < 100; i++) lines += `${JSON.stringify({ level: 30, time: 1, i, pad })}\n`;
    writeFileSync(join(dir, 'db.ndjson'), lines);
    const batches: number[][] = [];
    const transport = new BatchTransport(
      (records) => {
        batches.push(records.map((r) => r.view().i as number));
      },
      { batch: { maxBytes: 50_000, intervalMs: 10 }, spool: { dir, name: 'db' } },
    );
    const log = createLogger({ exitFlush: false, base: null, transports: [transport] });
    const deadline = Date.now() + 10_000;
    while (transport.stats().replayed < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await log.close();
    expect(batches.flat()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Each record's line is about 10 KB: a batch stops at the one that reaches 50 KB.
    expect(Math.max(...batches.map((b) => b.length))).toBe(5);
  });
});
