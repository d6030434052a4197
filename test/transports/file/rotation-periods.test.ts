import { describe, expect, it } from 'vitest';
import { RotationPlan } from '../../../src/transports/file/rotation.js';

const DAY = 86_400_000;

describe('rotation periods of several days', () => {
  it('hold the time they are for, on both sides of 1970-01-01', () => {
    const plan = new RotationPlan('/tmp/app.log', { interval: 3 * DAY, utc: true });
    for (const time of [
      Date.UTC(1969, 11, 31, 12),
      Date.UTC(1969, 11, 29, 1),
      Date.UTC(1970, 0, 1, 0),
      Date.UTC(1970, 0, 2, 12),
      Date.UTC(2026, 11, 7, 13),
    ]) {
      const start = plan.periodStart(time);
      // Before: a day before 1970 got a start after it, so one file held three days' lines.
      expect(start, new Date(time).toISOString()).toBeLessThanOrEqual(time);
      expect(plan.nextBoundary(time), new Date(time).toISOString()).toBeGreaterThan(time);
      expect(plan.nextBoundary(time) - start).toBe(3 * DAY);
    }
    // Periods follow one another: 1970-01-01 starts one, so 1969-12-29 starts the one before.
    expect(plan.periodStart(Date.UTC(1969, 11, 31, 12))).toBe(Date.UTC(1969, 11, 29));
    expect(plan.periodStart(Date.UTC(1970, 0, 2, 12))).toBe(Date.UTC(1970, 0, 1));
  });
});
