import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';
import { canMountTmpfs, onTinyTmpfs } from '../helpers.js';

// `node app.js > /mnt/full/out.log`: the console transport writes to a file on a full disk.
const CHILD = `
import { createLogger } from ${JSON.stringify(DIST_ESM)};
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
const filler = process.argv.at(-1);
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const log = createLogger({ diagnostics: false, transports: [{ type: 'console' }] });
const fd = openSync(filler, 'w');
try { for (;;) writeSync(fd, Buffer.alloc(4096)); } catch {}
closeSync(fd);
for (let i = 0; i < 200; i++) log.info({ i }, 'while full');
await log.flush();
rmSync(filler);
// Space is back: records logged over the next 3 seconds (the router's cooldown is 30 s).
for (let round = 0; round < 30; round++) {
  log.info({ round }, 'space is back');
  await wait(100);
}
await log.close();
const s = log.stats();
const counts = { logged: s.logged, delivered: s.delivered, failed: s.failed, dropped: s.dropped, pending: s.pending };
writeSync(2, JSON.stringify(counts) + '\\n');
`;

describe('console to a file on a full disk', () => {
  it.skipIf(!canMountTmpfs)('logging resumes within about a second of space returning', () =>
    onTinyTmpfs(async (mountPoint) => {
      requireBuild();
      const out = join(mountPoint, 'out.log');
      const fd = openSync(out, 'w');
      const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, join(mountPoint, 'filler')], {
        stdio: ['ignore', fd, 'pipe'],
        timeout: 30_000,
      });
      closeSync(fd);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code, stderr).toBe(0);
      const stats = JSON.parse(stderr.trim().split('\n').pop()!) as Record<string, number>;
      expect(stats.logged).toBe(stats.delivered! + stats.failed! + stats.dropped! + stats.pending!);
      const after = readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line.includes('space is back'));
      // One probe after the 1 s circuit, then the rest: at least 15 of the 30.
      expect(after.length).toBeGreaterThanOrEqual(15);
      expect(stats.delivered).toBe(after.length);
    }),
  );
});
