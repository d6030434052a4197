import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { Collector } from '../helpers.js';

// A time function is recognised by what it writes once, at start-up, and the logger then
// writes the time itself: that is pino's line only if the function writes the time now.

describe('timestamp functions, as pino', () => {
  it('a function writing a fixed time (a frozen clock) is refused, not replaced by the real time', () => {
    const quiet = { exitFlush: false, transports: [new Collector()] };
    const frozenEpoch = () => ',"time":1577836800000';
    const frozenIso = () => ',"time":"2020-01-01T00:00:00.000Z"';
    expect(() => createLogger({ ...quiet, timestamp: frozenEpoch })).toThrow(
      /^timestamp: expected "epoch", "iso", true, false or pino's epochTime, isoTime or nullTime/,
    );
    expect(() => createLogger({ ...quiet, timestamp: frozenIso })).toThrow(/^timestamp: expected "epoch", "iso"/);
  });

  it('pino’s isoTimeNano and unixTime are refused, not written as milliseconds', () => {
    // isoTimeNano was taken for isoTime: its lines lost their nanoseconds, unsaid.
    const quiet = { exitFlush: false, transports: [new Collector()] };
    for (const timestamp of [pino.stdTimeFunctions.isoTimeNano, pino.stdTimeFunctions.unixTime]) {
      expect(() => createLogger({ ...quiet, timestamp })).toThrow(/^timestamp: expected "epoch", "iso", true, false/);
    }
  });

  it('pino’s own functions, and one writing the time now in their form, are still taken', async () => {
    const functions = [
      pino.stdTimeFunctions.epochTime,
      pino.stdTimeFunctions.isoTime,
      () => `,"time":${Date.now()}`,
      () => `,"time":"${new Date().toISOString()}"`,
    ];
    for (const timestamp of functions) {
      const out = new Collector();
      const log = createLogger({ exitFlush: false, base: null, timestamp, transports: [out] });
      const before = Date.now();
      log.info('x');
      await log.flush();
      const time = out.json()[0]!.time;
      expect(typeof time === 'number' ? time : Date.parse(time as string)).toBeGreaterThanOrEqual(before - 1);
    }
  });
});
