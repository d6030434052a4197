import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by two helpers (2026-12-07): a pipe whose reader stopped held the process ten seconds
// at every later write (five times before the circuit opened, again at every probe and at the
// exit), where the docs promise one wait of ten seconds without a byte taken.

describe('stdout to a pipe whose reader stopped reading', () => {
  it('is waited for once: later writes fail at once until it takes a byte again', async () => {
    requireBuild();
    const side = join(mkdtempSync(join(tmpdir(), 'streamlog-stall-')), 'side.json');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ diagnostics: false, transports: [{ type: 'console', format: 'json' }] });
      log.on('deliveryFailed', () => {});
      const pad = 'x'.repeat(1000);
      let frozen = 0;
      let last = performance.now();
      for (let tick = 0; tick < 300; tick++) {
        log.info({ tick, pad }, 'r');
        await new Promise((resolve) => setTimeout(resolve, 5));
        const now = performance.now();
        if (now - last > 1000) frozen += now - last;
        last = now;
      }
      const s = log.stats();
      writeFileSync(${JSON.stringify(side)}, JSON.stringify({ frozen, ...s }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // Read nothing: the pipe fills (64 KiB) within the first ticks and stays full.
    child.stdout.pause();
    const started = Date.now();
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const took = Date.now() - started;
    child.stdout.destroy();
    const stats = JSON.parse(readFileSync(side, 'utf8')) as {
      frozen: number;
      logged: number;
      delivered: number;
      failed: number;
      dropped: number;
      pending: number;
    };
    expect(status).toBe(0);
    expect(stats.logged).toBe(300);
    expect(stats.delivered + stats.failed + stats.dropped + stats.pending).toBe(300);
    expect(stats.failed).toBeGreaterThan(0);
    // One wait of about ten seconds, not one per write: before, 50 s frozen in the first minute.
    expect(stats.frozen).toBeLessThan(20_000);
    expect(took).toBeLessThan(30_000);
  }, 60_000);
});
