import { closeSync, constants, lstatSync, openSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { fileSystemNow } from './file-system-clock.js';
import { readOwnFile, removeQuietly, UnsafeFileError } from './safe-open.js';

// Created exclusively, so never through a symlink; O_NOFOLLOW says so outright.
const CREATE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0);

/** Lock files this copy of the module holds. */
const heldHere = new Set<string>();

/**
 * When this process started, on the monotonic clock (ms): the same in each of its threads,
 * and unlike the wall clock never set back or forward. Threads of one process share its pid,
 * and each loads its own copy of this module (so do the ESM and CommonJS builds side by side):
 * by the pid alone, a sibling's lock looked left over and was taken while it was held.
 */
const STARTED_MS = Number(process.hrtime.bigint() / 1_000_000n) - process.uptime() * 1000;
/**
 * How often a lock held for long (a spool's) is renewed, its time touched (see PidLock.keep):
 * well inside any age-based cleaner's limit.
 */
export const LOCK_RENEW_MS = 60_000;
/** A sibling's lock not renewed for this long was left by a thread that ended. */
const SIBLING_SILENT_MS = 3 * LOCK_RENEW_MS;
/** Two readings of STARTED_MS in one process differ by well under this (measured: under 1 ms). */
const SAME_START_MS = 50;
/**
 * When the OS thread `tid` of this process started (clock ticks since boot, as Linux's /proc
 * says), or undefined when it is gone or /proc cannot tell. With the id, it names one thread
 * for good: ids are used again, within minutes where `pid_max` is 32768.
 */
function threadStart(tid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    // The name, in parentheses, may hold spaces and parentheses: fields are counted after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * The OS thread this copy of the module runs on, as `<tid>/<start>`, where /proc tells it
 * (Linux): a sibling's lock naming a thread that no longer runs is left over at once, and one
 * naming a thread that runs is held, however long that thread has been busy without renewing
 * it (a worker's long synchronous task, a clock stepped forward, made it look ended).
 */
const THREAD = ((): string | undefined => {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/')[2] ?? '';
    const start = threadStart(tid);
    return start === undefined ? undefined : `${tid}/${start}`;
  } catch {
    return undefined;
  }
})();

/**
 * When process `pid` started (clock ticks since boot, as Linux's /proc says), or undefined
 * where /proc cannot tell (not Linux, a /proc mounted with hidepid, no such process). A
 * zombie (ended, not yet reaped by its parent) says "ended": it holds nothing any more.
 */
function processStart(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? 'ended' : fields[19];
  } catch {
    return undefined;
  }
}

/** This process's start as /proc says it, which another process can read back (see ownerState). */
const PROCESS_START = processStart('self');

/**
 * The PID namespace this process runs in (Linux: the inode /proc/self/ns/pid names), or
 * undefined where it cannot be told. A pid names a process only within its namespace: two
 * containers sharing a volume each have a pid 1.
 */
const PID_NAMESPACE = ((): string | undefined => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
  } catch {
    return undefined;
  }
})();

/**
 * What a lock of ours holds: the pid, the process's start, this copy of the module and, where
 * known, its thread, (`s=`) the process's start as /proc says it and (`n=`) its PID namespace.
 * A lock naming our pid with another start was left by an earlier process given the same pid
 * (a container's pid 1 after a restart): left over. With our start and another copy: a sibling
 * thread (or the other build) holds it.
 */
const OWNER =
  `${process.pid} ${Math.round(STARTED_MS)} ${Math.random().toString(36).slice(2, 10)}` +
  (THREAD === undefined ? '' : ` ${THREAD}`) +
  (PROCESS_START === undefined ? '' : ` s=${PROCESS_START}`) +
  (PID_NAMESPACE === undefined ? '' : ` n=${PID_NAMESPACE}`);

/** A lock's `s=` or `n=` (undefined for one an older version or another system wrote). */
function tagged(text: string, tag: 's' | 'n'): string | undefined {
  const at = text.indexOf(` ${tag}=`);
  return at === -1 ? undefined : text.slice(at + 3).split(' ')[0];
}

/** Whether the thread a sibling's lock names still runs; undefined when that cannot be told. */
function threadRuns(thread: string | undefined): boolean | undefined {
  if (THREAD === undefined || thread === undefined || !/^\d+\/\d+$/.test(thread)) return undefined;
  const [tid = '', start] = thread.split('/');
  return threadStart(tid) === start;
}

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
      const state = ownerState(path, staleAfterMs);
      if (state === 'alive') return undefined;
      if (state === 'dead') takeOverStale(path, staleAfterMs);
      continue;
    }
    writeOwner(fd, path);
    heldHere.add(path);
    return new PidLock(path);
  }
  return undefined;
}

/**
 * Writes our name into a lock file just made at `path`, and closes it. The create takes an
 * inode, the name a block: on a full disk the create succeeds and the write fails. The empty
 * file is then removed, or it would read as a lock being written, held by nobody for 10 s (a
 * rotation that failed on a full disk then waited that long once space returned) and left
 * behind after the process.
 */
function writeOwner(fd: number, path: string): void {
  try {
    writeSync(fd, OWNER);
  } catch (error) {
    closeSync(fd);
    removeQuietly(path);
    throw error;
  }
  closeSync(fd);
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
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && ownerState(mutex) === 'dead') removeQuietly(mutex);
    return; // someone else is taking it over: the caller tries the exclusive create again
  }
  try {
    writeOwner(fd, mutex);
    // Only a lock that is there and whose owner is dead: one gone in the meantime (its owner
    // released it) may be made again by a live owner at any moment, and removing "it" then
    // removed that owner's lock, so two held it at once (found by six processes rotating).
    if (ownerState(path, staleAfterMs) === 'dead') removeQuietly(path);
  } finally {
    removeQuietly(mutex);
  }
}

