import { basename, dirname, join, resolve } from 'node:path';
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import type { Transport } from '../plugin/transport.js';
import { ConfigError } from './errors.js';

/**
 * Targets of one logger that are each valid alone and conflict together: files written twice,
 * a dead letter that is a log file. Said as ConfigErrors
 * at the entries' paths, before anything is opened.
 */

/** A file transport as built: the path it writes and where its entry is. */
export interface FileEntry {
  transport: Transport;
  file: string;
  at: string;
}

export function targetConflicts(files: readonly FileEntry[], deadLetter: string | undefined): ConfigError[] {
  const problems = sameFiles(files);
  const logFile = deadLetter === undefined ? undefined : sameFileAs(deadLetter, files);
  if (logFile !== undefined) {
    problems.push(
      new ConfigError(
        'router.deadLetter',
        `expected a file of its own, but ${logFile.at}.path writes to ${logFile.file}: dead letters would be ` +
          'lines of that log, in its format, rotated and pruned with it',
      ),
    );
  }
  return problems;
}

/** The file at `path` as the system knows it (through links), or undefined while there is none. */
function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether `path` is a stream rather than a log file: a device, FIFO or socket (a terminal,
 * /dev/null, a pipe), or one of this process's descriptors by name (/dev/stdout, /dev/fd/2
 * and links to them lead through /proc/self/fd). Which file those reach is the launcher's
 * choice: with "2>&1" or on a terminal /dev/stdout and /dev/stderr are one file, and a
 * config that split levels between them was refused there and accepted elsewhere.
 */
function aStream(path: string): boolean {
  let at = path;
  // A link loop stops at 40 as the system's lookup does; opening it fails later, with its own word.
  for (let hop = 0; hop < 40; hop++) {
    try {
      // Its folder's links resolved too: /dev/fd/2 is /proc/<pid>/fd/2.
      at = join(realpathSync(dirname(at)), basename(at));
      if (at.startsWith('/proc/')) return true;
      const stat = lstatSync(at);
      if (!stat.isSymbolicLink()) return !stat.isFile() && !stat.isDirectory();
      at = resolve(dirname(at), readlinkSync(at));
    } catch {
      return false;
    }
  }
  return false;
}

/** The first of `files` that is the file at `path` (by path, or through a link), or undefined. */
function sameFileAs<F extends { file: string }>(path: string, files: readonly F[]): F | undefined {
  if (aStream(path)) return undefined;
  const identity = fileIdentity(path);
  return files.find(
    (one) =>
      !aStream(one.file) && (one.file === path || (identity !== undefined && fileIdentity(one.file) === identity)),
  );
}

/**
 * File transports of one logger on one file (one path, "./" or a link to it): they share
 * one writer, so each record was written to it once per entry, in each entry's format.
 */
function sameFiles(files: readonly { file: string; at: string }[]): ConfigError[] {
  const problems: ConfigError[] = [];
  const seen = new Map<string, { file: string; at: string }>();
  for (const one of files) {
    // A stream takes what each entry sends it, as two console entries do: no log file is doubled.
    if (aStream(one.file)) continue;
    const identity = fileIdentity(one.file);
    const earlier = seen.get(one.file) ?? (identity === undefined ? undefined : seen.get(identity));
    if (earlier !== undefined) {
      const same = earlier.file === one.file ? one.file : `${one.file}, a link to ${earlier.file}`;
      problems.push(
        new ConfigError(
          `${one.at}.path`,
          `the same file as ${earlier.at}.path (${same}): each record both take would be written to it twice; ` +
            'give one entry, or another file',
        ),
      );
      continue;
    }
    seen.set(one.file, one);
    if (identity !== undefined) seen.set(identity, one);
  }
  return problems;
}
