import { IntRing } from '../util/int-ring.js';
import type { Strategy } from './events.js';

/** The most targets counted this way: one bit each in a 32-bit mask. */
export const MAX_HOLDING_TARGETS = 32;

/**
 * A record sent to some of the targets has a tag: its slot and the slot's generation in one
 * integer under 2^31 (no allocation on the record), so a record settled late by name is not
 * taken for the record its slot was given to since. 2^25 slots at once at the most.
 */
const SLOT_BITS = 25;
const SLOT_LIMIT = 2 ** SLOT_BITS;
const SLOT_MASK = SLOT_LIMIT - 1;
const GENERATION_MASK = 2 ** 6 - 1;
/** Slots made before any is reused: a slot comes back after this many others at the least. */
const INITIAL_SLOTS = 1024;
/**
 * A record sent to every target is an entry of a ring in routing order; its tag is -2 less
 * its number modulo 2^30 (so -2 and below: -1 is no tag). At most 2^25 such records at once.
 */
const EVERY_SPAN = 2 ** 30;
const EVERY_LIMIT = 2 ** 25;
/** A ring that empties while larger than this is made small again. */
const SHRINK_ABOVE = 65_536;
/** Records moved out of the ring's way at most per time it is full (see makeRingRoom). */
const MOVES_PER_ROOM = 64;

/** What the holds know of a record revived from a spool without its fate (see recall). */
export interface RecalledFate {
  /** Its targets, less those that left it out. */
  sentTo: number;
  /** Targets that failed it so far. */
  failures: number;
  /** Decided under the strategy already (delivered or failed, and counted so). */
  decided: boolean;
}

/**
 * Which targets still hold each record a router with several targets has routed, so that
 * `pending` is exact when targets hold different records (their levels differ, one skips an
 * unhealthy target, one is down while another is not, one failed what another holds). Taking
 * the count of the target furthest behind, as one target allows, said `delivered 20, pending
 * 20` for 40 records parked in two spools.
 *
 * Per record: a mask of the targets that still hold it, how many more deliveries decide it
 * delivered under the strategy (0: decided, either way) and how many targets failed it.
 * Records sent to every target (a fan-out, the usual case) are entries of one ring in routing
 * order, and each target has a cursor into it: nothing per target per record. Records sent
 * to some targets only have a slot each, and each of those targets a queue of its slots, in
 * order. A settlement by count takes the oldest a target still holds of both (in-order
 * settlement, as the built-in transports do); one that names records, and a failure, takes
 * those records' own. Memory: 7 bytes per fanned-out record held, 18 per other record held
 * and 4 per target holding it; a ring entry one target holds long (a request that never
 * ends) is moved to a slot when the ring fills, so it does not keep the ring from letting go
 * of the records after it.
 */
export class RecordHolds {
  /** Records some target still holds that no settlement has decided yet. */
  pending = 0;

  private readonly every: number;
  private readonly targets: number;
  private readonly everyNeeded: number;
  private everyMasks = new Uint32Array(INITIAL_SLOTS);
  private everyLeft = new Uint8Array(INITIAL_SLOTS);
  private everyFailed = new Uint8Array(INITIAL_SLOTS);
  /** Targets that left the record out (see leftOut). */
  private everyLeftOut = new Uint8Array(INITIAL_SLOTS);
  private everyBits = INITIAL_SLOTS - 1;
  /** Numbers of the oldest fanned-out record kept and of the next. */
  private head = 0;
  private tail = 0;
  /** Per target: the number of the next fanned-out record it has not passed. */
  private readonly cursors: number[] = [];
  /** Fanned-out records moved to slots, by number (their tags name the number), and back. */
  private readonly movedToSlot = new Map<number, number>();
  private readonly movedFrom = new Map<number, number>();