/**
 * Renews a lock we hold by writing our name over itself: the file system stamps it, by the
 * clock its ages are read by (see fileSystemNow) and an age-based cleaner reads it by.
 */
function restamp(path: string): void {
  const fd = openSync(path, constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    writeSync(fd, OWNER, 0);
  } finally {
    closeSync(fd);
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
      writeOwner(openSync(this.path, CREATE, 0o640), this.path);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return `it could not be made again: ${code ?? String(error)}`;
    }
    try {
      const owner = readOwnFile(this.path, LOCK_TEXT_MAX);
      if (owner !== OWNER) {
        return `it names another owner now (${owner ? `pid ${owner.split(' ')[0]}` : 'not yet written'})`;
      }
      restamp(this.path);
      return undefined;
    } catch (error) {
      return `it could not be renewed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }

  release(): void {
    if (!heldHere.delete(this.path)) return;
    // Ours only while it names us: one removed under us (a cleaner, an `rm -rf`) may since
    // have been made by another logger, which would lose it to this removal.
    let owner: string;
    try {
      owner = readOwnFile(this.path, LOCK_TEXT_MAX);
    } catch {
      return;
    }
    if (owner === OWNER) removeQuietly(this.path);
  }
}

/**
 * A lock without a pid is one still being written, for a moment; one that stays so lost its
 * pid (a kill between create and write, a crash before the data reached the disk).
 */
const UNWRITTEN_GRACE_MS = 10_000;

/**
 * The pid a held lock at `path` names when it was written in another PID namespace (another
 * container on a shared volume, or this container before a restart: its pid 1 ran in a
 * namespace gone since), else undefined. Such a lock is held until it goes unrenewed for
 * SIBLING_SILENT_MS, which no process here can cut short.
 */
export function heldInOtherNamespace(path: string): string | undefined {
  let text: string;
  try {
    text = readOwnFile(path, LOCK_TEXT_MAX);
  } catch {
    return undefined;
  }
  const namespace = tagged(text, 'n');
  if (namespace === undefined || PID_NAMESPACE === undefined || namespace === PID_NAMESPACE) return undefined;
  return ownerState(path) === 'alive' ? text.split(' ')[0] : undefined;
}

/** Does a live logger (of this process or another) hold the lock at `path`? */
export function lockHeld(path: string): boolean {
  return ownerState(path) === 'alive';
}

/** The longest text a lock of ours holds (pid, start, copy, thread, /proc start), with room to spare. */
const LOCK_TEXT_MAX = 128;

/**
 * Is the owner named in the lock file alive, or dead, or is there no lock (`gone`)? A lock
 * still being written counts as alive, and so does one that is not a file of ours (a symlink,
 * a FIFO, another user's): it was not written by a logger of ours, so it is neither read
 * through nor taken over.
 */
function ownerState(path: string, staleAfterMs?: number): 'alive' | 'dead' | 'gone' {
  let text: string;
  let written: number;
  try {
    text = readOwnFile(path, LOCK_TEXT_MAX);
    written = lstatSync(path).mtimeMs;
  } catch (error) {
    if (error instanceof UnsafeFileError) return 'alive';
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'dead';
  }
  // By the clock that stamped the lock (a file made beside it), and only when asked: a
  // process's own clock off from it made every live lock look old.
  const age = (): number => fileSystemNow(path) - written;
  // Either way from now: a lock left while the clock was ahead, then set back, is in the future.
  if (staleAfterMs !== undefined && Math.abs(age()) > staleAfterMs) return 'dead';
  const [pidText = '', startText, , thread] = text.split(' ');
  const pid = Number(pidText);
  // Without a pid for long it never gets one: held for ever, it would strand a spool's records.
  // Either way from now, so a clock set back does not make it young again.
  if (pidText === '' || !Number.isInteger(pid) || pid <= 0) {
    return Math.abs(age()) < UNWRITTEN_GRACE_MS ? 'alive' : 'dead';
  }
  // Written in another PID namespace (another container on a shared volume): its pid names
  // some other process here, or none, so only its renewals say whether its owner lives. By
  // the pid, each container took the other's live lock (both pid 1), and two loggers sent one
  // spool.
  const namespace = tagged(text, 'n');
  if (namespace !== undefined && PID_NAMESPACE !== undefined && namespace !== PID_NAMESPACE) {
    return Math.abs(age()) < SIBLING_SILENT_MS ? 'alive' : 'dead';
  }
  if (pid === process.pid) {
    if (text === OWNER) return heldHere.has(path) ? 'alive' : 'dead';
    const start = Number(startText);
    if (startText === undefined || Math.abs(start - STARTED_MS) >= SAME_START_MS) return 'dead';
    // A sibling thread's (or the other build's): alive while its thread runs. Where that cannot
    // be told, while it renews the lock: a worker that ended holding it renews it no more, and
    // its spool is adopted by the next logger after a few renewals missed, not stranded until
    // the process ends.
    const runs = threadRuns(thread);
    if (runs !== undefined) return runs ? 'alive' : 'dead';
    return Math.abs(age()) < SIBLING_SILENT_MS ? 'alive' : 'dead';
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  // A live process under that pid is the lock's owner only if it started when the owner did:
  // else the pid was given to another process since (pid 1 in a container, a busy host), and
  // the spool stayed unread, without a word, for as long as that process lived.
  const now = processStart(pid);
  // A zombie's pid answers kill() until its parent reaps it, which may be never.
  if (now === 'ended') return 'dead';
  const recorded = tagged(text, 's');
  return recorded !== undefined && now !== undefined && now !== recorded ? 'dead' : 'alive';
}
