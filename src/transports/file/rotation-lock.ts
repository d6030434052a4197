import { tryLock } from '../../core/io/pid-lock.js';

/**
 * A rotation holds the lock for moments (a stat, a listing, a link and an unlink): a lock
 * older than this was left by a process that died, even if its pid now names a live one.
 */
const STALE_MS = 30_000;

/**
 * Runs `work` while holding `<path>.rotating`, a lock file naming its owner, so of several
 * processes sharing a log file exactly one rotates it at a time (a lock left by a process
 * that died mid-rotation is taken over, and so is any older than 30 s). Returns whether
 * `work` ran: false when a live process holds the lock (it is rotating the file now; the
 * others notice and reopen), or something that is not a lock file of ours sits there.
 */
export function withRotationLock(path: string, work: () => void): boolean {
  const lock = tryLock(`${path}.rotating`, STALE_MS);
  if (lock === undefined) return false;
  try {
    work();
    return true;
  } finally {
    lock.release();
  }
}
