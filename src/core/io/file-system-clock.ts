import { closeSync, constants, fstatSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Never through a symlink; not exclusive, so one a killed process left under this pid is reused.
const OPEN = constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * The file system's time now (ms), as it stamps a file written beside `path`: the clock that
 * stamped `path` itself. A process's own clock may differ from it (a share whose server's
 * clock is off, a process run under a faked time), and an age measured across the two had
 * every live rotation lock and compressor's temporary file look left over, so several
 * processes rotated one file at once (lines lost and written twice, `.gz` files cut short).
 * The probe is `.streamlog-clock-<pid>` in the same folder: short whatever `path` is (a name
 * near the system's limit left no room for a longer one), one per process, written and
 * removed at once. The process's clock when no file can be written there.
 */
export function fileSystemNow(path: string): number {
  const probe = join(dirname(path), `.streamlog-clock-${process.pid}`);
  let fd: number;
  try {
    fd = openSync(probe, OPEN, 0o600);
  } catch {
    return Date.now();
  }
  try {
    // A write stamps it, even a file a killed process left here under this pid.
    writeSync(fd, '.');
    return fstatSync(fd).mtimeMs;
  } catch {
    return Date.now();
  } finally {
    closeSync(fd);
    try {
      unlinkSync(probe);
    } catch {
      // gone already (another thread's probe, a cleaner): nothing to undo
    }
  }
}

/** How long ago `path` was last written (ms), by the file system's clock; negative if after now. */
export function fileAgeMs(path: string): number {
  const written = lstatSync(path).mtimeMs;
  return fileSystemNow(path) - written;
}
