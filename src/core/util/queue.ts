/** Items per chunk: small enough that a new one is cheap, large enough that chunks are few. */
const CHUNK = 1024;

/**
 * A FIFO queue: O(1) push and shift, held in fixed-size chunks. One large array grown by
 * doubling would copy everything at each step, and past about 100,000 slots V8 keeps a
 * preallocated array as a dictionary: every push a hash insert, and slow to collect.
 */
export class Queue<T> {
  /** Chunks oldest first; items are read from `head` in the first and written at `tail` in the last. */
  private chunks: (T | undefined)[][] = [];
  private head = 0;
  private tail = CHUNK;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.tail === CHUNK) {
      this.chunks.push(new Array<T | undefined>(CHUNK));
      this.tail = 0;
    }
    this.chunks[this.chunks.length - 1]![this.tail++] = item;
    this.count++;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.chunks[0]![this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const first = this.chunks[0]!;
    const item = first[this.head];
    first[this.head] = undefined;
    this.head++;
    this.count--;
    if (this.count === 0) {
      // Empty: keep one chunk and start it over, so a queue that fills and empties allocates nothing.
      this.chunks.length = 1;
      this.head = 0;
      this.tail = 0;
    } else if (this.head === CHUNK) {
      this.chunks.shift();
      this.head = 0;
    }
    return item;
  }

  /** Whether `item` is in the queue: a walk of it all, for rare questions only. */
  includes(item: T): boolean {
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const from = c === 0 ? this.head : 0;
      const to = c === this.chunks.length - 1 ? this.tail : CHUNK;
      for (let i = from; i < to; i++) if (chunk[i] === item) return true;
    }
    return false;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    while (this.count > 0) out.push(this.shift() as T);
    return out;
  }
}
