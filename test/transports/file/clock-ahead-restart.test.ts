import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/index.js';

const DAY = 86_400_000;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** app.log written now (by the file system's clock), then a logger started with its clock `skewMs` off. */
async function restartWith(skewMs: number, fileAgeMs = 0): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-clock-ahead-'));
  dirs.push(dir);
  const path = join(dir, 'app.log');
  writeFileSync(path, '{"level":30,"msg":"from the run before"}\n');
  if (fileAgeMs > 0) {
    const then = new Date(Date.now() - fileAgeMs);
    utimesSync(path, then, then);
  }
  const realNow = Date.now;
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
  const log = createLogger({
    exitFlush: false,
    transports: [{ type: 'file', path, rotate: { interval: 'daily', utc: true, maxFiles: 2 } }],
  });
  log.info('this run');
  await log.close();
  return readdirSync(dir).sort();
}

describe('file transport: a restart with the process clock off the file system clock', () => {
  it("a day ahead: a file written a moment ago is this period's, not rotated at every start", async () => {
    // Before: app.log was rotated at each start (its time, by the file system, was "yesterday"),
    // and maxFiles pruned the runs of what the process saw as one day.
    expect(await restartWith(DAY + 1000)).toEqual(['app.log']);
  });

  it('a day behind: a file written two days ago (by the same file system) is still rotated', async () => {
    const files = await restartWith(-DAY, 2 * DAY + 60_000);
    expect(files).toHaveLength(2);
    expect(files).toContain('app.log');
  });
});
