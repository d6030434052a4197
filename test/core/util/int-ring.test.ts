import { describe, expect, it } from 'vitest';
import { IntRing } from '../../../src/core/util/int-ring.js';

function contents(ring: IntRing): number[] {
  return Array.from({ length: ring.length }, (_, i) => ring.at(i));
}

describe('IntRing', () => {
  it('is a FIFO that grows past its size and wraps around', () => {
    const ring = new IntRing(16);
    for (let i = 0; i < 10; i++) ring.push(i);
    for (let i = 0; i < 8; i++) expect(ring.shift()).toBe(i);
    for (let i = 10; i < 50; i++) ring.push(i);
    expect(ring.peek()).toBe(8);
    expect(contents(ring)).toEqual(Array.from({ length: 42 }, (_, i) => i + 8));
    while (ring.length > 0) ring.shift();
    expect(ring.shift()).toBe(-1);
    expect(ring.peek()).toBe(-1);
  });

  it('inserts at any place, moving the shorter side, across the wrap', () => {
    const ring = new IntRing(16);
    for (let i = 0; i < 12; i++) ring.push(i);
    for (let i = 0; i < 10; i++) ring.shift();
    for (let i = 12; i < 22; i++) ring.push(i); // 10..21, wrapped
    ring.insertAt(1, 100); // near the front
    ring.insertAt(10, 200); // near the back
    ring.insertAt(0, 300);
    ring.insertAt(ring.length, 400);
    expect(contents(ring)).toEqual([300, 10, 100, 11, 12, 13, 14, 15, 16, 17, 18, 200, 19, 20, 21, 400]);
    // Full: the next insert grows it.
    ring.insertAt(8, 500);
    expect(contents(ring)).toEqual([300, 10, 100, 11, 12, 13, 14, 15, 500, 16, 17, 18, 200, 19, 20, 21, 400]);
  });
});
