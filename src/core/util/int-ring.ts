/**
 * A FIFO queue of non-negative 32-bit integers in one typed array that doubles when full:
 * no allocation per item and no boxed numbers, for queues a hot path pushes to and shifts
 * from for every record.
 */
/** A ring emptied while larger than this (256 KB) is made small again. */
const SHRINK_ABOVE = 65_536;

export class IntRing {
  private items: Int32Array;
  private readonly initial: number;
  /** capacity - 1; the capacity is a power of two. */
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity) size *= 2;
    this.initial = size;
    this.items = new Int32Array(size);
    this.mask = size - 1;
  }

  push(item: number): void {
    if (this.length > this.mask) this.grow();
    this.items[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** The oldest item, left in place; -1 when empty. */
  peek(): number {
    return this.length === 0 ? -1 : this.items[this.head]!;
  }

  /** The oldest item, taken out; -1 when empty. */
  shift(): number {
    if (this.length === 0) return -1;
    const item = this.items[this.head]!;
    this.head = (this.head + 1) & this.mask;
    if (--this.length === 0 && this.items.length > SHRINK_ABOVE) {
      // Emptied after a long outage: the memory it grew to goes back.
      this.items = new Int32Array(this.initial);
      this.mask = this.initial - 1;
      this.head = 0;
    }
    return item;
  }

  /** The item `position` places from the oldest (0: the oldest). */
  at(position: number): number {
    return this.items[(this.head + position) & this.mask]!;
  }

  /** Puts `item` `position` places from the oldest, moving the items on the shorter side by one. */
  insertAt(position: number, item: number): void {
    if (this.length > this.mask) this.grow();
    const items = this.items;
    const mask = this.mask;
    if (position <= this.length - position) {
      this.head = (this.head - 1) & mask;
      for (let i = 0; i < position; i++) items[(this.head + i) & mask] = items[(this.head + i + 1) & mask]!;
    } else {
      for (let i = this.length; i > position; i--) items[(this.head + i) & mask] = items[(this.head + i - 1) & mask]!;
    }
    items[(this.head + position) & mask] = item;
    this.length++;
  }

  private grow(): void {
    const size = this.items.length * 2;
    const items = new Int32Array(size);
    for (let i = 0; i < this.length; i++) items[i] = this.items[(this.head + i) & this.mask]!;
    this.items = items;
    this.mask = size - 1;
    this.head = 0;
  }
}
