import type { Spool } from './spool.js';

/** One read of a spool out for delivery: where it ended, and how many of its lines are unsettled. */
export interface SpoolRead {
  /** Moved when the spool file is compacted. */
  end: number;
  left: number;
}

/**
 * The reads of a spool that are out for delivery, committed in file order: a read is
 * committed (and the file emptied once everything is) only when its lines and every
 * earlier read's lines are settled, so a crash replays what might not have arrived and
 * never skips what did not. The router's spool and the batch transport's share it.
 */
export class SpoolReads {
  /** Few at a time (one per batch in flight), so an array. */
  private readonly reads: SpoolRead[] = [];

  constructor(readonly spool: Spool) {
    spool.onCompacted = (moved) => {
      for (const read of this.reads) read.end = moved(read.end);
    };
  }

  /** Lines read and not yet settled. */
  get outstanding(): number {
    let left = 0;
    for (const read of this.reads) left += read.left;
    return left;
  }

  /** Up to `maxLines` of the oldest unread lines (no more once they reach `untilBytes`), and their read. */
  take(maxLines: number, untilBytes?: number): { lines: string[]; read: SpoolRead } {
    const lines = this.spool.read(maxLines, untilBytes);
    const read = { end: this.spool.position, left: lines.length };
    if (lines.length > 0) this.reads.push(read);
    return { lines, read };
  }

  /** `count` lines of `read` settled (reads may settle in any order). */
  settle(read: SpoolRead, count: number): void {
    read.left -= count;
    this.commitSettled();
  }

  /** `count` lines settled in the order they were read (a transport that settles in order). */
  settleOldest(count: number): void {
    for (const read of this.reads) {
      if (count <= 0) break;
      const taken = Math.min(read.left, count);
      read.left -= taken;
      count -= taken;
    }
    this.commitSettled();
  }

  private commitSettled(): void {
    while (this.reads.length > 0 && this.reads[0]!.left <= 0) this.spool.commit(this.reads.shift()!.end);
  }
}
