import { closeSync, constants, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { messageOf } from '../util/thrown.js';
import { readOwnFile, removeQuietly, writeNewFile } from './safe-open.js';

/*
 * The owner mark beside a spool file, `<file>.owner`: the exact name the file was claimed
 * under. File names are made from names with characters left out, so one file name serves
 * several ("x.2" is the file of target "x.2" and the second of "x"; "a/b" and "a_b" both
 * write "a_b"): the mark tells them apart, and a file that names another is left to its own.
 */

const OWNER_SUFFIX = '.owner';
const MAX_OWNER_BYTES = 64 * 1024;

/** A name as its mark holds it: written as UTF-8, a lone surrogate reads back as U+FFFD. */
function markOf(name: string): string {
  return Buffer.from(name, 'utf8').toString('utf8');
}

/**
 * What the mark beside the spool file at `path` says: a name, '' for none (no mark, left by
 * a version before marks, or one cut short by a crash as the file was made: such a file is
 * taken by the name it comes from, as files always were), or why it cannot be read.
 */
export function ownerOf(path: string): string | Error {
  let mark: string;
  try {
    // One byte more than a mark may hold: a longer one is no target's name (counted in bytes).
    mark = readOwnFile(path + OWNER_SUFFIX, MAX_OWNER_BYTES + 1);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return new Error(`${path}: its owner mark ${path}${OWNER_SUFFIX} cannot be read: ${messageOf(error)}`);
  }
  if (Buffer.byteLength(mark) > MAX_OWNER_BYTES) return new Error(`${path}: its owner mark is no target's name`);
  return mark;
}

/** Whether a mark that says `owner` (see ownerOf) lets `name` take the file, or why it cannot be told. */
export function mayTake(owner: string | Error, name: string): boolean | Error {
  return owner instanceof Error ? owner : owner === '' || owner === markOf(name);
}

/** Writes the mark, synced; throws when it cannot. */
export function writeOwner(path: string, name: string): void {
  try {
    writeNewFile(path + OWNER_SUFFIX, markOf(name));
  } catch (error) {
    throw new Error(`cannot mark spool file ${path} with its owner: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Renews the mark's time, as the lock's is (age-based cleaners leave both alone); false when
 * it is gone. Its first byte written again, so the file system stamps it by its own clock as
 * it stamps the lock: a time set from this process's clock (2001, under a wrong one) made the
 * mark look years old to a cleaner.
 */
export function touchOwner(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path + OWNER_SUFFIX, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
  } catch {
    return false;
  }
  try {
    const first = Buffer.alloc(1);
    if (readSync(fd, first, 0, 1, 0) === 1) writeSync(fd, first, 0, 1, 0);
    else ftruncateSync(fd, 0);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export function removeOwner(path: string): void {
  removeQuietly(path + OWNER_SUFFIX);
}
