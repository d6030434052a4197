import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// Found by a helper running services under broken standard streams (2026-12-07).

describe('diagnostics to stderr', () => {
  it('a stderr pipe whose reader is gone does not end the process (its EPIPE came as an unheard event)', async () => {
    requireBuild();
    const side = join(mkdtempSync(join(tmpdir(), 'streamlog-stderr-')), 'side.json');
    // No console transport (which would hear stderr's errors itself): only a file that cannot open.
    const script = `
      import { writeFileSync } from 'node:fs';
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'file', path: '/proc/not/here.log' }] });
      for (let i = 0; i < 3; i++) {
        log.info('one');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const s = log.stats();
      writeFileSync(${JSON.stringify(side)}, JSON.stringify({ logged: s.logged, failed: s.failed }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // The reader goes before the child writes anything: every write to its stderr is EPIPE.
    child.stderr.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Before: exit 1, "Error: write EPIPE ... at say (stderr-diagnostics)", the side file never written.
    expect(status).toBe(0);
    expect(JSON.parse(readFileSync(side, 'utf8'))).toEqual({ logged: 3, failed: 3 });
  });

  it('the failures stderr reports add up to what failed: those the minute held back are said at the end', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'file', path: '/proc/not/here.log' }] });
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 50; i++) log.info({ i }, 'r');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      process.stdout.write(String(log.stats().failed));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    const failed = Number(result.stdout);
    expect(failed).toBe(1000);
    const said = result.stderr
      .split('\n')
      .map((line) => /^streamlog: (\d+) record\(s\) (failed|dropped)/.exec(line))
      .filter((match) => match !== null)
      .reduce((sum, match) => sum + Number(match[1]), 0);
    // Before: stderr said one report's count (50, or none at all), and nothing of the other 950.
    expect(said).toBe(failed);
  });

  it('past the budget of lines a minute, the counts of problems not said are summed at the end too', () => {
    requireBuild();
    // 34 loggers, each a problem of its own (named by letters: problems told apart only by
    // digits are one), more distinct problems than the 32 lines a minute.
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const name = (k) => String.fromCharCode(97 + (k % 26)) + String.fromCharCode(97 + Math.floor(k / 26));
      const logs = Array.from({ length: 34 }, (_, k) =>
        createLogger({ base: null, transports: [{ type: 'file', path: '/proc/nope/p' + name(k) + '.log' }] }));
      for (let round = 0; round < 5; round++) {
        for (const log of logs) for (let i = 0; i < 3; i++) log.info('x');
        await Promise.all(logs.map((log) => log.flush()));
      }
      process.stdout.write(String(logs.reduce((sum, log) => sum + log.stats().failed, 0)));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    expect(Number(result.stdout)).toBe(510);
    const said = result.stderr
      .split('\n')
      .map((line) => /^streamlog: (\d+) record\(s\) failed/.exec(line))
      .filter((match) => match !== null)
      .reduce((sum, match) => sum + Number(match[1]), 0);
    // Before: 192 of the 510 (the counts of problems new past the budget were kept nowhere).
    expect(said).toBe(510);
  });
});
