import { fstatSync, fsyncSync, ftruncateSync, linkSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineBatch } from '../../core/io/line-batch.js';
import { closeAppended, openForAppend } from '../../core/io/open-append.js';
import type { SettlementListener } from '../../core/io/settlement.js';
import { retrySoonOnFullDisk, tryWriteFully } from '../../core/io/write-fully.js';
import type { LogRecord } from '../../core/record/log-record.js';
import { gzipFile } from './compress.js';
import { RotationPlan, type RotationOptions } from './rotation.js';
import { withRotationLock } from './rotation-lock.js';
import { monotonicMs } from '../../core/util/monotonic.js';
import { objectList } from '../../core/util/array-kinds.js';
import { fileSystemNow } from '../../core/io/file-system-clock.js';

const NEWLINE = Buffer.from('\n');

/** A transport appending to a shared file: it hears what became of its records, and notices. */
export interface FileOwner extends SettlementListener<LogRecord> {
  notice(message: string, detail?: unknown): void;
}

export interface SharedFileOptions {
  mode: number;
  /** Buffered bytes (UTF-8) that trigger a write before the tick ends. */
  bufferSize: number;
  /** Write every line before append() returns. */
  sync: boolean;
  /** fsync before close and before a rotation. */
  fsync: boolean;
  rotate?: RotationOptions;
}

const OPEN_RETRY_MS = 1_000;
/** After a rotation failed (a read-only folder), it is tried again this soon, not for every line. */
const ROTATE_RETRY_MS = 1_000;
/** A rotation lock held longer than this is not a rotation under way but a stalled or dead one. */
const LOCK_HELD_LONG_MS = 1_000;
/**
 * Without rotation, the path is looked at before a write at most this often: a stat before
 * every write doubled the CPU cost of `sync: true`. Lines written within this long of an
 * `rm` can still go to the deleted file.
 */
const PATH_CHECK_MS = 1;

/**
 * One open log file, shared by every transport (of every logger) that names its path, so
 * their lines interleave whole. Lines gather in memory and go out in one blocking write per
 * tick or per `bufferSize`; the outcome of each write settles exactly the records it held.
 */
export class SharedFile {
  readonly path: string;
  private fd: number | undefined;
  /** The file our descriptor writes to: another process that rotated the path changes it. */
  private inode = 0;
  private device = 0;
  /** The path is a FIFO or a socket (`/dev/stdout`): written in pieces other writers cannot split (see isPipe). */
  private pipe = false;
  /**
   * A FIFO was left part of a line (a line over PIPE_BUF its reader stopped taking): unlike a
   * file's, it cannot be cut off, so the next write ends it first, or the next line was glued to
   * it (one unparseable line for two, the second counted delivered).
   */
  private torn = false;
  /** Why the file could not be opened, while it cannot. */
  private openError: Error | undefined;
  private nextOpenAttempt = 0;
  private readonly batch: LineBatch<LogRecord>;
  /** The owner of each batched record, in step with the batch. */
  private owners: FileOwner[] = objectList();
  private readonly plan: RotationPlan | undefined;
  private nextBoundary = Number.POSITIVE_INFINITY;
  /**
   * A clock set back before this (more than a period before the current one: a wrong date
   * corrected) counts boundaries anew from the time it shows. A smaller step back (NTP across
   * midnight) changes nothing: those lines stay in the current file.
   */
  private clockSetBackBefore = Number.NEGATIVE_INFINITY;
  /**
   * While rotation fails: no attempt before this time, and the failure was reported. This and
   * nextOpenAttempt are on the monotonic clock: a wall clock set back an hour must not hold the
   * next try (and every record meanwhile) for an hour.
   */
  private rotateRetryAt = 0;
  /** See clockSkew. */
  private skew = 0;
  private skewMeasuredUntil = Number.NEGATIVE_INFINITY;
  private rotationFailing = false;
  /** monotonicMs() before which the path is not looked at again (files that do not rotate). */
  private nextPathCheck = 0;
  /** Compression and pruning, one job after another so two never touch the same file. */
  private background: Promise<void> = Promise.resolve();
  private readonly subscribers = new Set<FileOwner>();
  /** Bytes in the current file, from disk at open and counted since. */
  size = 0;
  bytesWritten = 0;
  linesWritten = 0;
  writes = 0;
  rotations = 0;

