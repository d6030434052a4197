import { closeSync, constants, lstatSync, lutimesSync, openSync, writeSync } from 'node:fs';
import { readOwnFile, removeQuietly, UnsafeFileError } from './safe-open.js';

// Created exclusively, so never through a symlink; O_NOFOLLOW says so outright.
const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Lock files this process holds: a lock naming our own pid but not in here is left over. */
const heldHere = new Set<string>();

/**
 * A lock file that names its owner: created exclusively and holding the owner's pid, so of
 * several loggers (in one process or many) exactly one holds it; a lock whose owner is dead
 * is taken over, and so is one older than `staleAfterMs` when given (a lock held only for
 * moments, whose pid may since name another process). Returns undefined when a live owner
 * holds it.
 */
export function tryLock(path: string, staleAfterMs?: number): PidLock | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, CREATE, 0o640);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(path, staleAfterMs)) return undefined;
      takeOverStale(path, staleAfterMs);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    heldHere.add(path);
    return new PidLock(path);
  }
  return undefined;
}

/**
 * Removes a stale lock, one process at a time: the remover first takes `<lock>.takeover`
 * (created exclusively, naming its pid) and checks again, under it, that the lock is still
 * stale. A live owner's lock is only ever made by an exclusive create, so it cannot be
 * removed by someone who read the lock before it was replaced. A takeover file whose owner
 * died is cleared the same way (it is only held for a moment).
 */
function takeOverStale(path: string, staleAfterMs: number | undefined): void {
  const mutex = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(mutex, CREATE, 0o640);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !ownerAlive(mutex)) removeQuietly(mutex);
    return; // someone else is taking it over: the caller tries the exclusive create again
  }
  try {
    writeSync(fd, String(process.pid));
    closeSync(fd);
    if (!ownerAlive(path, staleAfterMs)) removeQuietly(path);
  } finally {
    removeQuietly(mutex);
  }
}

export class PidLock {
  /** Why the last keep() failed, for a diagnostic. */
  lostBecause: string | undefined;

  constructor(readonly path: string) {}

  /**
   * Keeps a held lock in place: one removed under us (an age-based temp cleaner, an `rm` of
   * the folder's files) is made again, naming us, before a second logger can take the file
   * it guards; its time is renewed, so such a cleaner sees it in use. False once another
   * owner holds it (made in the moment ours was gone) or it cannot be made.
   */
  keep(): boolean {
    this.lostBecause = this.whyNotKept();
    return this.lostBecause === undefined;
  }

  private whyNotKept(): string | undefined {
    if (!heldHere.has(this.path)) return 'it was released';
    try {
      const fd = openSync(this.path, CREATE, 0o640);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return `it could not be made again: ${code ?? String(error)}`;
    }
    try {
      const owner = readOwnFile(this.path, 32);
      if (owner !== String(process.pid)) return `it names another owner now (pid ${owner || 'not yet written'})`;
      const now = new Date();
      lutimesSync(this.path, now, now);
      return undefined;
    } catch (error) {
      return `it could not be renewed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }

  release(): void {
    if (!heldHere.delete(this.path)) return;
    // Ours only while it names us: one removed under us (a cleaner, an `rm -rf`) may since
    // have been made by another logger, which would lose it to this removal.
    let pid: string;
    try {
      pid = readOwnFile(this.path, 32);
    } catch {
      return;
    }
    if (pid === String(process.pid)) removeQuietly(this.path);
  }
}

/**
 * A lock without a pid is one still being written, for a moment; one that stays so lost its
 * pid (a kill between create and write, a crash before the data reached the disk).
 */
const UNWRITTEN_GRACE_MS = 10_000;

/** Does a live logger (of this process or another) hold the lock at `path`? */
export function lockHeld(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined && ownerAlive(path);
}

/**
 * Is the owner named in the lock file alive? A lock still being written counts as alive, and
 * so does one that is not a file of ours (a symlink, a FIFO, another user's): it was not
 * written by a logger of ours, so it is neither read through nor taken over.
 */
function ownerAlive(path: string, staleAfterMs?: number): boolean {
  let pid: number;
  let age: number;
  try {
    pid = Number(readOwnFile(path, 32));
    age = Date.now() - lstatSync(path).mtimeMs;
  } catch (error) {
    return error instanceof UnsafeFileError;
  }
  if (staleAfterMs !== undefined && age > staleAfterMs) return false;
  // Without a pid for long it never gets one: held for ever, it would strand a spool's records.
  // Either way from now, so a clock set back does not make it young again.
  if (!Number.isInteger(pid) || pid <= 0) return Math.abs(age) < UNWRITTEN_GRACE_MS;
  if (pid === process.pid) return heldHere.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