  private masks = new Uint32Array(INITIAL_SLOTS);
  private needed = new Uint8Array(INITIAL_SLOTS);
  private failed = new Uint8Array(INITIAL_SLOTS);
  private sent = new Uint8Array(INITIAL_SLOTS);
  /** Entries in the targets' queues that name the slot (it is free once none does). */
  private named = new Uint8Array(INITIAL_SLOTS);
  private generations = new Uint8Array(INITIAL_SLOTS);
  /** The number of the fanned-out record routed next when the slot's record was: its place among them. */
  private before = new Float64Array(INITIAL_SLOTS);
  /** Free slots, oldest freed first, so a slot is reused as late as can be. */
  private readonly free = new IntRing(INITIAL_SLOTS);
  private used = 0;
  private readonly queues: IntRing[] = [];
  /** Deliveries that decide a record sent to n targets, by n. */
  private readonly deciding: Uint8Array;

  constructor(targets: number, strategy: Strategy) {
    for (let i = 0; i < targets; i++) {
      this.queues.push(new IntRing());
      this.cursors.push(0);
    }
    this.targets = targets;
    this.every = targets === 32 ? 0xffffffff : 2 ** targets - 1;
    this.deciding = new Uint8Array(MAX_HOLDING_TARGETS + 1);
    for (let n = 0; n <= MAX_HOLDING_TARGETS; n++) {
      this.deciding[n] = strategy === 'all' ? n : strategy === 'any' ? 1 : (n >> 1) + 1;
    }
    this.everyNeeded = this.deciding[targets]!;
  }

  /** A record handed to the targets of `mask` (`sentTo` of them): its tag, or -1 when too many are held. */
  open(mask: number, sentTo: number): number {
    if (mask === this.every) {
      const number = this.tail;
      if (number - this.head === this.everyMasks.length && !this.makeRingRoom()) return -1;
      const index = number & this.everyBits;
      this.everyMasks[index] = mask;
      this.everyLeft[index] = this.everyNeeded;
      this.everyFailed[index] = 0;
      this.everyLeftOut[index] = 0;
      this.tail = number + 1;
      this.pending++;
      // `&` keeps the low 32 bits of any number below 2^53: its number modulo 2^30, without a division.
      return -2 - (number & (EVERY_SPAN - 1));
    }
    const slot = this.takeSlot();
    if (slot < 0) return -1;
    this.masks[slot] = mask;
    this.needed[slot] = this.deciding[sentTo]!;
    this.failed[slot] = 0;
    this.sent[slot] = sentTo;
    this.named[slot] = sentTo;
    this.before[slot] = this.tail;
    const queues = this.queues;
    for (let target = 0, rest = mask; rest !== 0; target++, rest >>>= 1) {
      if ((rest & 1) !== 0) queues[target]!.push(slot);
    }
    this.pending++;
    return (this.generations[slot]! << SLOT_BITS) | slot;
  }

  /** `count` records delivered at `target`, the oldest it holds. */
  deliveredOldest(target: number, count: number): void {
    if (this.queues[target]!.length === 0) {
      this.deliveredFannedOut(target, count);
      return;
    }
    while (count > 0 && this.settleOldest(target, true, false)) count--;
  }

  /** deliveredOldest for a target that holds only fanned-out records: the ring alone, in one pass. */
  private deliveredFannedOut(target: number, count: number): void {
    const bit = 1 << target;
    const masks = this.everyMasks;
    const left = this.everyLeft;
    const bits = this.everyBits;
    const tail = this.tail;
    let cursor = Math.max(this.cursors[target]!, this.head);
    while (count > 0 && cursor < tail) {
      const index = cursor & bits;
      const mask = masks[index]!;
      cursor++;
      if ((mask & bit) === 0) continue;
      const rest = (mask & ~bit) >>> 0;
      masks[index] = rest;
      const needed = left[index]!;
      if (needed !== 0) {
        left[index] = needed - 1;
        if (rest === 0 || needed === 1) this.pending--;
      }
      count--;
    }
    this.cursors[target] = cursor;
    this.letGoOfPassed();
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
    const number = tag <= -2 ? this.numberOf(tag) : undefined;
    const slot = number === undefined ? this.slotOf(tag) : this.movedToSlot.get(number);
    if (number !== undefined && slot === undefined) {
      const index = number & this.everyBits;
      if (number >= this.head && (this.everyMasks[index]! & bit) !== 0) {
        this.settleEvery(number, bit, delivered, decided);
        return;
      }
      if (delivered) return;
      if (decided && number >= this.head) this.decideEvery(number);
    } else if (slot !== undefined && (this.masks[slot]! & bit) !== 0) {
      this.settleSlot(slot, bit, delivered, decided);
      // Entries the target settled by name wait in its queue until they reach its front.
      const queue = this.queues[target]!;
      while (queue.length > 0 && (this.masks[queue.peek()]! & bit) === 0) this.unname(queue.shift());
      return;
    } else {
      if (tag !== -1 && delivered) return;
      if (slot !== undefined && decided) this.decideSlot(slot);
    }
    if (tag !== -1) this.settleOldest(target, true, false);
    else this.settleOldest(target, delivered, decided);
  }