  constructor(
    path: string,
    readonly options: SharedFileOptions,
  ) {
    this.path = resolve(path);
    // The write blocks, so the chunk's memory is free again when it returns.
    this.batch = new LineBatch((lines, records, chunk) => {
      this.write(lines, records, chunk);
      return true;
    }, options.bufferSize);
    this.plan =
      options.rotate &&
      (options.rotate.size !== undefined ||
        options.rotate.interval !== undefined ||
        options.rotate.maxFiles !== undefined)
        ? new RotationPlan(this.path, options.rotate)
        : undefined;
    this.open();
    this.resumeRotation(Date.now());
  }

  /** Adds an owner; one arriving while the file cannot be opened is told why at once. */
  subscribe(owner: FileOwner): void {
    this.subscribers.add(owner);
    if (this.openError) owner.notice(this.openError.message, this.openError.cause);
  }

  /** Removes an owner; true when it was the last one (the file should then close). */
  unsubscribe(owner: FileOwner): boolean {
    this.subscribers.delete(owner);
    return this.subscribers.size === 0;
  }

  append(line: string, record: LogRecord, owner: FileOwner): void {
    // Rotation by size needs the exact UTF-8 size of what is buffered; without it, the batch's bound will do.
    const bytes = this.plan?.bySize ? Buffer.byteLength(line) : undefined;
    // The wall clock decides time rotation, never the record's own (possibly forged) time.
    if (this.plan !== undefined)
      this.rotateIfDue(bytes ?? 0, this.plan.options.interval === undefined ? 0 : Date.now());
    this.owners.push(owner);
    this.batch.push(line, record, bytes);
    if (this.options.sync) this.batch.flush();
  }

  /** Writes everything buffered now, synchronously. */
  writeOut(): void {
    this.batch.flush();
  }

  private write(lines: string[], records: LogRecord[], chunk: Buffer): void {
    const owners = this.owners;
    this.owners = objectList();
    if (this.plan !== undefined || this.pathCheckDue()) this.followPath();
    if (this.fd === undefined && !this.open()) {
      this.fail(records, owners, this.openError!);
      return;
    }
    this.writes++;
    if (this.torn) {
      const ended = tryWriteFully(this.fd!, NEWLINE);
      if (ended.error !== undefined) {
        this.fail(records, owners, retrySoonOnFullDisk(ended.error));
        return;
      }
      this.torn = false;
    }
    const outcome = tryWriteFully(this.fd!, chunk, this.pipe);
    if (outcome.error === undefined) {
      this.wrote(records.length, outcome.bytes, owners);
      // Other processes append too: the size that decides rotation is the file's own.
      if (this.plan?.bySize) this.size = this.fileSize() ?? this.size;
      return;
    }
    // Records wholly on disk before the failure count as delivered; the rest failed.
    let complete = 0;
    let completeBytes = 0;
    for (; complete < lines.length; complete++) {
      const bytes = Buffer.byteLength(lines[complete]!);
      if (completeBytes + bytes > outcome.bytes) break;
      completeBytes += bytes;
    }
    if (outcome.bytes > completeBytes) {
      if (this.pipe) this.torn = true;
      else this.cutTornLine(outcome.bytes - completeBytes);
    }
    const error = outcome.error;
    if (error.code === 'EBADF') this.closeFd();
    retrySoonOnFullDisk(error);
    if (complete > 0) this.wrote(complete, completeBytes, owners.slice(0, complete));
    this.fail(records.slice(complete), owners.slice(complete), error);
  }

