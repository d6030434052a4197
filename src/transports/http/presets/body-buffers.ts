/**
 * Buffers for request bodies, lent and taken back once the socket is done with a body: on a
 * host where a page of fresh memory costs microseconds to touch the first time, a body of
 * 300 KB written into new memory paid more for its pages than for its bytes.
 */

/**
 * Buffers kept for reuse, and the largest kept: at most 8 MiB held after a burst (a body of
 * a thousand records is about 300 KB; one of a huge record is let go).
 */
const MAX_KEPT = 4;
const MAX_KEPT_BYTES = 2 * 1024 * 1024;

const free: Buffer[] = [];
/** The memory of every buffer lent and not yet taken back. */
const lent = new WeakSet<ArrayBufferLike>();

/** A buffer of at least `size` bytes, of its own memory, to be given back with takeBack. */
export function lendBuffer(size: number): Buffer {
  for (let i = free.length - 1; i >= 0; i--) {
    const buffer = free[i]!;
    if (buffer.length < size) continue;
    free.splice(i, 1);
    lent.add(buffer.buffer);
    return buffer;
  }
  const buffer = Buffer.allocUnsafeSlow(size);
  lent.add(buffer.buffer);
  return buffer;
}

/**
 * Takes back the buffer under a body lendBuffer's buffer was written into (a view of it):
 * nothing may read the body after. A body of any other memory, or one already taken back,
 * is left alone.
 */
export function takeBack(body: Uint8Array): void {
  const memory = body.buffer;
  if (!lent.has(memory)) return;
  lent.delete(memory);
  if (free.length < MAX_KEPT && memory.byteLength <= MAX_KEPT_BYTES) free.push(Buffer.from(memory));
}
