import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by a helper (2026-12-07): `node app 2>errors.log | head -1`: with stderrLevel, both streams
// were one target with one health, so stdout's EPIPE marked it unhealthy and 29 of the 30 error
// records bound for a working stderr failed with "no healthy target".
describe('console with stderrLevel, stdout dead', () => {
  it('the records for stderr still reach it: one stream failing is not the target failing', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-split-'));
    const side = join(dir, 'side.json');
    const errors = join(dir, 'errors.log');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({
        diagnostics: false,
        transports: [{ type: 'console', format: 'json', stderrLevel: 'error' }],
      });
      log.on('deliveryFailed', () => {});
      // A record a tick, an error every tenth, as a service logs.
      for (let i = 0; i < 300; i++) {
        if (i % 10 === 0) log.error({ round: i / 10 }, 'error');
        log.info({ i }, 'info');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const s = log.stats();
      const counts = { logged: s.logged, delivered: s.delivered, failed: s.failed };
      writeFileSync(${JSON.stringify(side)}, JSON.stringify(counts));
    `;
    const errFd = openSync(errors, 'w');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', errFd] });
    closeSync(errFd);
    // The reader of stdout is gone before the first write: every write there is EPIPE.
    child.stdout?.destroy();
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    const lines = readFileSync(errors, 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => (JSON.parse(line) as { round: number }).round)).toEqual(
      Array.from({ length: 30 }, (_, round) => round),
    );
    expect(JSON.parse(readFileSync(side, 'utf8'))).toEqual({ logged: 330, delivered: 30, failed: 300 });
  });

  it('both streams dead: the target is marked unhealthy as any other (it never was)', async () => {
    requireBuild();
    const side = join(mkdtempSync(join(tmpdir(), 'streamlog-split-')), 'side.json');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({
        diagnostics: false,
        transports: [{ type: 'console', format: 'json', stderrLevel: 'error' }],
      });
      log.on('deliveryFailed', () => {});
      let unhealthy = 0;
      log.on('targetUnhealthy', () => unhealthy++);
      for (let i = 0; i < 40; i++) {
        if (i % 2 === 0) log.error({ i }, 'error');
        else log.info({ i }, 'info');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      writeFileSync(${JSON.stringify(side)}, JSON.stringify({ unhealthy, failed: log.stats().failed }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.destroy();
    child.stderr?.destroy();
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    const { unhealthy, failed } = JSON.parse(readFileSync(side, 'utf8')) as { unhealthy: number; failed: number };
    expect(failed).toBe(40);
    expect(unhealthy).toBeGreaterThan(0);
  });
});
