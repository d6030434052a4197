import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// Found by a helper attacking files: six processes (or four worker threads) rotating one path
// by size left one live file under two rotated names, its lines twice on disk, and removed a
// newer live file, its lines counted delivered. The rotation lock let two hold it at once:
// between processes, a lock released while another looked at it read as "dead owner", and
// that other then removed the next owner's fresh lock; between threads (one pid), a sibling's
// lock looked left over. Each contender here takes the library's own rotation lock in a loop
// and, while holding it, creates a marker file exclusively: an overlap is a second holder.
const LOCK = pathToFileURL(join(dirname(DIST_ESM), 'transports', 'file', 'rotation-lock.js')).href;

/** Takes the lock for `ms`, again and again; prints how often it ran and how often another held it too. */
const contender = (dir: string, ms: number) => `
  import { closeSync, openSync, unlinkSync } from 'node:fs';
  import { withRotationLock } from ${JSON.stringify(LOCK)};
  let ran = 0;
  let overlaps = 0;
  const end = Date.now() + ${ms};
  while (Date.now() < end) {
    withRotationLock(${JSON.stringify(join(dir, 'app.log'))}, () => {
      ran++;
      let fd;
      try { fd = openSync(${JSON.stringify(join(dir, 'inside'))}, 'wx'); } catch { overlaps++; return; }
      closeSync(fd);
      for (let k = 0; k < 2000; k++);
      unlinkSync(${JSON.stringify(join(dir, 'inside'))});
    });
  }
  const result = JSON.stringify({ ran, overlaps });`;

function runModule(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { timeout: 30_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(`exit ${status}: ${err}`))));
  });
}

interface Tally {
  ran: number;
  overlaps: number;
}

describe('the rotation lock: one holder at a time', () => {
  it('six processes taking it for 2 s each: never two inside at once', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-lock-procs-'));
    const code = `${contender(dir, 2000)}\nprocess.stdout.write(result);`;
    const tallies = (await Promise.all(Array.from({ length: 6 }, () => runModule(code)))).map(
      (out) => JSON.parse(out) as Tally,
    );
    expect(tallies.reduce((sum, t) => sum + t.ran, 0)).toBeGreaterThan(100);
    expect(tallies.map((t) => t.overlaps)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('four worker threads of one process taking it for 1.5 s each: never two inside at once', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-lock-threads-'));
    const worker = `${contender(dir, 1500)}
      import { parentPort } from 'node:worker_threads';
      parentPort.postMessage(result);`;
    const code = `
      import { Worker } from 'node:worker_threads';
      const code = ${JSON.stringify(worker)};
      const results = await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
        const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(code)));
        w.once('message', resolve);
        w.once('error', reject);
      })));
      process.stdout.write(JSON.stringify(results.map((r) => JSON.parse(r))));`;
    const tallies = JSON.parse(await runModule(code)) as Tally[];
    expect(tallies.reduce((sum, t) => sum + t.ran, 0)).toBeGreaterThan(100);
    expect(tallies.map((t) => t.overlaps)).toEqual([0, 0, 0, 0]);
  });
});