  /**
   * A record revived from a spool with its tag but not its fate (past what the spool keeps in
   * memory): what the holds know of it, so that its failure there is not counted a second time.
   */
  recall(tag: number): RecalledFate | undefined {
    const number = tag <= -2 ? this.numberOf(tag) : undefined;
    const slot = number === undefined ? this.slotOf(tag) : this.movedToSlot.get(number);
    if (slot !== undefined) {
      return { sentTo: this.sent[slot]!, failures: this.failed[slot]!, decided: this.needed[slot] === 0 };
    }
    if (number === undefined || number < this.head) return undefined;
    const index = number & this.everyBits;
    return {
      sentTo: this.targets - this.everyLeftOut[index]!,
      failures: this.everyFailed[index]!,
      decided: this.everyLeft[index] === 0,
    };
  }

  /**
   * `target` left the record out on purpose: it no longer holds it, and it is no longer one of
   * the record's targets, so the strategy needs as many deliveries as it would of the rest (all
   * of them under `all`). When none is left it is decided (the router counts it left out), and
   * so it is when the router decided it (`decided`: the failures so far are enough now). A
   * record without a tag, or one a count took already, stands for the oldest the target holds,
   * as in settledNamed.
   */
  leftOut(target: number, tag: number, decided: boolean): void {
    const bit = 1 << target;
    const number = tag <= -2 ? this.numberOf(tag) : undefined;
    const slot = number === undefined ? this.slotOf(tag) : this.movedToSlot.get(number);
    if (number !== undefined && slot === undefined) {
      const index = number & this.everyBits;
      if (number >= this.head && (this.everyMasks[index]! & bit) !== 0) {
        const targets = this.targets - this.everyLeftOut[index]!;
        this.everyLeftOut[index] = this.everyLeftOut[index]! + 1;
        const left = (this.everyMasks[index]! & ~bit) >>> 0;
        this.everyMasks[index] = left;
        this.everyLeft[index] = this.withoutOne(left, this.everyLeft[index]!, targets, decided);
        this.letGoOfPassed();
        return;
      }
    } else if (slot !== undefined && (this.masks[slot]! & bit) !== 0) {
      const targets = this.sent[slot]!;
      this.sent[slot] = targets - 1;
      const left = (this.masks[slot]! & ~bit) >>> 0;
      this.masks[slot] = left;
      this.needed[slot] = this.withoutOne(left, this.needed[slot]!, targets, decided);
      const queue = this.queues[target]!;
      while (queue.length > 0 && (this.masks[queue.peek()]! & bit) === 0) this.unname(queue.shift());
      return;
    }
    this.settleOldest(target, true, false);
  }

  /** What a record sent to `targets` still needs once one of them left it out; counts it out of `pending`. */
  private withoutOne(left: number, needed: number, targets: number, decided: boolean): number {
    if (needed === 0) return 0;
    const delivered = this.deciding[targets]! - needed;
    const now = decided || targets <= 1 ? 0 : Math.max(0, this.deciding[targets - 1]! - delivered);
    if (left === 0 || now === 0) this.pending--;
    return now;
  }

