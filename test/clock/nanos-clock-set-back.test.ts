import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogRecord, MemoryTransport } from '../../src/index.js';
import { httpPreset } from '../../src/transports/http/presets/index.js';

afterEach(() => {
  vi.useRealTimers();
});

const preset = (name: string, options = {}) => httpPreset(name)!({ line: (r) => r.json(), ...options });

/**
 * "tick" logged once a millisecond for `count` ms from `start`, the clock then set back to
 * `start` (NTP stepping it back), and "tick" logged again for `again` ms: the two runs, as records.
 */
async function ticksAcrossASetBack(start: number, count: number, again: number): Promise<LogRecord[][]> {
  vi.useFakeTimers({ toFake: ['Date'] });
  const memory = new MemoryTransport({ maxRecords: 100_000 });
  const log = createLogger({ exitFlush: false, name: 'api', base: null, transports: [memory] });
  for (let i = 0; i < count; i++) {
    vi.setSystemTime(start + i);
    log.info('tick');
  }
  await log.flush();
  const first = memory.records();
  for (let i = 0; i < again; i++) {
    vi.setSystemTime(start + i);
    log.info('tick');
  }
  await log.close();
  return [first, memory.records().slice(count)];
}

// Loki keeps one entry per stream, nanosecond and line: a record given a nanosecond an earlier
// record with the same line had is dropped by Loki, though counted delivered.
describe('nanoseconds of records logged again at milliseconds already used (a clock set back)', () => {
  it('otlp: a record at a millisecond used before the set-back gets a nanosecond of its own', async () => {
    const start = Date.UTC(2026, 0, 1);
    const [first, again] = await ticksAcrossASetBack(start, 6_000, 10);
    const body = preset('otlp');
    const nanos = (records: LogRecord[]) =>
      (JSON.parse(body.body(records)).resourceLogs[0].scopeLogs[0].logRecords as { timeUnixNano: string }[]).map(
        (r) => r.timeUnixNano,
      );
    const before = new Set(nanos(first!));
    expect(before.size).toBe(6_000);
    const after = nanos(again!);
    expect(after.filter((n) => before.has(n))).toEqual([]);
  });

  it('loki: the same, for the push API', async () => {
    const start = Date.UTC(2026, 0, 2);
    const [first, again] = await ticksAcrossASetBack(start, 6_000, 10);
    const body = preset('loki', { labels: ['name'] });
    // The line is the record's own JSON, its time included: "tick" at a millisecond is one line.
    const entries = (records: LogRecord[]) =>
      (JSON.parse(body.body(records)).streams[0].values as string[][]).map(([n, line]) => `${n} ${line}`);
    const before = new Set(entries(first!));
    expect(before.size).toBe(6_000);
    const after = entries(again!);
    expect(after.filter((entry) => before.has(entry))).toEqual([]);
  });
});
