import { readSync } from 'node:fs';

/**
 * An open file's bytes, read to its end, or undefined once it holds more than `maxBytes`.
 * Its size is not trusted: a file of /proc or /sys says 0 and reads on (/proc/self/pagemap
 * for gigabytes), so reading whatever it gives took all the memory.
 */
export function readBounded(fd: number, maxBytes: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // Whole chunks: some files refuse a read of a size they do not expect (pagemap, 8 bytes at a time).
    const chunk = Buffer.allocUnsafe(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) return undefined;
  }
}
