import { closeSync, constants, openSync, readSync } from 'node:fs';
import { removeQuietly, syncIfAllowed } from './safe-open.js';
import { writeFully } from './write-fully.js';

const CHUNK = 64 * 1024;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** Byte ranges `[start, end)` of a file. */
export type Ranges = readonly (readonly [number, number])[];

/**
 * Writes the `keep` ranges of the file open at `fd`, in order, to a new file at `to`
 * (created exclusively, never through a symlink; a leftover there is removed first), synced
 * before it returns. Throws, leaving nothing at `to`, when it cannot.
 */
export function copyRanges(fd: number, keep: Ranges, to: string): void {
  removeQuietly(to);
  const out = openSync(to, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW, 0o640);
  let copied = false;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (const [start, end] of keep) {
      for (let at = start; at < end; ) {
        const n = readSync(fd, buffer, 0, Math.min(CHUNK, end - at), at);
        if (n === 0) throw new Error('the spool file ended early');
        writeFully(out, buffer.subarray(0, n));
        at += n;
      }
    }
    syncIfAllowed(out);
    copied = true;
  } finally {
    closeSync(out);
    if (!copied) removeQuietly(to);
  }
}

/** Where a position of the old file is in the copy of its `keep` ranges (a position inside one, or at its end). */
export function positionIn(keep: Ranges, position: number): number {
  let before = 0;
  for (const [start, end] of keep) {
    if (position <= end) return before + Math.max(0, position - start);
    before += end - start;
  }
  return before;
}
