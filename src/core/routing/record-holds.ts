import { Queue } from '../util/queue.js';
import type { Strategy } from './events.js';

/** The most targets counted this way: one bit each in a 32-bit mask. */
export const MAX_HOLDING_TARGETS = 32;

/**
 * A record's tag is its slot and the slot's generation in one small integer (a Smi: no
 * allocation on the record), so a record settled late by name is not taken for the record
 * its slot was given to since. 2^21 slots: records held at once past that are not tagged.
 */
const SLOT_BITS = 21;
const SLOT_LIMIT = 2 ** SLOT_BITS;
const GENERATIONS = 2 ** 10;
/** Slots made before any is reused: a slot comes back after this many others at the least. */
const INITIAL_SLOTS = 1024;

/**
 * Which targets still hold each record a router with several targets has routed, so that
 * `pending` is exact when targets hold different records (their levels differ, one skips an
 * unhealthy target, one is down while another is not). Taking the count of the target
 * furthest behind, as one target allows, said `delivered 20, pending 20` for 40 records
 * parked in two spools.
 *
 * Each open record has a slot: a mask of the targets that hold it, and how many more
 * deliveries decide it delivered under the strategy (0: decided, either way). Each target has
 * a queue of the slots it was handed, oldest first: a settlement by count takes the oldest it
 * still holds (in-order settlement, as the built-in transports do); one that names records,
 * and a failure, takes those records' own. A slot is free again once no queue names it.
 * Memory: about 20 bytes per record held, only while it is held.
 */
export class RecordHolds {
  /** Records some target still holds that no settlement has decided yet. */
  pending = 0;
  private masks = new Uint32Array(INITIAL_SLOTS);
  private needed = new Uint8Array(INITIAL_SLOTS);
  /** Entries in the targets' queues that name the slot (it is free once none does). */
  private named = new Uint8Array(INITIAL_SLOTS);
  private generations = new Uint16Array(INITIAL_SLOTS);
  /** Free slots, oldest freed first, so a slot is reused as late as can be. */
  private readonly free = new Queue<number>();
  private used = 0;
  private readonly queues: Queue<number>[] = [];

  constructor(
    targets: number,
    private readonly strategy: Strategy,
  ) {
    for (let i = 0; i < targets; i++) this.queues.push(new Queue<number>());
  }

  /** A record handed to the targets of `mask` (`sentTo` of them): its tag, or -1 when too many are held. */
  open(mask: number, sentTo: number): number {
    let slot: number;
    if (this.used < INITIAL_SLOTS || this.free.length === 0) {
      if (this.used === SLOT_LIMIT) return -1;
      slot = this.newSlot();
    } else slot = this.free.shift()!;
    this.masks[slot] = mask;
    this.needed[slot] = this.deliveriesThatDecide(sentTo);
    this.named[slot] = sentTo;
    for (let target = 0, rest = mask; rest !== 0; target++, rest >>>= 1) {
      if ((rest & 1) !== 0) this.queues[target]!.push(slot);
    }
    this.pending++;
    return this.generations[slot]! * SLOT_LIMIT + slot;
  }

  /** `count` records delivered at `target`, the oldest it holds. */
  deliveredOldest(target: number, count: number): void {
    const bit = 1 << target;
    const queue = this.queues[target]!;
    while (count > 0 && queue.length > 0) {
      const slot = queue.shift()!;
      if ((this.masks[slot]! & bit) !== 0) {
        this.settle(slot, bit, true, false);
        count--;
      }
      this.unname(slot);
    }
  }

  /**
   * One record settled at `target` by name: delivered, or failed (`decided`: the failure
   * decided it under the strategy). A record without a tag (revived without it) stands for
   * the oldest the target holds. A failure of a record the target no longer holds is of one
   * a count took in the place of another still held (a transport settling successes by count
   * and failures by name, out of order): that count meant the oldest it holds, which is
   * delivered now, as the transport itself takes it. A delivery of one it no longer holds
   * settles nothing more.
   */
  settledNamed(target: number, tag: number, delivered: boolean, decided: boolean): void {
    const bit = 1 << target;
    const slot = this.slotOf(tag);
    if (slot !== undefined && (this.masks[slot]! & bit) !== 0) this.settle(slot, bit, delivered, decided);
    else {
      if (tag >= 0 && delivered) return;
      if (slot !== undefined && decided) this.decide(slot);
      const oldest = this.takeOldestHeld(target, bit);
      if (oldest === undefined) return;
      if (tag >= 0) this.settle(oldest, bit, true, false);
      else this.settle(oldest, bit, delivered, decided);
      this.unname(oldest);
    }
    // Entries the target settled by name wait in its queue until they reach its front.
    const queue = this.queues[target]!;
    while (queue.length > 0 && (this.masks[queue.peek()!]! & bit) === 0) this.unname(queue.shift()!);
  }

  /** The slot a tag names, while it is still that record's. */
  private slotOf(tag: number): number | undefined {
    if (!(tag >= 0)) return undefined;
    const slot = tag % SLOT_LIMIT;
    return slot < this.used && this.generations[slot] === Math.floor(tag / SLOT_LIMIT) ? slot : undefined;
  }

  private decide(slot: number): void {
    if (this.masks[slot] !== 0 && this.needed[slot] !== 0) this.pending--;
    this.needed[slot] = 0;
  }

  private settle(slot: number, bit: number, delivered: boolean, decided: boolean): void {
    const mask = this.masks[slot]!;
    let needed = this.needed[slot]!;
    const was = mask !== 0 && needed !== 0;
    const left = (mask & ~bit) >>> 0;
    this.masks[slot] = left;
    if (decided) needed = 0;
    else if (delivered && needed > 0) needed--;
    this.needed[slot] = needed;
    if (was && !(left !== 0 && needed !== 0)) this.pending--;
  }

  /** The slot of the oldest record `target` still holds, taken out of its queue (still named). */
  private takeOldestHeld(target: number, bit: number): number | undefined {
    const queue = this.queues[target]!;
    while (queue.length > 0) {
      const slot = queue.shift()!;
      if ((this.masks[slot]! & bit) !== 0) return slot;
      this.unname(slot);
    }
    return undefined;
  }

  private unname(slot: number): void {
    const named = this.named[slot]! - 1;
    this.named[slot] = named;
    if (named !== 0) return;
    this.generations[slot] = (this.generations[slot]! + 1) % GENERATIONS;
    this.free.push(slot);
  }

  private deliveriesThatDecide(sentTo: number): number {
    if (this.strategy === 'all') return sentTo;
    if (this.strategy === 'any') return 1;
    return (sentTo >> 1) + 1;
  }

  private newSlot(): number {
    if (this.used === this.masks.length) {
      const size = Math.min(SLOT_LIMIT, this.masks.length * 2);
      this.masks = grown(this.masks, new Uint32Array(size));
      this.needed = grown(this.needed, new Uint8Array(size));
      this.named = grown(this.named, new Uint8Array(size));
      this.generations = grown(this.generations, new Uint16Array(size));
    }
    return this.used++;
  }
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
