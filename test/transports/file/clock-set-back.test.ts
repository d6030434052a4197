import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Logs one line `{ i }` at each wall-clock time, rotating daily at UTC midnight; returns each file's `i`s. */
async function logAt(times: number[]): Promise<Record<string, number[]>> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(times[0]!);
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-clock-'));
  dirs.push(dir);
  const log = createLogger({
    exitFlush: false,
    transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { interval: 'daily', utc: true } }],
  });
  for (const [i, at] of times.entries()) {
    vi.setSystemTime(at);
    log.info({ i }, 'tick');
  }
  await log.close();
  expect(log.stats()).toMatchObject({ logged: times.length, delivered: times.length, failed: 0, pending: 0 });
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { i: number }).i),
    ]),
  );
}

describe('file transport: time rotation when the wall clock is set back', () => {
  it("a wrong date years ahead, then corrected: rotation resumes at the corrected clock's next midnight", async () => {
    const files = await logAt([
      Date.UTC(2031, 2, 10, 12),
      Date.UTC(2031, 2, 11, 0, 0, 1), // a boundary of the wrong clock: rotates
      Date.UTC(2025, 5, 1, 12), // corrected by NTP
      Date.UTC(2025, 5, 2, 0, 0, 1), // the corrected clock's midnight
      Date.UTC(2025, 5, 3, 0, 0, 1),
    ]);
    expect(files).toEqual({
      'app.1.rotated.log': [0],
      'app.2.rotated.log': [1, 2],
      'app.3.rotated.log': [3],
      'app.log': [4],
    });
  });

  it('a step of seconds back across midnight keeps those lines in the new day and rotates no extra file', async () => {
    const files = await logAt([
      Date.UTC(2025, 5, 1, 23, 59, 50),
      Date.UTC(2025, 5, 2, 0, 0, 5),
      Date.UTC(2025, 5, 1, 23, 59, 58), // stepped back
      Date.UTC(2025, 5, 2, 0, 0, 10),
      Date.UTC(2025, 5, 3, 0, 0, 1),
    ]);
    expect(files).toEqual({ 'app.1.rotated.log': [0], 'app.2.rotated.log': [1, 2, 3], 'app.log': [4] });
  });
});
