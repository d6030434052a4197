import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// Processes whose own clock is off from the one that stamps their files (a share whose server's
// clock differs, a process under a faked time) judged every live rotation lock and compressor's
// temporary file by its mtime against Date.now(), found them all old, and took them over: several
// processes rotated one file at once. Here each child's Date.now() runs ahead of the kernel's.

/** A child logging `count` lines to `path` with `rotate`, its Date.now() `offsetMs` off; its stats. */
function writer(path: string, rotate: object, w: number, count: number, offsetMs: number): Promise<unknown> {
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const realNow = Date.now;
    Date.now = () => realNow() + ${offsetMs};
    const log = createLogger({ base: null, transports: [{ type: 'file', path: ${JSON.stringify(path)},
      rotate: ${JSON.stringify(rotate)} }] });
    for (let i = 0; i < ${count}; i++) {
      log.info({ w: ${w}, i }, 'r'.repeat(50));
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
    process.stdout.write(JSON.stringify(log.stats()));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      if (code === 0 && stderr === '') resolve(JSON.parse(stdout));
      else reject(new Error(`writer ${w} ended with ${code}: ${stderr}`));
    });
  });
}

/** How many times each `w:i` is in the folder's files (gunzipped), and the .gz files that are cut short. */
function linesIn(dir: string): { copies: Map<string, number>; brokenGz: string[] } {
  const copies = new Map<string, number>();
  const brokenGz: string[] = [];
  for (const name of readdirSync(dir)) {
    let text: string;
    try {
      const raw = readFileSync(join(dir, name));
      text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    } catch {
      brokenGz.push(name);
      continue;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const { w, i } = JSON.parse(line) as { w: number; i: number };
      copies.set(`${w}:${i}`, (copies.get(`${w}:${i}`) ?? 0) + 1);
    }
  }
  return { copies, brokenGz };
}

describe("three processes rotating one file, each with its clock off from the file system's", () => {
  // A name near the system's 255-byte limit left no room for a probe named after it: the age
  // then fell back to the process's clock (a second helper's find).
  const long = `${'a'.repeat(230)}.log`;
  it.each([
    ['45 s ahead, size rotation', 45_000, { size: '16KB' }, 30_000, 'app.log'],
    ['15 minutes ahead, with gzip', 15 * 60_000, { size: '16KB', compress: true }, 20_000, 'app.log'],
    ['2 minutes behind, size rotation', -2 * 60_000, { size: '16KB' }, 30_000, 'app.log'],
    ['an hour ahead, a file name of 234 characters', 3_600_000, { size: '16KB' }, 30_000, long],
  ])(
    '%s: every line exactly once, every .gz whole',
    async (_name, offsetMs, rotate, count, name) => {
      requireBuild();
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-clock-off-'));
      const path = join(dir, name);
      const stats = await Promise.all([0, 1, 2].map((w) => writer(path, rotate, w, count, offsetMs)));
      for (const s of stats) expect(s).toMatchObject({ logged: count, delivered: count, failed: 0 });
      const { copies, brokenGz } = linesIn(dir);
      expect(brokenGz).toEqual([]);
      const twice = [...copies].filter(([, n]) => n > 1).map(([key]) => key);
      expect(twice.slice(0, 5)).toEqual([]);
      expect(copies.size).toBe(3 * count);
      expect(readdirSync(dir).filter((n) => n.includes('.streamlog-clock'))).toEqual([]);
      // No file over the limit by more than one write (bufferSize, 64 KiB) per process. Before,
      // a process an hour ahead took every lock it met for one held long, stopped trying to
      // rotate for a second at a time and kept appending: the live file grew to 359–689 KB.
      if (!('compress' in rotate)) {
        const largest = Math.max(...readdirSync(dir).map((n) => statSync(join(dir, n)).size));
        expect(largest).toBeLessThanOrEqual(16 * 1024 + 3 * 64 * 1024);
      }
    },
    120_000,
  );
});
