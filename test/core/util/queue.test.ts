import { describe, expect, it } from 'vitest';
import { Queue } from '../../../src/core/util/queue.js';

describe('Queue', () => {
  it('keeps FIFO order across chunks, with pushes and shifts interleaved', () => {
    const queue = new Queue<number>();
    const expected: number[] = [];
    let next = 0;
    // Uneven steps so the head and the tail cross chunk boundaries at different times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 700 + round * 13; i++) {
        queue.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < 500; i++) expect(queue.shift()).toBe(expected.shift());
      expect(queue.length).toBe(expected.length);
      expect(queue.peek()).toBe(expected[0]);
    }
    expect(queue.drain()).toEqual(expected);
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('starts over once empty, and holds 300,000 items in order', () => {
    const queue = new Queue<number>();
    for (let i = 0; i < 3; i++) queue.push(i);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual([0, 1, 2]);
    for (let i = 0; i < 300_000; i++) queue.push(i);
    let ok = true;
    for (let i = 0; i < 300_000; i++) ok &&= queue.shift() === i;
    expect(ok).toBe(true);
    expect(queue.length).toBe(0);
  });
});
