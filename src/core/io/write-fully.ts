import { writeSync } from 'node:fs';

const EAGAIN_WAIT_MS = 1;
/** Given up after this long without a byte taken (a reader that still reads is waited for). */
const EAGAIN_GIVE_UP_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** An error from a write that may have put part of the chunk on disk first. */
export interface PartialWriteError extends NodeJS.ErrnoException {
  bytesWritten: number;
}

/**
 * Blocking write of a whole buffer: loops over partial writes, waits out EAGAIN (a FIFO
 * whose reader is slow) as long as the reader makes progress within a bound, and on failure
 * says how much did get written.
 */
export function writeFully(fd: number, data: Uint8Array): number {
  let offset = 0;
  let waited = 0;
  while (offset < data.length) {
    try {
      const n = writeSync(fd, data, offset, data.length - offset);
      offset += n;
      // The bound is on a reader that stopped, not on a slow one: progress starts the wait over.
      if (n > 0) waited = 0;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && waited < EAGAIN_GIVE_UP_MS) {
        Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS);
        waited += EAGAIN_WAIT_MS;
        continue;
      }
      throw Object.assign(error as Error, { bytesWritten: offset }) as PartialWriteError;
    }
  }
  return data.length;
}

/** The outcome of a blocking write: bytes that reached the descriptor, and the error if not all did. */
export interface WriteOutcome {
  bytes: number;
  error: NodeJS.ErrnoException | undefined;
}

/**
 * writeFully that reports instead of throwing, so callers settle what they wrote outside
 * any `try` (a listener's exception is then never mistaken for an I/O failure).
 */
export function tryWriteFully(fd: number, data: Uint8Array): WriteOutcome {
  try {
    return { bytes: writeFully(fd, data), error: undefined };
  } catch (error) {
    const err =
      error instanceof Error
        ? (error as PartialWriteError)
        : Object.assign(new Error(String(error)), { bytesWritten: 0 });
    return { bytes: err.bytesWritten ?? 0, error: err };
  }
}

/**
 * A full disk is tried again this soon, not after the router's cooldown (30 s by default):
 * space often comes back within seconds (a cleaner, a rotated file pruned).
 */
const NO_SPACE_RETRY_MS = 1_000;
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Marks a full disk's error with when to try again (the router's health reads `retryAfterMs`). */
export function retrySoonOnFullDisk<E extends NodeJS.ErrnoException>(error: E): E {
  if (NO_SPACE.has(error.code ?? '')) Object.assign(error, { retryAfterMs: NO_SPACE_RETRY_MS });
  return error;
}
