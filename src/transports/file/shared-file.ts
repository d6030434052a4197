import { closeSync, fstatSync, fsyncSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineBatch } from '../../core/io/line-batch.js';
import { openForAppend } from '../../core/io/open-append.js';
import type { SettlementListener } from '../../core/io/settlement.js';
import { tryWriteFully } from '../../core/io/write-fully.js';
import type { LogRecord } from '../../core/record/log-record.js';
import { gzipFile } from './compress.js';
import { RotationPlan, type RotationOptions } from './rotation.js';

/** A transport appending to a shared file: it hears what became of its records, and notices. */
export interface FileOwner extends SettlementListener<LogRecord> {
  notice(message: string, detail?: unknown): void;
}

export interface SharedFileOptions {
  mode: number;
  /** Buffered bytes (UTF-16 units) that trigger a write before the tick ends. */
  bufferSize: number;
  /** Write every line before append() returns. */
  sync: boolean;
  /** fsync before close and before a rotation. */
  fsync: boolean;
  rotate?: RotationOptions;
}

const OPEN_RETRY_MS = 1_000;

/**
 * One open log file, shared by every transport (of every logger) that names its path, so
 * their lines interleave whole. Lines gather in memory and go out in one blocking write per
 * tick or per `bufferSize`; the outcome of each write settles exactly the records it held.
 */
export class SharedFile {
  readonly path: string;
  private fd: number | undefined;
  /** Why the file could not be opened, while it cannot. */
  private openError: Error | undefined;
  private nextOpenAttempt = 0;
  private readonly batch: LineBatch<LogRecord>;
  /** The owner of each batched record, in step with the batch. */
  private owners: FileOwner[] = [];
  private pendingBytes = 0;
  private readonly plan: RotationPlan | undefined;
  private nextBoundary = Number.POSITIVE_INFINITY;
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
    this.batch = new LineBatch((lines, records) => this.write(lines, records), options.bufferSize);
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
    if (this.plan !== undefined) this.rotateIfDue(line, record.time);
    this.owners.push(owner);
    this.batch.push(line, record);
    if (this.options.sync) this.batch.flush();
  }

  /** Writes everything buffered now, synchronously. */
  writeOut(): void {
    this.batch.flush();
  }

  private write(lines: string[], records: LogRecord[]): void {
    const owners = this.owners;
    this.owners = [];
    this.pendingBytes = 0;
    if (this.fd === undefined && !this.open()) {
      this.fail(records, owners, this.openError!);
      return;
    }
    this.writes++;
    const outcome = tryWriteFully(this.fd!, lines.length === 1 ? lines[0]! : lines.join(''));
    if (outcome.error === undefined) {
      this.wrote(records.length, outcome.bytes, owners);
      return;
    }
    // Records wholly on disk before the failure count as delivered; the rest failed.
    let complete = 0;
    for (let bytes = 0; complete < lines.length; complete++) {
      bytes += Buffer.byteLength(lines[complete]!);
      if (bytes > outcome.bytes) break;
    }
    if (outcome.error.code === 'EBADF') this.closeFd();
    if (complete > 0) this.wrote(complete, outcome.bytes, owners.slice(0, complete));
    else this.size += outcome.bytes;
    this.fail(records.slice(complete), owners.slice(complete), outcome.error);
  }

  /** Closes and reopens the path: for logrotate's "move, then signal" scheme. */
  reopen(): void {
    this.writeOut();
    this.closeFd();
    this.nextOpenAttempt = 0;
    this.open();
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
    const now = Date.now();
    if (this.openError && now < this.nextOpenAttempt) return false;
    try {
      this.fd = openForAppend(this.path, this.options.mode);
      this.size = fstatSync(this.fd).size;
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
    try {
      closeSync(this.fd);
    } catch {
      // Already closed underneath us; nothing left to release.
    }
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
          modified = statSync(this.path).mtimeMs;
        } catch {
          modified = now;
        }
        if (modified < periodStart) this.rotateFile(now);
      }
      this.nextBoundary = this.plan.nextBoundary(now);
    }
    this.afterRotation();
  }

  private rotateIfDue(line: string, time: number): void {
    const plan = this.plan!;
    if (time >= this.nextBoundary) {
      this.writeOut();
      if (this.size > 0) this.rotateFile(time);
      this.nextBoundary = plan.nextBoundary(time);
      return;
    }
    if (!plan.bySize) return;
    const bytes = Buffer.byteLength(line);
    if (this.size + this.pendingBytes + bytes > plan.options.size! && this.size + this.pendingBytes > 0) {
      this.writeOut();
      this.rotateFile(time);
    }
    this.pendingBytes += bytes;
  }

  private rotateFile(time: number): void {
    const plan = this.plan;
    if (!plan) return;
    this.syncAndClose();
    const rotated = plan.nameFor(plan.nextSequence());
    try {
      renameSync(this.path, rotated);
      this.rotations++;
    } catch (error) {
      this.notice(`could not rotate ${this.path} to ${rotated}`, error);
    }
    this.open();
    this.size = this.fd === undefined ? 0 : this.size;
    if (plan.options.interval !== undefined) this.nextBoundary = plan.nextBoundary(time);
    this.afterRotation();
  }

  /** Background work after a rotation: compress what needs it, then prune beyond maxFiles. */
  private afterRotation(): void {
    const plan = this.plan!;
    this.background = this.background.then(async () => {
      if (plan.options.compress) {
        // Whatever is on disk uncompressed now, including leftovers of a crash mid-way.
        for (const file of plan
          .list()
          .filter((f) => !f.compressed)
          .map((f) => f.path)) {
          try {
            await gzipFile(file);
          } catch (error) {
            this.notice(`could not compress ${file}`, error);
          }
        }
      }
      for (const file of plan.excess()) {
        try {
          unlinkSync(file.path);
        } catch (error) {
          this.notice(`could not delete old log ${file.path}`, error);
        }
      }
    });
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
