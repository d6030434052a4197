import { constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Opens a file for appending, creating missing folders. Never blocks the event loop: the
 * open is non-blocking, so a FIFO with no reader fails at once (ENXIO) instead of waiting
 * for one; folders are made one level at a time (Node 20's recursive mkdir loops forever
 * under /proc).
 */
export function openForAppend(path: string, given: number, options: { read?: boolean } = {}): number {
  // -0 (a config's `"mode": -0`) passes Node's checks but aborts the process in its native open.
  const mode = given + 0;
  const flags =
    constants.O_APPEND |
    constants.O_CREAT |
    constants.O_NONBLOCK |
    (options.read ? constants.O_RDWR : constants.O_WRONLY);
  try {
    return openSync(path, flags, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw explain(error);
    ensureFolder(dirname(path));
    try {
      return openSync(path, flags, mode);
    } catch (again) {
      throw explain(again);
    }
  }
}

/** Creates `dir` and any missing parents, one mkdir each, bounded by the path's depth. */
export function ensureFolder(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    try {
      if (statSync(current).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, ${current}`), { code: 'ENOTDIR' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.push(current);
    }
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function explain(error: unknown): unknown {
  const err = error as NodeJS.ErrnoException;
  if (err.code === 'ENXIO') err.message = `${err.message} (a FIFO with no reader)`;
  return err;
}
