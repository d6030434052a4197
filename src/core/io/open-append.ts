import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
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
    const code = (error as NodeJS.ErrnoException).code;
    const socket = code === 'ENXIO' ? socketNamed(path) : undefined;
    if (socket !== undefined) return socket;
    if (code !== 'ENOENT') throw explain(error);
    ensureFolder(dirname(path));
    try {
      return openSync(path, flags, mode);
    } catch (again) {
      throw explain(again);
    }
  }
}

/**
 * Descriptors of this process that a path named and that were handed out as they are (a
 * socket cannot be opened again by its name): never closed here, they are the process's.
 */
const borrowed = new Set<number>();

/** The descriptor a path such as `/dev/stdout`, `/dev/fd/3` or `/proc/self/fd/3` names, if it names one. */
function descriptorOf(path: string): number | undefined {
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  const match = /^\/(?:dev|proc\/self|proc\/(\d+))\/fd\/(\d+)$/.exec(path);
  if (match === null || (match[1] !== undefined && Number(match[1]) !== process.pid)) return undefined;
  return Number(match[2]);
}

/**
 * A socket this process's descriptor is, where the path names one: `/dev/stdout` when a parent
 * spawned us with stdio 'pipe' (Node's child_process) or systemd hands stdout to the journal.
 * Its name cannot be opened (ENXIO), so every record failed; the descriptor itself is written.
 */
function socketNamed(path: string): number | undefined {
  const fd = descriptorOf(path);
  if (fd === undefined) return undefined;
  try {
    if (!fstatSync(fd).isSocket()) return undefined;
  } catch {
    return undefined;
  }
  borrowed.add(fd);
  return fd;
}

/** Closes what openForAppend gave, unless it is a descriptor of the process's it only lent. */
export function closeAppended(fd: number): void {
  if (!borrowed.has(fd)) closeSync(fd);
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
