import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  unlinkSync,
} from 'node:fs';
import { writeFully } from './write-fully.js';

// Windows has no O_NOFOLLOW; there the ownership and file-type checks still hold.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** A file that is there but is not ours to read or write. */
export class UnsafeFileError extends Error {
  readonly code = 'EUNSAFE';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`refusing ${path}: it ${reason}`);
    this.name = 'UnsafeFileError';
  }
}

/**
 * Why a file is not one of ours, or undefined when it is. Spool folders may be shared or
 * writable by others, and we may run as root: a symlink could point at any file (we would
 * ship, truncate or overwrite it), a FIFO or device blocks or never ends, a file of another
 * user was not written by us, and a second hard link could be such a file under our name.
 */
function refusal(stats: Stats): string | undefined {
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (!stats.isFile()) return 'is not a regular file';
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) return `is owned by uid ${stats.uid}, not ${uid}`;
  if (stats.nlink > 1) return 'has other hard links';
  return undefined;
}

/**
 * Opens a file of our own, never through a symlink: `lstat` refuses what is wrong before
 * anything is opened, O_NOFOLLOW refuses a symlink swapped in meanwhile, and the descriptor
 * itself is checked last, so what we read or write is what we checked. O_NONBLOCK: a FIFO
 * planted there fails the check instead of blocking the open. Missing file: ENOENT.
 */
export function openOwnFile(path: string, flags: number, mode = 0o640): number {
  const before = lstatSync(path, { throwIfNoEntry: false });
  const wrong = before && refusal(before);
  if (wrong) throw new UnsafeFileError(path, wrong);
  let fd: number;
  try {
    fd = openSync(path, flags | NOFOLLOW | constants.O_NONBLOCK, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafeFileError(path, 'is a symbolic link');
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    const reason =
      refusal(stats) ??
      (before && (stats.ino !== before.ino || stats.dev !== before.dev) ? 'was replaced while opened' : undefined);
    if (reason) throw new UnsafeFileError(path, reason);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** The first `maxBytes` of a small file of our own (an offset, a pid). */
export function readOwnFile(path: string, maxBytes: number): string {
  const fd = openOwnFile(path, constants.O_RDONLY);
  try {
    const buffer = Buffer.alloc(maxBytes);
    const n = readSync(fd, buffer, 0, maxBytes, 0);
    return buffer.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with a file holding `text`, all at once: written to `<path>.tmp` (created
 * exclusively, so never through a symlink) and renamed over. A crash leaves the old content
 * or the new, never half of one; and rename replaces a symlink at `path` instead of
 * following it. Only the owner of `path` writes it, so a `.tmp` already there is a leftover
 * of a crash (or planted): removed, not written through.
 */
export function replaceFile(path: string, text: string, mode = 0o640): void {
  const temp = `${path}.tmp`;
  const flags = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(temp, flags, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    unlinkSync(temp);
    fd = openSync(temp, flags, mode);
  }
  try {
    writeFully(fd, Buffer.from(text));
  } catch (error) {
    closeSync(fd);
    removeQuietly(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/**
 * fsync where the process may: Node 20's permission model (`--experimental-permission`)
 * refuses it outright, whatever the file, and a spool that needed it took no record there.
 * Refused, the bytes are as safe as the kernel's cache keeps them, as without the flag
 * before the sync.
 */
export function syncIfAllowed(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_ACCESS_DENIED') throw error;
  }
}

/**
 * Makes `path` a new file holding `text`, synced: what stood there is removed first (a
 * symlink is removed, never followed), and the file is created exclusively.
 */
export function writeNewFile(path: string, text: string, mode = 0o640): void {
  removeQuietly(path);
  const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW, mode);
  try {
    writeFully(fd, Buffer.from(text));
    syncIfAllowed(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(path);
    throw error;
  }
  closeSync(fd);
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there: nothing to remove.
  }
}
