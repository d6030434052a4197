import { describe, expect, it } from 'vitest';
import { RecordHolds } from '../../../src/core/routing/record-holds.js';

const A = 0b01;
const B = 0b10;

describe('RecordHolds: which targets still hold each record', () => {
  it('counts records two targets hold apart as pending, each until its target settles it', () => {
    const holds = new RecordHolds(2, 'all');
    for (let i = 0; i < 5; i++) holds.open(A, 1);
    for (let i = 0; i < 5; i++) holds.open(B, 1);
    // The count of the target furthest behind would say 5.
    expect(holds.pending).toBe(10);
    holds.deliveredOldest(0, 5);
    expect(holds.pending).toBe(5);
    holds.deliveredOldest(1, 5);
    expect(holds.pending).toBe(0);
  });

  it('under all, a record is pending until its last target delivers it', () => {
    const holds = new RecordHolds(2, 'all');
    holds.open(A | B, 2);
    holds.deliveredOldest(0, 1);
    expect(holds.pending).toBe(1);
    holds.deliveredOldest(1, 1);
    expect(holds.pending).toBe(0);
  });

  it('under any, the first delivery decides; under majority, more than half', () => {
    const any = new RecordHolds(2, 'any');
    any.open(A | B, 2);
    any.deliveredOldest(1, 1);
    expect(any.pending).toBe(0);

    const majority = new RecordHolds(3, 'majority');
    majority.open(0b111, 3);
    majority.deliveredOldest(0, 1);
    expect(majority.pending).toBe(1);
    majority.deliveredOldest(2, 1);
    expect(majority.pending).toBe(0);
  });

  it('a failure that decides the record ends its pending, though another target holds it', () => {
    const holds = new RecordHolds(2, 'all');
    const slot = holds.open(A | B, 2);
    holds.settledNamed(1, slot, false, true);
    expect(holds.pending).toBe(0);
    // A's delivery of it later changes nothing (the record failed).
    holds.deliveredOldest(0, 1);
    expect(holds.pending).toBe(0);
  });

  it('a record failed by name out of order is passed over by the deliveries that count the oldest', () => {
    const holds = new RecordHolds(2, 'all');
    holds.open(A, 1);
    const second = holds.open(A, 1);
    holds.open(A, 1);
    const atB = holds.open(B, 1);
    holds.settledNamed(0, second, false, true);
    expect(holds.pending).toBe(3);
    // Two deliveries at A are the first and the third record, not the failed one again.
    holds.deliveredOldest(0, 2);
    expect(holds.pending).toBe(1);
    // More deliveries than A holds settle nothing of B's.
    holds.deliveredOldest(0, 5);
    expect(holds.pending).toBe(1);
    holds.settledNamed(1, atB, true, false);
    expect(holds.pending).toBe(0);
  });

  it('a record settled without its tag stands for the oldest the target holds', () => {
    const holds = new RecordHolds(2, 'all');
    const first = holds.open(A | B, 2);
    const second = holds.open(A | B, 2);
    holds.settledNamed(0, -1, true, false);
    holds.settledNamed(1, -1, true, false);
    expect(holds.pending).toBe(1);
    // Named again once settled: not settled twice, and not in the place of another.
    holds.settledNamed(0, first, true, false);
    holds.settledNamed(1, first, true, false);
    expect(holds.pending).toBe(1);
    holds.settledNamed(0, second, true, false);
    holds.settledNamed(1, second, true, false);
    expect(holds.pending).toBe(0);
  });

  it('a failure by name of a record a count took is the oldest held delivered, as the transport takes it', () => {
    const holds = new RecordHolds(2, 'all');
    const late = holds.open(A | B, 2);
    holds.open(A | B, 2);
    holds.deliveredOldest(1, 2);
    // A delivers its second record by count (taken as the first), then fails the first by name.
    holds.deliveredOldest(0, 1);
    expect(holds.pending).toBe(1);
    holds.settledNamed(0, late, false, true);
    // The failed one is decided (failed), the other delivered everywhere: nothing pending.
    expect(holds.pending).toBe(0);
  });

  it('gives slots back once settled everywhere, and a late name of a freed slot is not its next record', () => {
    const holds = new RecordHolds(2, 'all');
    const slots = new Set<number>();
    const tags: number[] = [];
    for (let round = 0; round < 10_000; round++) {
      const tag = holds.open(round % 3 === 0 ? A : A | B, round % 3 === 0 ? 1 : 2);
      tags.push(tag);
      // Records sent to both are a ring's entries, not slots.
      if (tag >= 0) slots.add(tag % 2 ** 21);
      holds.deliveredOldest(0, 1);
      holds.deliveredOldest(1, 1);
    }
    expect(holds.pending).toBe(0);
    // Slots are reused: the first 1,024 are all that is ever made.
    expect(slots.size).toBe(1024);
    const held = holds.open(A, 1);
    const stale = tags.find((tag) => tag % 2 ** 21 === held % 2 ** 21)!;
    expect(stale).not.toBe(held);
    // A record settled long ago, failed late by name at B: not the record its slot holds now
    // (which B never had), so that one is not decided failed.
    holds.settledNamed(1, stale, false, true);
    expect(holds.pending).toBe(1);
    holds.settledNamed(0, held, true, false);
    expect(holds.pending).toBe(0);
  });

  it('a target settles records sent to every target and to some, in the order they came', () => {
    const holds = new RecordHolds(2, 'all');
    holds.open(A | B, 2); // 1: to both (a ring's entry)
    const second = holds.open(A, 1); // 2: to A only (a slot)
    holds.open(A | B, 2); // 3: to both
    holds.open(B, 1); // 4: to B only
    expect(holds.pending).toBe(4);
    holds.deliveredOldest(0, 2); // A: 1 and 2
    expect(holds.pending).toBe(3);
    holds.deliveredOldest(1, 1); // B: 1
    expect(holds.pending).toBe(2);
    // Named again once settled: nothing more.
    holds.settledNamed(0, second, true, false);
    expect(holds.pending).toBe(2);
    holds.deliveredOldest(1, 2); // B: 3 and 4
    expect(holds.pending).toBe(1);
    holds.deliveredOldest(0, 5); // A: 3, and nothing more to take
    expect(holds.pending).toBe(0);
  });

  it('a fanned-out record failed by name ahead of its turn is passed over by the counts', () => {
    const holds = new RecordHolds(2, 'all');
    holds.open(A | B, 2);
    const middle = holds.open(A | B, 2);
    holds.open(A | B, 2);
    holds.settledNamed(0, middle, false, true);
    expect(holds.pending).toBe(2);
    holds.deliveredOldest(0, 2);
    holds.deliveredOldest(1, 3);
    expect(holds.pending).toBe(0);
  });

  it('keeps few entries for a long fan-out, however many records pass', () => {
    const holds = new RecordHolds(3, 'majority');
    for (let i = 0; i < 100_000; i++) {
      holds.open(0b111, 3);
      if (i % 100 === 99) for (let t = 0; t < 3; t++) holds.deliveredOldest(t, 100);
    }
    expect(holds.pending).toBe(0);
    // A fanned-out record's tag: -2 and below.
    const tag = holds.open(0b111, 3);
    expect(tag).toBeLessThan(-1);
  });

  it("moves a record one target holds long out of the ring, in its place among the target's records", () => {
    const holds = new RecordHolds(2, 'all');
    const older = holds.open(A, 1); // to A only, before the stuck one
    const stuck = holds.open(A | B, 2); // A never settles it; B does
    holds.deliveredOldest(1, 1);
    // A million records pass both targets: the ring is full many times over behind the stuck one.
    for (let i = 0; i < 1_000_000; i++) {
      holds.open(A | B, 2);
      holds.settledNamed(0, -2 - ((i + 1) % 2 ** 30), true, false);
      holds.deliveredOldest(1, 1);
    }
    expect(holds.pending).toBe(2);
    // A's oldest are still the older one, then the stuck one: by count, in that order.
    holds.deliveredOldest(0, 1);
    expect(holds.recall(older)).toBeUndefined();
    expect(holds.recall(stuck)).toEqual({ sentTo: 2, failures: 0, decided: false });
    expect(holds.pending).toBe(1);
    // The stuck one, moved to a slot, is still found by its tag.
    holds.settledNamed(0, stuck, false, true);
    expect(holds.pending).toBe(0);
  });

  it('recalls a record from its tag: its target count, failures so far, and whether it is decided', () => {
    const holds = new RecordHolds(3, 'majority');
    const some = holds.open(0b011, 2);
    const every = holds.open(0b111, 3);
    holds.settledNamed(2, every, false, false);
    expect(holds.recall(every)).toEqual({ sentTo: 3, failures: 1, decided: false });
    expect(holds.recall(some)).toEqual({ sentTo: 2, failures: 0, decided: false });
    holds.settledNamed(0, every, true, false);
    holds.settledNamed(1, every, true, false);
    // Settled everywhere and let go: nothing to recall.
    expect(holds.recall(every)).toBeUndefined();
  });

  it.each([
    ['all', 2, 1],
    ['any', 0, 0],
    ['majority', 2, 0],
  ] as const)(
    '%s: a target that leaves a record out is no longer one of its targets',
    (strategy, afterOne, afterTwo) => {
      const holds = new RecordHolds(4, strategy);
      const some = holds.open(0b0111, 3);
      const every = holds.open(0b1111, 4);
      for (const tag of [some, every]) {
        holds.settledNamed(1, tag, true, false);
        holds.leftOut(0, tag, false);
      }
      // `all`: the two others of `some` and the three of `every` must deliver; `majority`: 2 of 2
      // and 2 of 3, one delivered; `any`: decided at the first delivery.
      expect(holds.pending).toBe(afterOne);
      if (strategy !== 'any') {
        expect(holds.recall(some)).toEqual({ sentTo: 2, failures: 0, decided: false });
        expect(holds.recall(every)).toEqual({ sentTo: 3, failures: 0, decided: false });
      }
      for (const tag of [some, every]) holds.settledNamed(2, tag, true, false);
      expect(holds.pending).toBe(afterTwo);
    },
  );

  it('a record every target leaves out is decided, and let go once none holds it', () => {
    const holds = new RecordHolds(2, 'any');
    const tag = holds.open(0b11, 2);
    holds.leftOut(0, tag, false);
    expect(holds.pending).toBe(1);
    expect(holds.recall(tag)).toEqual({ sentTo: 1, failures: 0, decided: false });
    holds.leftOut(1, tag, false);
    expect(holds.pending).toBe(0);
    expect(holds.recall(tag)).toBeUndefined();
  });

  it('holds more than two million records some targets skip (a long outage of one of them)', () => {
    const holds = new RecordHolds(2, 'all');
    let untagged = 0;
    for (let i = 0; i < 2_200_000; i++) if (holds.open(A, 1) < 0) untagged++;
    expect(untagged).toBe(0);
    expect(holds.pending).toBe(2_200_000);
    holds.deliveredOldest(0, 2_200_000);
    expect(holds.pending).toBe(0);
  });

  it('grows past its first size and keeps every record straight', () => {
    const holds = new RecordHolds(32, 'all');
    const top = 1 << 31;
    for (let i = 0; i < 5000; i++) holds.open(i % 2 === 0 ? (top | 1) >>> 0 : 1, i % 2 === 0 ? 2 : 1);
    expect(holds.pending).toBe(5000);
    holds.deliveredOldest(0, 5000);
    // The even ones wait for the 32nd target.
    expect(holds.pending).toBe(2500);
    holds.deliveredOldest(31, 2500);
    expect(holds.pending).toBe(0);
  });
});
