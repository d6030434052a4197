import { tryLock } from '../../core/io/pid-lock.js';

/**
 * Runs `work` while holding `<path>.rotating`, a lock file naming its owner, so of several
 * processes sharing a log file exactly one rotates it at a time (a lock left by a process
 * that died mid-rotation is taken over). Returns whether `work` ran: false when a live
 * process holds the lock (it is rotating the file now; the others notice and reopen).
 */
export function withRotationLock(path: string, work: () => void): boolean {
  const lock = tryLock(`${path}.rotating`);
  if (lock === undefined) return false;
  try {
    work();
    return true;
  } finally {
    lock.release();
  }
}
