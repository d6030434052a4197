import { closeSync, constants, fstatSync, ftruncateSync, linkSync, lstatSync, readSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureFolder } from './open-append.js';
import { copyRanges, positionIn, type Ranges } from './spool-compact.js';
import { heldInOtherNamespace, LOCK_RENEW_MS, type PidLock, tryLock } from './pid-lock.js';
import { openOwnFile, readOwnFile, removeQuietly, replaceFile, syncIfAllowed, UnsafeFileError } from './safe-open.js';
import { mayTake, ownerOf, removeOwner, touchOwner, writeOwner } from './spool-owner.js';
import { tryWriteFully } from './write-fully.js';

const READ_CHUNK = 64 * 1024;
/** A spool whose folder could not be used (see claimAgain) is claimed again at most this often. */
export const SPOOL_CLAIM_AGAIN_MS = 1_000;
/** Spool files one target may have before a logger gives up finding a free one. */
const MAX_CANDIDATES = 64;
/** Lines moved per write when adopting an orphan's spool file. */
const ADOPT_BATCH = 1024;
const APPEND = constants.O_APPEND | constants.O_RDWR;

/** The name a target's spool files start with: its id, each character a file name should not hold made "_". */
export function spoolName(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

/** Whether the spool file at `path` may be taken under `name` (see spool-owner.ts), or why it cannot be told. */
function mayTakeFile(path: string, name: string): boolean | Error {
  return lstatSync(path, { throwIfNoEntry: false }) === undefined || mayTake(ownerOf(path), name);
}

/**
 * A target's overflow on disk: NDJSON lines appended while the target cannot keep up and
 * read back, oldest first, as it catches up. Memory stays bounded whatever the target does.
 *
 * One owner: a spool file belongs to the logger holding its lock (`<file>.lock`, naming the
 * owner's pid), so two loggers never read each other's records; a file whose owner died is
 * adopted, and its lines replayed, by the next logger with the same target. Reading and
 * committing are apart: lines read are handed on, and only once the target has settled
 * them is the position committed to `<file>.offset` (and the file emptied when all is
 * committed). After a crash the lines read but not committed are replayed again: at least
 * once, with duplicates bounded by what the target held (its window).
 *
 * Only our own files: the spool file, its offset and its lock are never opened through a
 * symlink, and a spool file that is not a regular file of this uid is refused (`problem`).
 */
export class Spool {
  private fd: number | undefined;
  private readOffset = 0;
  /** Everything before this offset has been settled by the target. */
  private committed = 0;
  private size = 0;
  private readonly offsetPath: string;
  /** Lines in the spool not yet read back. */
  count = 0;
  /** Lines ever written. */
  written = 0;
  /**
   * Told where positions went when the file is compacted (the ends of reads out for delivery).
   * Only positions at or after the committed one, and outside dropped ranges, are asked.
   */
  onCompacted: ((moved: (position: number) => number) => void) | undefined;
  /**
   * Ranges `[from, to)` of lines dropped for the bound while an earlier read was out, so not
   * committed: skipped when the commit reaches them, and cut out of the file by a compaction.
   */
  private dropped: [number, number][] = [];
  /** Dead bytes from which a compaction that failed is tried again. */
  private retryCompactionAt = 0;

  /** Files of this target that claim passed over because they could not be used (for a diagnostic). */
  skipped: readonly Error[] = [];

  /** Why the spool cannot be used: every append fails with it (and the record is counted). */
  private unavailable: Error | undefined;

  /**
   * The folder could not be used when this spool was claimed (a full disk, a folder not made
   * yet): unlike a refused file, that can pass, so the owner may claim again later.
   */
  claimAgain = false;

  /** Renews the lock while the spool is open (see PidLock.keep). */
  private lockKeeper: NodeJS.Timeout | undefined;

  /**
   * Told what the owner should report as a diagnostic: once when the lock can no longer be
   * kept (renewed, or made again), again only after it was kept once more; lines lost with a
   * file removed under us that could not be put back.
   */
  onTrouble: ((message: string) => void) | undefined;
  private lockLost = false;

  /** The owner's name has been written beside the file (see mayTake). */
  private ownerMarked = false;

  constructor(
    readonly path: string,
    private readonly lock?: PidLock,
    unavailable?: Error,
    private readonly owner?: string,
  ) {
    this.offsetPath = `${path}.offset`;
    this.unavailable = unavailable;
    if (unavailable === undefined) this.adopt();
    if (lock !== undefined) {
      this.lockKeeper = setInterval(() => this.keepLock(), LOCK_RENEW_MS);
      this.lockKeeper.unref();
    }
  }

  /** Makes the lock again if it was removed under us, and renews its time; false if another owner has it. */
  keepLock(): boolean {
    const lock = this.lock;
    if (lock === undefined) return false;
    const kept = lock.keep();
    if (kept) {
      this.keepMark();
      this.lockLost = false;
    } else if (!this.lockLost) {
      this.lockLost = true;
      const message =
        `spool lock ${lock.path} could not be kept (${lock.lostBecause}): ` +
        `another logger may be using ${this.path} as well`;
      try {
        this.onTrouble?.(message);
      } catch {
        // Called from a timer: a reporter that throws has nobody left to tell.
      }
    }
    return kept;
  }

  /**
   * Why this spool is unusable, for a diagnostic: no free spool file, an unusable folder, or
   * a spool file refused as not ours (a symlink, not a regular file, another uid's). Its
   * records then fail as they come; the refused file is never read, written or removed.
   */
  get problem(): Error | undefined {
    return this.unavailable;
  }

  /**
   * The spool of target `id` in `dir` for this logger: `<id>.ndjson`, or `<id>.2.ndjson`, …
   * when a live logger holds that one or it cannot be used (a symlink, another user's file:
   * left as found, and said in `skipped`). A file left by a dead owner is adopted, and so are
   * the other candidates no live logger holds: their lines are moved into this one.
   */
  static claim(dir: string, id: string): Spool {
    const name = spoolName(id);
    const candidate = (n: number) => join(dir, n === 1 ? `${name}.ndjson` : `${name}.${n}.ndjson`);
    let spool: Spool | undefined;
    const skipped: Error[] = [];
    /** Files with lines a logger in another PID namespace holds: said once a spool is found. */
    const elsewhere: Error[] = [];
    try {
      ensureFolder(dir);
      for (let n = 1; n <= MAX_CANDIDATES && spool === undefined; n++) {
        const lock = tryLock(`${candidate(n)}.lock`);
        if (!lock) {
          const waiting = waitingElsewhere(candidate(n));
          if (waiting !== undefined) elsewhere.push(waiting);
          continue;
        }
        const may = mayTakeFile(candidate(n), id);
        if (may !== true) {
          // Another target's, or a mark that cannot be read: said, never taken.
          if (may instanceof Error) skipped.push(may);
          lock.release();
          continue;
        }
        const claimed = new Spool(candidate(n), lock, undefined, id);
        if (claimed.problem === undefined) {
          spool = claimed;
        } else {
          // Its records would all fail: the next name serves as well, and this file stays as found.
          skipped.push(claimed.problem);
          claimed.close();
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const failed = new Spool(
        candidate(1),
        undefined,
        new Error(`cannot use spool folder ${dir}: ${code}`, { cause: error }),
      );
      failed.claimAgain = true;
      return failed;
    }
    if (spool === undefined) {
      const problem = skipped[0] ?? new Error(`no free spool file for ${id} in ${dir}`);
      return new Spool(candidate(1), undefined, problem);
    }
    spool.skipped = [...skipped, ...elsewhere];
    // Loggers that shared the folder and are gone left their files at other candidates, which
    // this logger might never reach again: without this their records would be stranded.
    for (let n = 1; n <= MAX_CANDIDATES; n++) {
      const why = candidate(n) === spool.path ? undefined : spool.adoptOrphan(candidate(n), id);
      if (why !== undefined && !skipped.some((one) => one.message === why.message)) skipped.push(why);
    }
    return spool;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Where the next read starts: the offset to commit once the lines read so far are settled. */
  get position(): number {
    return this.readOffset;
  }

  /** Appends one line; throws when it cannot (the caller counts the record as failed). */
  append(line: string): void {
    this.appendLines(line, 1);
    this.written++;
  }

  /** Up to `maxLines` of the oldest lines not yet read; no more once they add up to `untilBytes`. */
  read(maxLines: number, untilBytes = Number.POSITIVE_INFINITY): string[] {
    const lines: string[] = [];
    if (this.fd === undefined) return lines;
    let chunkSize = READ_CHUNK;
    let taken = 0;
    while (lines.length < maxLines && this.readOffset < this.size && taken < untilBytes) {
      const length = Math.min(chunkSize, this.size - this.readOffset);
      const buffer = Buffer.allocUnsafe(length);
      const n = readSync(this.fd, buffer, 0, length, this.readOffset);
      if (n === 0) break;
      const lastNewline = buffer.lastIndexOf(10, n - 1);
      if (lastNewline === -1) {
        if (n < chunkSize) break; // a torn last line from a crash mid-write: leave it
        chunkSize *= 2; // a line longer than the chunk
        continue;
      }
      let start = 0;
      while (start <= lastNewline && lines.length < maxLines && taken + start < untilBytes) {
        const end = buffer.indexOf(10, start);
        lines.push(buffer.toString('utf8', start, end + 1));
        start = end + 1;
      }
      this.readOffset += start;
      taken += start;
    }
    this.count -= lines.length;
    return lines;
  }

  /**
   * Keeps the spool under `maxBytes` with `bytes` more to come: drops the oldest lines not
   * yet read and returns them (the caller counts them). Lines read and not yet settled are
   * never dropped. `nothingInFlight`: no read is outstanding, so the drop is committed too.
   */
  makeRoom(bytes: number, maxBytes: number, nothingInFlight: boolean): string[] {
    const dropped: string[] = [];
    const from = this.readOffset;
    // What waits unread is bounded: lines out for delivery are not dropped, and while they
    // are out nothing before them can be reclaimed, so counting from `committed` would drop
    // every unread line to make room for one.
    while (this.size - this.readOffset + bytes > maxBytes && this.readOffset < this.size) {
      // Only as many lines as make room: a whole read's worth could be most of the spool.
      const lines = this.read(64, this.size - this.readOffset + bytes - maxBytes);
      if (lines.length === 0) break;
      dropped.push(...lines);
    }
    if (dropped.length > 0 && nothingInFlight) this.commit(this.readOffset);
    else if (dropped.length > 0) this.dropped.push([from, this.readOffset]);
    // A read out for delivery holds the start of the file (for as long as the destination is
    // down): what is settled or dropped behind it is cut out, or the file would outgrow the
    // bound without end. At most one copy of the kept bytes per `maxBytes` dropped or sent.
    const dead = this.deadBytes();
    if (dead > maxBytes && dead >= this.retryCompactionAt) {
      // A disk without room for the copy: not tried again on every append, but once as much again is dead.
      this.retryCompactionAt = this.compact() ? 0 : dead + maxBytes;
    }
    return dropped;
  }

  /** The lines before `offset` are settled: remember it, and empty the file once all is. */
  commit(offset: number): void {
    if (this.fd === undefined || offset <= this.committed) return;
    this.committed = offset;
    while (this.dropped.length > 0 && this.dropped[0]![0] <= this.committed) {
      this.committed = Math.max(this.committed, this.dropped.shift()![1]);
    }
    if (this.committed >= this.size && this.readOffset >= this.size) this.reset();
    else this.saveOffset();
  }

  /**
   * Readies the file for the next owner (at a close, or at an exit that never closes): lines
   * dropped for the bound behind a read still out are cut out, or they would come back; a
   * file removed under us (a cleaner, `rm -rf` of the folder) is put back at its path, or
   * its unsettled lines would end with the process.
   */
  keepForNextOwner(): void {
    const removed = this.committed < this.size && this.removed();
    // Mostly settled lines (a replay moved to the end, marked, at every start against a
    // destination that never answers): cut out, or the file grows by a read each run. Not for
    // a few bytes: the next owner skips them by the offset.
    const dead = this.deadBytes();
    const mostlyDead = dead >= READ_CHUNK && dead * 2 >= this.size;
    if ((this.dropped.length > 0 || removed || mostlyDead) && !this.compact() && removed) {
      try {
        this.onTrouble?.(
          `spool file ${this.path} was removed while in use and could not be put back with its owner mark: ` +
            'the lines it held for the next start are lost',
        );
      } catch {
        // Called as the logger ends: a reporter that throws has nobody left to tell.
      }
    }
  }

  /** Keeps unread lines (and where reading stopped) for the next owner; releases the lock. */
  close(): void {
    // A refused file is not ours: left exactly as it is.
    if (this.unavailable === undefined) {
      this.keepForNextOwner();
      // Ours removed and not put back, the path may hold another logger's file by now: its
      // offset, mark and lines are not ours to write or remove.
      const ours = this.ownsPath();
      this.keepMark();
      const settled = this.committed >= this.size;
      if (this.fd !== undefined) {
        if (!settled && ours) this.saveOffset();
        closeSync(this.fd);
      }
      if (settled && ours) {
        removeQuietly(this.path);
        removeQuietly(this.offsetPath);
        removeOwner(this.path);
      }
    }
    this.fd = undefined;
    clearInterval(this.lockKeeper);
    this.lock?.release();
  }

  /**
   * Takes over the file a previous owner left, if any: where it stopped, and how many lines
   * are left. A last line without its newline is one the owner was killed writing: it is cut
   * off, or the next append would be glued to it.
   */
  private adopt(): void {
    try {
      this.fd = openOwnFile(this.path, APPEND);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.refuse(error);
      return;
    }
    try {
      const size = fstatSync(this.fd).size;
      this.size = this.endOfLastLine(size);
      if (this.size < size) ftruncateSync(this.fd, this.size);
      this.readOffset = this.savedOffset();
      this.committed = this.readOffset;
      this.count = this.countLines(this.readOffset);
      this.markAdopted();
    } catch (error) {
      closeSync(this.fd);
      this.fd = undefined;
      this.size = 0;
      this.refuse(error);
    }
  }

  /**
   * Moves the unread lines of `path`, a spool file of the same target whose owner is gone,
   * after ours, then removes it. A file a live logger holds, or that another name claimed, is
   * left alone. Ours is written (and synced) before the orphan is emptied: a crash in between
   * replays lines twice, never loses them.
   */
  private adoptOrphan(path: string, name: string): Error | undefined {
    if (this.unavailable !== undefined) return undefined;
    let lock: PidLock | undefined;
    try {
      if (lstatSync(path, { throwIfNoEntry: false }) === undefined) return;
      lock = tryLock(`${path}.lock`);
    } catch {
      return undefined; // cannot take its lock: its lines wait for a logger that can
    }
    if (lock === undefined) return undefined;
    const may = mayTakeFile(path, name);
    if (may !== true) {
      lock.release();
      return may === false ? undefined : may;
    }
    const orphan = new Spool(path, lock, undefined, name);
    try {
      if (orphan.problem !== undefined || orphan.empty) return undefined;
      while (!orphan.empty) {
        const lines = orphan.read(ADOPT_BATCH);
        if (lines.length === 0) break;
        this.appendLines(lines.join(''), lines.length);
      }
      syncIfAllowed(this.fd!);
      orphan.commit(orphan.position);
    } catch {
      // Ours took part of them, or none: the orphan keeps all its lines for a later claim.
    } finally {
      orphan.close();
    }
    return undefined;
  }

  /** Appends whole lines, all or none; throws when it cannot. */
  private appendLines(text: string, lines: number): void {
    if (this.unavailable) throw this.unavailable;
    this.open();
    this.markOwner();
    const outcome = tryWriteFully(this.fd!, Buffer.from(text));
    if (outcome.error) {
      // A torn line would be read back as garbage, or glued to the next: cut it off.
      if (outcome.bytes > 0) ftruncateSync(this.fd!, this.size);
      throw outcome.error;
    }
    this.size += outcome.bytes;
    this.count += lines;
  }

  private refuse(error: unknown): void {
    this.unavailable =
      error instanceof UnsafeFileError
        ? error
        : new Error(`cannot use spool file ${this.path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
            cause: error,
          });
  }

  /** The file at our path is the one we hold open (or we hold none): its offset and mark are ours. */
  private ownsPath(): boolean {
    if (this.fd === undefined) return true;
    try {
      const open = fstatSync(this.fd);
      const there = lstatSync(this.path, { throwIfNoEntry: false });
      return there !== undefined && there.ino === open.ino && there.dev === open.dev;
    } catch {
      return false;
    }
  }

  /** Our file is no longer at its path (nor anywhere): removed while open. */
  private removed(): boolean {
    try {
      return this.fd !== undefined && fstatSync(this.fd).nlink === 0;
    } catch {
      return false;
    }
  }

  /** Bytes of the file that will never be read again: committed, or dropped. */
  private deadBytes(): number {
    let dead = this.committed;
    for (const [from, to] of this.dropped) dead += to - from;
    return dead;
  }

  /**
   * Rewrites the file without its committed start and its dropped ranges. Crash-safe: the
   * copy is synced, the offset removed, then the copy renamed over (a crash in between
   * replays the old file from its start: duplicates, nothing lost). When it cannot (a full
   * disk), the file stays as it was.
   */
  private compact(): boolean {
    if (this.fd === undefined) return false;
    const keep: Ranges = this.kept();
    const temp = `${this.path}.compact`;
    const removed = this.removed();
    try {
      if (removed) ensureFolder(dirname(this.path));
      copyRanges(this.fd, keep, temp);
    } catch {
      return false;
    }
    try {
      if (removed) {
        // Whatever is at the path now is not ours (another logger's new file): kept, its mark
        // and offset untouched. Else an offset there is a leftover of ours.
        if (lstatSync(this.path, { throwIfNoEntry: false }) !== undefined) throw new Error('taken');
        // Marked before its lines are back at the path (a cleaner took the mark too): a file
        // there without one could be taken by another id.
        this.ownerMarked = false;
        this.markOwner();
        linkSync(temp, this.path);
        removeQuietly(temp);
        removeQuietly(this.offsetPath);
      } else {
        removeQuietly(this.offsetPath);
        renameSync(temp, this.path);
      }
    } catch {
      removeQuietly(temp);
      if (!removed) this.saveOffset();
      return false;
    }
    closeSync(this.fd);
    this.fd = undefined;
    const moved = (position: number) => positionIn(keep, position);
    this.readOffset = moved(this.readOffset);
    this.size = moved(this.size);
    this.committed = 0;
    this.dropped = [];
    this.onCompacted?.(moved);
    try {
      this.open();
    } catch {
      // The next append opens it again, or fails counted.
    }
    return true;
  }

  private kept(): [number, number][] {
    const keep: [number, number][] = [];
    let from = this.committed;
    for (const [start, end] of this.dropped) {
      if (start > from) keep.push([from, start]);
      from = Math.max(from, end);
    }
    keep.push([from, this.size]);
    return keep;
  }

  private reset(): void {
    this.dropped = [];
    ftruncateSync(this.fd!, 0);
    this.readOffset = 0;
    this.committed = 0;
    this.size = 0;
    this.count = 0;
    removeQuietly(this.offsetPath);
  }

  private open(): void {
    if (this.fd !== undefined) return;
    const flags = APPEND | constants.O_CREAT;
    try {
      try {
        this.fd = openOwnFile(this.path, flags);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        ensureFolder(dirname(this.path));
        this.fd = openOwnFile(this.path, flags);
      }
    } catch (error) {
      // Something not ours appeared at our path since the claim: refuse it for good.
      if (error instanceof UnsafeFileError) this.unavailable = error;
      throw error;
    }
  }

  /**
   * Writes the name this spool was claimed under beside its file, before its first line: a
   * file that says no owner could be taken by another target's name. Throws when it cannot
   * (the line is then not written, and its record fails, counted).
   */
  private markOwner(): void {
    if (this.owner === undefined || this.ownerMarked) return;
    writeOwner(this.path, this.owner);
    this.ownerMarked = true;
  }

  /**
   * Renews the mark's time with the lock's, and makes it again if something removed it (an
   * age-based cleaner takes a file written once and never since): without it the file, lines
   * and all, could be taken by another id.
   */
  private keepMark(): void {
    if (!this.ownerMarked || this.fd === undefined || !this.ownsPath() || touchOwner(this.path)) return;
    this.ownerMarked = false;
    try {
      this.markOwner();
    } catch {
      // Tried again at the next renewal, and before the next line.
    }
  }

  /** A file taken as ours (claim checked its mark): marked now if it says no owner yet. */
  private markAdopted(): void {
    if (ownerOf(this.path) !== '') {
      this.ownerMarked = true;
      return;
    }
    try {
      this.markOwner();
    } catch {
      // Not now: the next append tries again, before its line.
    }
  }

  private saveOffset(): void {
    if (this.committed === 0) return;
    try {
      replaceFile(this.offsetPath, String(this.committed));
    } catch {
      // Without it a restart replays from the start: more duplicates, nothing lost.
    }
  }

  /**
   * The saved read position, if it is sound: in a file of our own, within the spool and just
   * after a newline. Anything else replays from the start: duplicates, nothing lost.
   */
  private savedOffset(): number {
    let offset: number;
    try {
      offset = Number(readOwnFile(this.offsetPath, 32));
    } catch {
      return 0;
    }
    if (!Number.isInteger(offset) || offset <= 0 || offset > this.size) return 0;
    const before = Buffer.alloc(1);
    readSync(this.fd!, before, 0, 1, offset - 1);
    return before[0] === 10 ? offset : 0;
  }

  /** Where the last whole line of the first `size` bytes ends (0 when there is none). */
  private endOfLastLine(size: number): number {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size));
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buffer.length);
      const n = readSync(this.fd!, buffer, 0, end - start, start);
      const newline = buffer.subarray(0, n).lastIndexOf(10);
      if (newline !== -1) return start + newline + 1;
      end = start;
    }
    return 0;
  }

  private countLines(from: number): number {
    let lines = 0;
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (let offset = from; offset < this.size; ) {
      const n = readSync(this.fd!, buffer, 0, READ_CHUNK, offset);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
      offset += n;
    }
    return lines;
  }
}

/**
 * Why `path`, a candidate whose lock another logger holds, is left with lines waiting, when
 * that logger runs in another PID namespace: a container killed and started again on a shared
 * volume left it, and its lines wait, unsaid, for a start three minutes after it stopped
 * renewing its lock (another container that runs renews it).
 */
function waitingElsewhere(path: string): Error | undefined {
  const pid = heldInOtherNamespace(`${path}.lock`);
  if (pid === undefined) return undefined;
  let size: number;
  let offset = 0;
  try {
    size = lstatSync(path).size;
  } catch {
    return undefined;
  }
  try {
    offset = Number(readOwnFile(`${path}.offset`, 32));
  } catch {
    // No offset yet: nothing of it was sent.
  }
  const bytes = size - (Number.isInteger(offset) && offset > 0 && offset <= size ? offset : 0);
  if (bytes <= 0) return undefined;
  return new Error(
    `${path} holds ${bytes} bytes of records, and its lock names pid ${pid} in another PID namespace (a ` +
      'container sharing the folder, or this one before a restart): they are sent by the first logger to start ' +
      'once that lock has gone 3 minutes unrenewed',
  );
}