  /** Settles the oldest record `target` holds, fanned out or not: false when it holds none. */
  private settleOldest(target: number, delivered: boolean, decided: boolean): boolean {
    const bit = 1 << target;
    const queue = this.queues[target]!;
    for (;;) {
      // Records before the ring's head are settled everywhere, or moved to slots.
      const cursor = Math.max(this.cursors[target]!, this.head);
      const slot = queue.length > 0 ? queue.peek() : -1;
      if (slot >= 0 && cursor >= this.before[slot]!) {
        queue.shift();
        const held = (this.masks[slot]! & bit) !== 0;
        if (held) this.settleSlot(slot, bit, delivered, decided);
        this.unname(slot);
        this.cursors[target] = cursor;
        if (held) return true;
        continue;
      }
      if (cursor >= this.tail) {
        this.cursors[target] = cursor;
        return false;
      }
      this.cursors[target] = cursor + 1;
      const index = cursor & this.everyBits;
      if ((this.everyMasks[index]! & bit) !== 0) {
        this.settleEvery(cursor, bit, delivered, decided);
        return true;
      }
    }
  }

  private settleEvery(number: number, bit: number, delivered: boolean, decided: boolean): void {
    const index = number & this.everyBits;
    const left = (this.everyMasks[index]! & ~bit) >>> 0;
    this.everyMasks[index] = left;
    if (!delivered) this.everyFailed[index] = this.everyFailed[index]! + 1;
    this.everyLeft[index] = this.outcome(left, this.everyLeft[index]!, delivered, decided);
    this.letGoOfPassed();
  }

  /** Entries every target has passed are let go; a ring emptied after a long outage is made small again. */
  private letGoOfPassed(): void {
    const masks = this.everyMasks;
    const bits = this.everyBits;
    while (this.head < this.tail && masks[this.head & bits] === 0) this.head++;
    if (this.head === this.tail && masks.length > SHRINK_ABOVE) {
      this.everyMasks = new Uint32Array(INITIAL_SLOTS);
      this.everyLeft = new Uint8Array(INITIAL_SLOTS);
      this.everyFailed = new Uint8Array(INITIAL_SLOTS);
      this.everyLeftOut = new Uint8Array(INITIAL_SLOTS);
      this.everyBits = INITIAL_SLOTS - 1;
    }
  }

  private settleSlot(slot: number, bit: number, delivered: boolean, decided: boolean): void {
    const left = (this.masks[slot]! & ~bit) >>> 0;
    this.masks[slot] = left;
    if (!delivered) this.failed[slot] = this.failed[slot]! + 1;
    this.needed[slot] = this.outcome(left, this.needed[slot]!, delivered, decided);
  }

  /** What a record still needs once a target settled it (`left` still hold it); counts it out of `pending`. */
  private outcome(left: number, needed: number, delivered: boolean, decided: boolean): number {
    // It held the settling target, so it was pending unless decided.
    if (needed === 0) return 0;
    const now = decided ? 0 : delivered ? needed - 1 : needed;
    if (left === 0 || now === 0) this.pending--;
    return now;
  }

  private decideEvery(number: number): void {
    const index = number & this.everyBits;
    if (this.everyMasks[index] !== 0 && this.everyLeft[index] !== 0) this.pending--;
    this.everyLeft[index] = 0;
  }

  private decideSlot(slot: number): void {
    if (this.masks[slot] !== 0 && this.needed[slot] !== 0) this.pending--;
    this.needed[slot] = 0;
  }

  /** The number of the fanned-out record a tag names (the latest with its low bits), if not yet let go. */
  private numberOf(tag: number): number | undefined {
    const low = -2 - tag;
    const last = this.tail - 1;
    if (last < 0) return undefined;
    const number = last - (((last & (EVERY_SPAN - 1)) - low) & (EVERY_SPAN - 1));
    return number >= this.head || this.movedToSlot.has(number) ? number : undefined;
  }

  /** The slot a tag names, while it is still that record's. */
  private slotOf(tag: number): number | undefined {
    if (tag < 0) return undefined;
    const slot = tag & SLOT_MASK;
    return slot < this.used && this.generations[slot] === tag >>> SLOT_BITS ? slot : undefined;
  }

