import { closeSync, constants, fstatSync, lstatSync, openSync, unlinkSync } from 'node:fs';

// Created exclusively, so never through a symlink.
const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The file system's time now (ms), as it stamps a file made beside `path`: the clock that
 * stamped `path` itself. A process's own clock may differ from it (a share whose server's
 * clock is off, a process run under a faked time), and an age measured across the two had
 * every live rotation lock and compressor's temporary file look left over, so several
 * processes rotated one file at once (lines lost and written twice, `.gz` files cut short).
 * The process's clock when no file can be made there.
 */
export function fileSystemNow(path: string): number {
  const probe = `${path}.clock-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let fd: number;
  try {
    fd = openSync(probe, CREATE, 0o600);
  } catch {
    return Date.now();
  }
  try {
    return fstatSync(fd).mtimeMs;
  } catch {
    return Date.now();
  } finally {
    closeSync(fd);
    try {
      unlinkSync(probe);
    } catch {
      // gone already (a cleaner): nothing to undo
    }
  }
}

/** How long ago `path` was last written (ms), by the file system's clock; negative if after now. */
export function fileAgeMs(path: string): number {
  const written = lstatSync(path).mtimeMs;
  return fileSystemNow(path) - written;
}
