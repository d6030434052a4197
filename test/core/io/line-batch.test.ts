import { describe, expect, it } from 'vitest';
import { LineBatch } from '../../../src/core/io/line-batch.js';

interface Out {
  chunks: string[];
  lineCounts: number[];
}

function batchOf(maxBytes: number): { batch: LineBatch<number>; out: Out } {
  const out: Out = { chunks: [], lineCounts: [] };
  const batch = new LineBatch<number>((lines, items, chunk) => {
    expect(chunk).toBe(lines.join(''));
    expect(items).toHaveLength(lines.length);
    out.chunks.push(chunk);
    out.lineCounts.push(lines.length);
  }, maxBytes);
  return { batch, out };
}

describe('LineBatch', () => {
  it('bounds what it holds in UTF-8 bytes without measuring each line (3- and 4-byte characters included)', () => {
    const { batch, out } = batchOf(4096);
    const lines = ['€€€€€€€€€€\n', '😀😀😀😀\n', 'plain ascii line\n', `${'é'.repeat(300)}\n`];
    for (let i = 0; i < 2000; i++) batch.push(lines[i % lines.length]!, i);
    batch.flush();
    expect(out.chunks.join('')).toBe(Array.from({ length: 2000 }, (_, i) => lines[i % lines.length]).join(''));
    // Every write but one line's worth stays within the bound.
    for (const chunk of out.chunks) expect(Buffer.byteLength(chunk)).toBeLessThan(4096 + 601);
  });

  it('writes ASCII lines in chunks near the bound, not a third of it', () => {
    const { batch, out } = batchOf(64 * 1024);
    const line = `${'a'.repeat(99)}\n`;
    for (let i = 0; i < 10_000; i++) batch.push(line, i);
    batch.flush();
    expect(out.lineCounts.reduce((a, b) => a + b, 0)).toBe(10_000);
    // 1,000,000 bytes: 16 chunks if each were full; a 3-bytes-per-unit bound alone would make 46.
    expect(out.chunks.length).toBeLessThanOrEqual(19);
  });

  it('with sizes given, flushes at the exact bound and reports the exact bytes held', () => {
    const { batch, out } = batchOf(1000);
    batch.push('é'.repeat(200), 0, 400);
    expect(batch.bytes).toBe(400);
    batch.push('é'.repeat(200), 1, 400);
    expect(out.chunks).toHaveLength(0);
    batch.push('é'.repeat(100), 2, 200);
    expect(out.chunks).toHaveLength(1);
    expect(out.lineCounts).toEqual([3]);
  });
});
