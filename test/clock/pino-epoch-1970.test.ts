import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runWithClock } from './wrong-clock.js';

const PINO = fileURLToPath(new URL('../../node_modules/pino/pino.js', import.meta.url));

/** Creates a logger with pino's epochTime in a child whose clock starts at `start`; prints the line. */
function epochTimeAt(start: number) {
  return runWithClock(
    `
    const { createRequire } = await import('node:module');
    const pino = createRequire(import.meta.url)(${JSON.stringify(PINO)});
    const log = lib.createLogger({ base: null, exitFlush: false, timestamp: pino.stdTimeFunctions.epochTime,
      transports: [{ type: 'console' }] });
    log.info('up');
    await log.close();
    `,
    { CLOCK_START: String(start) },
  );
}

describe('pino epochTime under a wall clock before 2001', () => {
  it('a container whose clock starts in 1970 takes pino epochTime, as pino does', async () => {
    const result = await epochTimeAt(5_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const time = (JSON.parse(result.stdout) as { time: number }).time;
    expect(time).toBeGreaterThanOrEqual(5_000);
    expect(time).toBeLessThan(65_000);
  });

  it('a clock in 1999 (twelve digits of ms) too', async () => {
    const result = await epochTimeAt(Date.UTC(1999, 11, 31, 23, 59));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as { time: number }).time).toBeGreaterThanOrEqual(Date.UTC(1999, 11, 31, 23, 59));
  });
});
