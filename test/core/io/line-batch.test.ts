import { describe, expect, it } from 'vitest';
import { LineBatch } from '../../../src/core/io/line-batch.js';

interface Out {
  chunks: string[];
  lineCounts: number[];
}

function batchOf(maxBytes: number): { batch: LineBatch<number>; out: Out } {
  const out: Out = { chunks: [], lineCounts: [] };
  const batch = new LineBatch<number>((lines, items, chunk) => {
    const text = chunk.toString();
    expect(text).toBe(lines.join(''));
    expect(chunk.length).toBe(Buffer.byteLength(text));
    expect(items).toHaveLength(lines.length);
    out.chunks.push(text);
    out.lineCounts.push(lines.length);
    return true;
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

  it('never hands out memory an owner still holds: kept chunks stay intact, a reused one is free', () => {
    const kept: Buffer[] = [];
    const texts: string[] = [];
    let reuse = false;
    const batch = new LineBatch<number>((lines, _items, chunk) => {
      texts.push(lines.join(''));
      if (!reuse) kept.push(chunk);
      return reuse;
    }, 64);
    for (let i = 0; i < 40; i++) batch.push(`line ${i} ${'é'.repeat(i % 7)}\n`, i);
    batch.flush();
    reuse = true;
    for (let i = 0; i < 40; i++) batch.push(`other ${i}\n`, i);
    batch.flush();
    // Chunks an owner kept (an async stream write) were not written over by later batches.
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.map((chunk) => chunk.toString()).join('')).toBe(texts.slice(0, kept.length).join(''));
  });

  it('a line pushed while the owner writes (a listener logging) goes to the next chunk, not into this one', () => {
    const chunks: string[] = [];
    let nested = 0;
    const batch: LineBatch<number> = new LineBatch<number>((_lines, _items, chunk) => {
      const n = ++nested;
      if (n <= 3) for (let i = 0; i < 20; i++) batch.push(`nested ${n}.${i}\n`, i);
      chunks.push(chunk.toString());
      return true;
    }, 100);
    for (let i = 0; i < 30; i++) batch.push(`first ${i}\n`, i);
    while (!batch.empty) batch.flush();
    const all = chunks.join('');
    for (let i = 0; i < 30; i++) expect(all).toContain(`first ${i}\n`);
    for (let n = 1; n <= 3; n++) for (let i = 0; i < 20; i++) expect(all).toContain(`nested ${n}.${i}\n`);
    expect(all.split('\n').length - 1).toBe(90);
  });

  it('lets go of a buffer grown for one huge line instead of keeping it for every later chunk', () => {
    const held: number[] = [];
    const batch = new LineBatch<number>((_lines, _items, chunk) => {
      held.push(chunk.buffer.byteLength);
      return true;
    }, 64 * 1024);
    batch.push(`${'z'.repeat(10 * 1024 * 1024)}\n`, 0);
    expect(held).toHaveLength(1);
    for (let i = 0; i < 100; i++) batch.push(`small ${i}\n`, i);
    batch.flush();
    // The 10 MB line needed a buffer of about 30 MB; the small chunk after it must not sit in that one.
    expect(held[0]).toBeGreaterThan(10 * 1024 * 1024);
    expect(held[1]).toBeLessThanOrEqual(4 * 64 * 1024);
  });
});