  private takeSlot(): number {
    if (this.used >= INITIAL_SLOTS && this.free.length > 0) return this.free.shift();
    if (this.used === SLOT_LIMIT) return -1;
    if (this.used === this.masks.length) {
      const size = Math.min(SLOT_LIMIT, this.masks.length * 2);
      this.masks = grown(this.masks, new Uint32Array(size));
      this.needed = grown(this.needed, new Uint8Array(size));
      this.failed = grown(this.failed, new Uint8Array(size));
      this.sent = grown(this.sent, new Uint8Array(size));
      this.named = grown(this.named, new Uint8Array(size));
      this.generations = grown(this.generations, new Uint8Array(size));
      this.before = grown(this.before, new Float64Array(size));
    }
    return this.used++;
  }

  private unname(slot: number): void {
    const named = this.named[slot]! - 1;
    this.named[slot] = named;
    if (named !== 0) return;
    this.generations[slot] = (this.generations[slot]! + 1) & GENERATION_MASK;
    this.free.push(slot);
    if (this.movedFrom.size > 0) {
      const number = this.movedFrom.get(slot);
      if (number !== undefined) {
        this.movedFrom.delete(slot);
        this.movedToSlot.delete(number);
      }
    }
  }

  /**
   * The ring is full. Its oldest records may be held long by one target (a request that never
   * ends) while the records after them have passed: those few are moved to slots, and the ring
   * lets go of what has passed; else it grows.
   */
  private makeRingRoom(): boolean {
    for (let moves = 0; moves < MOVES_PER_ROOM && this.head < this.tail; moves++) {
      if (this.everyMasks[this.head & this.everyBits] !== 0 && !this.moveToSlot(this.head)) break;
      this.letGoOfPassed();
      if (this.tail - this.head <= this.everyMasks.length / 2) return true;
    }
    return this.growRing();
  }

  /** The fanned-out record `number` becomes a slot, in each holding target's queue at its place. */
  private moveToSlot(number: number): boolean {
    const index = number & this.everyBits;
    const mask = this.everyMasks[index]!;
    const slot = this.takeSlot();
    if (slot < 0) return false;
    this.masks[slot] = mask;
    this.needed[slot] = this.everyLeft[index]!;
    this.failed[slot] = this.everyFailed[index]!;
    this.sent[slot] = this.targets - this.everyLeftOut[index]!;
    this.before[slot] = number;
    let named = 0;
    for (let target = 0, rest = mask; rest !== 0; target++, rest >>>= 1) {
      if ((rest & 1) === 0) continue;
      named++;
      // After the target's slots that came before the record (`before` at most its number):
      // the queue is in routing order, so found by halving.
      const queue = this.queues[target]!;
      let low = 0;
      let high = queue.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (this.before[queue.at(middle)]! <= number) low = middle + 1;
        else high = middle;
      }
      queue.insertAt(low, slot);
    }
    this.named[slot] = named;
    this.everyMasks[index] = 0;
    this.everyLeft[index] = 0;
    this.movedToSlot.set(number, slot);
    this.movedFrom.set(slot, number);
    return true;
  }

  private growRing(): boolean {
    const size = this.everyMasks.length * 2;
    if (size > EVERY_LIMIT) return false;
    const masks = new Uint32Array(size);
    const left = new Uint8Array(size);
    const failed = new Uint8Array(size);
    const leftOut = new Uint8Array(size);
    for (let number = this.head; number < this.tail; number++) {
      const from = number & this.everyBits;
      masks[number & (size - 1)] = this.everyMasks[from]!;
      left[number & (size - 1)] = this.everyLeft[from]!;
      failed[number & (size - 1)] = this.everyFailed[from]!;
      leftOut[number & (size - 1)] = this.everyLeftOut[from]!;
    }
    this.everyMasks = masks;
    this.everyLeft = left;
    this.everyFailed = failed;
    this.everyLeftOut = leftOut;
    this.everyBits = size - 1;
    return true;
  }
}

function grown<T extends Uint8Array | Uint32Array | Float64Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
