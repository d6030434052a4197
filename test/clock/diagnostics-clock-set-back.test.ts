import { describe, expect, it } from 'vitest';
import { runWithClock } from './wrong-clock.js';

const BAD = '/proc/not/here.log';

// Diagnostics without a handler say a problem once a minute: a minute that passes, not one of
// the wall clock, which NTP may set back by an hour in between.
describe('stderr diagnostics when the wall clock is set back', () => {
  it('a problem that recurs is said again a minute later, not an hour and a minute later', async () => {
    const result = await runWithClock(`
      const log = lib.createLogger({ base: null, exitFlush: false,
        transports: [{ type: 'file', path: ${JSON.stringify(BAD)} }] });
      const settled = async (n) => { while (log.stats().failed < n) await new Promise((r) => setTimeout(r, 5)); };
      log.info('one');
      await settled(1);
      // Counted first, reported on a later turn: said before the clock moves, as the test means.
      await new Promise((r) => setTimeout(r, 50));
      globalThis.stepClock(-3_600_000);
      globalThis.passTime(61_000);
      log.info('two');
      await settled(2);
      await log.close();
    `);
    const lines = result.stderr.split('\n').filter(Boolean);
    // Said again a minute later: what the minute held back summed, then the failure itself.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^streamlog: 1 record\(s\) failed \(.*\), in 1 report\(s\) held back in the minute before$/,
    );
    expect(lines[2]).toMatch(/^streamlog: 1 record\(s\) failed \(.*\/proc\/not\/here\.log.*\)$/);
  });

  it('a problem is said again a minute later, not before, when the clock was set forward', async () => {
    const result = await runWithClock(`
      const log = lib.createLogger({ base: null, exitFlush: false,
        transports: [{ type: 'file', path: ${JSON.stringify(BAD)} }] });
      const settled = async (n) => { while (log.stats().failed < n) await new Promise((r) => setTimeout(r, 5)); };
      log.info('one');
      await settled(1);
      globalThis.stepClock(3_600_000);
      for (let i = 2; i <= 4; i++) {
        log.info('again');
        await settled(i);
      }
      await log.close();
    `);
    const lines = result.stderr.split('\n').filter(Boolean);
    // The problem once, and at the end the failures the minute held back, summed.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/cannot open log file/);
    expect(lines[1]).toMatch(/^streamlog: 4 record\(s\) failed \(.*\), in 4 report\(s\) held back until the end$/);
  });
});
