import { fstatSync, writeSync } from 'node:fs';
import { monotonicMs } from '../util/monotonic.js';

const EAGAIN_WAIT_MS = 1;
/** Given up after this long without a byte taken (a reader that still reads is waited for). */
const EAGAIN_GIVE_UP_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** An error from a write that may have put part of the chunk on disk first. */
export interface PartialWriteError extends NodeJS.ErrnoException {
  bytesWritten: number;
}

/**
 * The most a pipe writes at once, never mixed with another writer's bytes (POSIX's PIPE_BUF:
 * 4096 on Linux, at least 512 anywhere); a local stream socket queues such a write whole too.
 */
const PIPE_ATOMIC = process.platform === 'linux' ? 4096 : 512;

/**
 * Whether `fd` is a pipe, FIFO or socket, which other writers may share (stdout piped to a
 * collector or a parent, written by each worker thread and by each process of a cluster):
 * lines go to it in writes of whole lines no longer than PIPE_BUF, as a longer write into a
 * full pipe is taken in part, and another writer's lines then came in between, mid-line.
 */
export function isPipe(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket();
  } catch {
    return false;
  }
}

/** Where the next write of `data` from `offset` ends: the whole rest, or whole lines that a pipe writes at once. */
function pieceEnd(data: Uint8Array, offset: number, pipe: boolean): number {
  if (!pipe || data.length - offset <= PIPE_ATOMIC) return data.length;
  const newline = data.subarray(offset, offset + PIPE_ATOMIC).lastIndexOf(10);
  if (newline !== -1) return offset + newline + 1;
  // A line longer than PIPE_BUF goes alone, to its end: the pipe may interleave into it.
  const end = data.indexOf(10, offset);
  return end === -1 ? data.length : end + 1;
}

/**
 * Descriptors whose reader was given up on (EAGAIN_GIVE_UP_MS without a byte taken), by the
 * file they were then (a closed descriptor's number is used again): until it takes a byte,
 * a full pipe there fails at once. Waited out again, each later write held the process for
 * the whole bound, ten seconds in every tick and at the exit, long past a supervisor's stop.
 */
const givenUp = new Map<number, string>();

function identity(fd: number): string | undefined {
  try {
    const stats = fstatSync(fd);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** Was the reader of `fd` given up on, and nothing taken since? */
function stillGivenUp(fd: number): boolean {
  const file = givenUp.get(fd);
  if (file === undefined) return false;
  if (identity(fd) === file) return true;
  givenUp.delete(fd);
  return false;
}

/**
 * Blocking write of a whole buffer: loops over partial writes, waits out EAGAIN (a FIFO
 * whose reader is slow) as long as the reader makes progress within a bound, and on failure
 * says how much did get written. To a pipe (`pipe`), in pieces of whole lines. A reader given
 * up on is not waited for again until it takes something (see `givenUp`).
 */
export function writeFully(fd: number, data: Uint8Array, pipe = false): number {
  let offset = 0;
  let end = 0;
  /** When the reader last took nothing after taking something (undefined: it is taking). */
  let stalledSince: number | undefined;
  while (offset < data.length) {
    if (offset >= end) end = pieceEnd(data, offset, pipe);
    try {
      const n = writeSync(fd, data, offset, end - offset);
      offset += n;
      // The bound is on a reader that stopped, not on a slow one: progress starts the wait over.
      if (n > 0) {
        stalledSince = undefined;
        if (givenUp.size > 0) givenUp.delete(fd);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Timed on the monotonic clock, not by counting waits: on a loaded machine each 1 ms wait
      // takes longer, and the bound stretched with it (10,000 waits took 15 s).
      stalledSince ??= monotonicMs();
      if (code === 'EAGAIN' && monotonicMs() - stalledSince < EAGAIN_GIVE_UP_MS && !stillGivenUp(fd)) {
        Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS);
        continue;
      }
      if (code === 'EAGAIN' && !givenUp.has(fd)) {
        const file = identity(fd);
        if (file !== undefined) givenUp.set(fd, file);
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
export function tryWriteFully(fd: number, data: Uint8Array, pipe = false): WriteOutcome {
  try {
    return { bytes: writeFully(fd, data, pipe), error: undefined };
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