  /**
   * A write cut short (a full disk) left part of a line at the end of the file: cut it off,
   * so the next line written is not glued to it. Its record counts as failed.
   */
  private cutTornLine(tornBytes: number): void {
    try {
      const end = fstatSync(this.fd!).size;
      ftruncateSync(this.fd!, Math.max(0, end - tornBytes));
    } catch (error) {
      this.notice(`could not cut a partly written line from ${this.path}`, error);
    }
  }

  private fileSize(): number | undefined {
    try {
      return fstatSync(this.fd!).size;
    } catch {
      return undefined;
    }
  }

  /**
   * Writes go where the path points now: after another process rotated it, logrotate's
   * "create" (move, then a new empty file) or an `rm` of the file or its folder, the next
   * write opens (or creates) the path instead of writing to a file nobody will read. A file
   * deleted while open is reported. A file only moved away, with nothing in its place, keeps
   * the lines until reopen() (as pino's does), unless this file rotates itself. When the new
   * file cannot be opened, lines go on to the old one as long as it still has a name.
   */
  private followPath(): void {
    if (this.fd === undefined) return;
    let current: { ino: number; dev: number } | undefined;
    try {
      current = statSync(this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A folder we may no longer search (chmod 000) says nothing about our file: keep writing to it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return;
    }
    if (current !== undefined && current.ino === this.inode && current.dev === this.device) return;
    const previous = this.fd;
    const named = this.stillNamed(previous);
    if (current === undefined && named && this.plan === undefined) return;
    // With rotation, other processes' compression and pruning delete files that way routinely.
    if (!named && this.plan === undefined)
      this.notice(`log file ${this.path} was deleted while open; writing to a new file at that path`);
    this.openInstead(previous, named);
  }

  /**
   * Opens the path in place of the descriptor `previous`. When the path cannot be opened
   * (logrotate's create made it with a mode or owner that shuts us out), lines go on to the
   * old file as long as it still has a name, instead of failing.
   */
  private openInstead(previous: number, named: boolean): void {
    const unopened = this.openError === undefined;
    this.fd = undefined;
    if (this.open() || !named) {
      if (this.fd !== previous) closeQuietly(previous);
      return;
    }
    this.fd = previous;
    if (unopened) this.notice(`going on writing to the file that was moved away from ${this.path}`);
  }

  private pathCheckDue(): boolean {
    const now = monotonicMs();
    if (now < this.nextPathCheck) return false;
    this.nextPathCheck = now + PATH_CHECK_MS;
    return true;
  }

  /** Whether the file behind `fd` still has a name somewhere (moved or rotated, not deleted). */
  private stillNamed(fd: number): boolean {
    try {
      return fstatSync(fd).nlink > 0;
    } catch {
      return false;
    }
  }

  /** Closes and reopens the path: for logrotate's "move, then signal" scheme. */
  reopen(): void {
    this.writeOut();
    this.nextOpenAttempt = 0;
    if (this.fd === undefined) this.open();
    else this.openInstead(this.fd, this.stillNamed(this.fd));
  }

  /** Whether some transport on this path has rotate options: rotate() has names to rotate to. */
  get rotates(): boolean {
    return this.plan !== undefined;
  }

  /** Rotates now, whatever the size or time. */
  rotate(now = Date.now()): void {
    this.writeOut();
    this.rotateFile(now);
  }

  /** Finishes writes, background compression and pruning, then closes the descriptor. */
  async close(): Promise<void> {
    this.writeOut();
    await this.settled();
    this.syncAndClose();
  }

  /** Resolves when rotated files are compressed and pruned. */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.background;
      await current;
    } while (current !== this.background);
  }

  private wrote(count: number, bytes: number, owners: FileOwner[]): void {
    this.size += bytes;
    this.bytesWritten += bytes;
    this.linesWritten += count;
    for (const [owner, n] of countByOwner(owners)) owner.delivered(n);
  }

  private fail(records: LogRecord[], owners: FileOwner[], error: Error): void {
    if (records.length === 0) return;
    const byOwner = new Map<FileOwner, LogRecord[]>();
    records.forEach((record, i) => {
      const list = byOwner.get(owners[i]!) ?? [];
      list.push(record);
      byOwner.set(owners[i]!, list);
    });
    for (const [owner, list] of byOwner) owner.failed(list, error);
  }

  private notice(message: string, detail?: unknown): void {
    for (const owner of this.subscribers) owner.notice(message, detail);
  }

  /** Opens (creating folders); on failure remembers why and retries at most once a second. */
  private open(): boolean {
    if (this.fd !== undefined) return true;
    const now = monotonicMs();
    if (this.openError && now < this.nextOpenAttempt) return false;
    try {
      this.fd = openForAppend(this.path, this.options.mode);
      const stats = fstatSync(this.fd);
      this.size = stats.size;
      this.inode = stats.ino;
      this.device = stats.dev;
      this.pipe = stats.isFIFO() || stats.isSocket();
      // A torn line is a FIFO's to end: a regular file opened now (the path replaced) has none.
      if (!this.pipe) this.torn = false;
      if (this.openError) this.notice(`log file ${this.path} is writable again`);
      this.openError = undefined;
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const first = this.openError === undefined;
      this.openError = new Error(`cannot open log file ${this.path}: ${code}`, { cause: error });
      this.nextOpenAttempt = now + OPEN_RETRY_MS;
      if (first) this.notice(this.openError.message, error);
      return false;
    }
  }

  /** fsync first when asked to, so a closed (or rotated) file is on the disk, not just in cache. */
  private syncAndClose(): void {
    if (this.fd !== undefined && this.options.fsync) {
      try {
        fsyncSync(this.fd);
      } catch (error) {
        this.notice(`fsync of ${this.path} failed`, error);
      }
    }
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    closeQuietly(this.fd);
    this.fd = undefined;
  }

  /** After a restart: a file from an earlier period rotates first; old excess is pruned. */
  private resumeRotation(now: number): void {
    if (!this.plan) return;
    if (this.plan.options.interval !== undefined) {
      const periodStart = this.plan.periodStart(now);
      if (this.size > 0) {
        let modified = now;
        try {
          // The file's time is the file system's; periods are the process clock's. Read by one
          // clock, or a process an hour ahead rotated a file written a moment ago at every start.
          modified = statSync(this.path).mtimeMs + (now - fileSystemNow(this.path));
        } catch {
          modified = now;
        }
        if (modified < periodStart) this.rotateFile(now);
      }
      this.setBoundary(now);
    }
    this.afterRotation();
  }

  private rotateIfDue(bytes: number, time: number): void {
    const plan = this.plan!;
    if (time < this.clockSetBackBefore) this.setBoundary(time);
    if (time >= this.nextBoundary) {
      this.writeOut();
      // Unless a line appended during that write (another logger on this path) rotated already.
      if (time < this.nextBoundary) return;
      if (this.size > 0 && !this.rotateFailed()) this.rotateFile(time);
      // A failed rotation is tried again soon, not at the next period (rotateFailed says when).
      if (this.rotationFailing) this.nextBoundary = time + ROTATE_RETRY_MS;
      else this.setBoundary(time);
      return;
    }
    if (!plan.bySize) return;
    const limit = plan.options.size!;
    // A write runs listeners, and one may append here (another logger on this path) and even
    // rotate: look again after each write, and rotate only while what is held would not fit.
    while (this.size + this.batch.bytes + bytes > limit && this.size + this.batch.bytes > 0) {
      if (!this.batch.empty) {
        this.writeOut();
        continue;
      }
      // The file may have shrunk since our last write (logrotate's copytruncate).
      const onDisk = this.fileSize();
      if (onDisk !== undefined && onDisk !== this.size) {
        this.size = onDisk;
        continue;
      }
      if (this.rotateFailed()) return;
      this.rotateFile(time);
      // The path could not be rotated (or another process wrote to the new file): go on as is.
      if (this.size > 0) return;
    }
  }

  /** Whether a recent rotation failed and the next try is not due yet. */
  private rotateFailed(): boolean {
    return monotonicMs() < this.rotateRetryAt;
  }

  private setBoundary(time: number): void {
    const start = this.plan!.periodStart(time);
    this.nextBoundary = this.plan!.nextBoundary(time);
    this.clockSetBackBefore = start - (this.nextBoundary - start);
  }

  /**
   * Renames the live file to the next rotated name and opens a fresh one. Several processes
   * may share the path: the rename happens under a lock file naming its owner, and only if
   * the path is still the file this process writes to (else another process rotated it
   * first, and this one just reopens). The claim links the new name (never overwriting one)
   * before the live name is removed.
   */
  private rotateFile(time: number): void {
    const plan = this.plan;
    if (!plan) return;
    this.syncAndClose();
    const ourInode = this.inode;
    let ran: boolean;
    try {
      ran = withRotationLock(this.path, () => {
        let live: { ino: number; nlink: number };
        try {
          live = statSync(this.path);
        } catch {
          return; // nothing to rotate
        }
        if (live.ino !== ourInode) return;
        if (live.nlink > 1) {
          // A rotation killed between its link and its unlink: finish it, or the file stays
          // under two names (each line read twice) and never rotates again.
          if (this.finishCutRotation(plan, live.ino)) return;
          // Each try would add one more name for the same file, and none would ever be removed.
          throw new Error(`${this.path} has other hard links (a rotation that could not remove it?)`);
        }
        for (let sequence = plan.nextSequence(); ; sequence++) {
          const rotated = plan.nameFor(sequence);
          try {
            linkSync(this.path, rotated);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
            throw error;
          }
          // Stopped here past the lock's 30 s (SIGSTOP), another process may have finished this
          // rotation for us (finishCutRotation): the path is then its new file, not ours to remove.
          if (statSync(this.path, { throwIfNoEntry: false })?.ino !== statSync(rotated).ino) return;
          try {
            unlinkSync(this.path);
          } catch (error) {
            // A folder where we may link but not remove (sticky, the file another user's): undo the link.
            try {
              unlinkSync(rotated);
            } catch {
              // Left behind: the next try sees a second link and stops there.
            }
            throw error;
          }
          this.rotations++;
          return;
        }
      });
    } catch (error) {
      this.rotateRetryAt = monotonicMs() + ROTATE_RETRY_MS;
      if (!this.rotationFailing)
        this.notice(`could not rotate ${this.path}; lines go on to it, and rotation is tried again each second`, error);
      this.rotationFailing = true;
      this.open();
      return;
    }
    if (!ran && this.stillLive(ourInode)) {
      const stuck = this.lockBusy();
      this.open();
      // By time, a held lock is another process rotating at the same boundary: this one is done.
      if (stuck || plan.bySize) return;
    }
    if (this.rotationFailing) this.notice(`rotating ${this.path} works again`);
    this.rotationFailing = false;
    this.open();
    if (plan.options.interval !== undefined) this.setBoundary(time);
    this.afterRotation();
  }

  /**
   * Under the rotation lock, with the live file linked elsewhere: when a rotated name is that
   * same file, the rotation that linked it died before removing the live name; remove it now.
   */
  private finishCutRotation(plan: RotationPlan, inode: number): boolean {
    const cut = plan
      .list()
      .find((file) => !file.compressed && statSync(file.path, { throwIfNoEntry: false })?.ino === inode);
    if (cut === undefined) return false;
    unlinkSync(this.path);
    this.rotations++;
    return true;
  }

  /** Whether the path still names the file we wrote to (nobody rotated it). */
  private stillLive(inode: number): boolean {
    try {
      return statSync(this.path).ino === inode;
    } catch {
      return false;
    }
  }

  /**
   * The lock is held and the file still unrotated. Another process is rotating it this
   * moment: try again at the next line, as rotations take milliseconds (waiting longer would
   * let the file outgrow its size while only that process may rotate it). A lock held for
   * over a second, by a process that died or stalls (it goes stale at 30 s), is tried again
   * each second, not at every line. Something that is not a lock file there (true) is
   * reported once, and rotation waits for it to be removed, trying each second.
   */
  private lockBusy(): boolean {
    const lock = `${this.path}.rotating`;
    const stats = lstatSync(lock, { throwIfNoEntry: false });
    if (stats === undefined) return false;
    const retryAt = monotonicMs() + ROTATE_RETRY_MS;
    if (stats.isFile() && stats.uid === (process.getuid?.() ?? stats.uid)) {
      // The lock's age by the file system's clock, which stamped it: by the process's, an hour
      // off, every lock looked held long, rotation waited a second at a time, and the file grew
      // megabytes past its size. This runs at every line while another process rotates, so the
      // clocks' difference is measured once a second at most, and only for a lock that looks old.
      const age = Date.now() - stats.mtimeMs;
      if (Math.abs(age) > LOCK_HELD_LONG_MS && Math.abs(age - this.clockSkew()) > LOCK_HELD_LONG_MS) {
        this.rotateRetryAt = retryAt;
      }
      return false;
    }
    this.rotateRetryAt = retryAt;
    if (!this.rotationFailing)
      this.notice(`could not rotate ${this.path}: ${lock} is not a lock file of ours; waiting until it is removed`);
    this.rotationFailing = true;
    return true;
  }

  /** The process's clock less the file system's (see fileSystemNow), measured at most once a second. */
  private clockSkew(): number {
    const now = monotonicMs();
    if (now >= this.skewMeasuredUntil) {
      this.skew = Date.now() - fileSystemNow(this.path);
      this.skewMeasuredUntil = now + ROTATE_RETRY_MS;
    }
    return this.skew;
  }

  /** Background work after a rotation: compress what needs it, then prune beyond maxFiles. */
  private afterRotation(): void {
    const plan = this.plan!;
    this.background = this.background.then(async () => {
      if (plan.options.compress) {
        // A rotated name that is still the live file (a rotation killed before its unlink) is
        // left until a rotation finishes it: compressed now, the lines after would be lost.
        const live = statSync(this.path, { throwIfNoEntry: false });
        const stillLive = (file: string) =>
          live !== undefined && statSync(file, { throwIfNoEntry: false })?.ino === live.ino;
        // Whatever is on disk uncompressed now, including leftovers of a crash mid-way.
        for (const file of plan
          .list()
          .filter((f) => !f.compressed && !stillLive(f.path))
          .map((f) => f.path)) {
          try {
            await gzipFile(file);
          } catch (error) {
            // Compressed and removed by another process meanwhile: nothing lost.
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.notice(`could not compress ${file}`, error);
          }
        }
      }
      for (const file of plan.excess()) {
        try {
          unlinkSync(file.path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            this.notice(`could not delete old log ${file.path}`, error);
        }
      }
    });
  }
}

function closeQuietly(fd: number): void {
  try {
    closeAppended(fd);
  } catch {
    // Already closed underneath us; nothing left to release.
  }
}

function countByOwner(owners: FileOwner[]): Map<FileOwner, number> {
  const counts = new Map<FileOwner, number>();
  const first = owners[0];
  // The common case, one transport per file, needs no per-record bookkeeping.
  if (first !== undefined && owners.every((o) => o === first)) return counts.set(first, owners.length);
  for (const owner of owners) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return counts;
}
