import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by a helper (2026-12-07): an application's console.log beside the logger, stdout a pipe
// to a collector that reads a little slowly. Node queues the rest of a long console.log line
// when the pipe is full, and the logger writes its lines to the descriptor in the middle of it:
// records were glued onto the cut console line (409 broken lines of 1,800), counted delivered.
// Now they start on a line of their own, and the console line comes out in two. That it stays
// whole is not fixed (docs/open-work.md: holding lines behind Node's queue lost them at the
// exit, hung close() and broke other orders): marked `it.fails`, it turns red once it is.
/** The app (150 console.log lines of 20 KB, each followed by 5 records) piped into a slow collector. */
async function run(): Promise<{ lines: string[]; stats: Record<string, number> }> {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const log = createLogger({ base: null, transports: [{ type: 'console', format: 'json' }] });
    const big = 'C'.repeat(20000);
    for (let n = 0; n < 150; n++) {
      console.log('console-line ' + n + ' ' + big + ' end');
      for (let k = 0; k < 5; k++) log.info({ n, k }, 'logger line');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await log.flush();
    process.stderr.write(JSON.stringify(log.stats()));
  `;
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-interleave-'));
  const app = join(dir, 'app.mjs');
  const reader = join(dir, 'reader.cjs');
  writeFileSync(app, script);
  // A collector a little slower than the writer (8 KiB reads, 2 ms apart): the pipe is full now and then.
  writeFileSync(
    reader,
    `const fs = require('node:fs');
     const pause = new Int32Array(new SharedArrayBuffer(4));
     const buffer = Buffer.alloc(8192);
     const out = [];
     for (;;) {
       let n;
       try {
         n = fs.readSync(0, buffer, 0, buffer.length, null);
       } catch (e) {
         if (e.code !== 'EAGAIN') throw e;
         Atomics.wait(pause, 0, 0, 1);
         continue;
       }
       if (n === 0) break;
       out.push(Buffer.from(buffer.subarray(0, n)));
       Atomics.wait(pause, 0, 0, 2);
     }
     fs.writeFileSync(process.argv[2], Buffer.concat(out));`,
  );
  const copy = join(dir, 'copy.log');
  const child = spawn('sh', ['-c', `"${process.execPath}" "${app}" | "${process.execPath}" "${reader}" "${copy}"`], {
    timeout: 60_000,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
  const lines = readFileSync(copy, 'utf8').split('\n').filter(Boolean);
  return { lines, stats: JSON.parse(stderr) as Record<string, number> };
}

describe('console transport beside console.log on a pipe', () => {
  it('the records stay whole lines: what the pipe holds is ended first (they were glued on)', async () => {
    const { lines, stats } = await run();
    const records = lines.filter((line) => line.includes('"msg":"logger line"'));
    for (const line of records) expect(() => JSON.parse(line), line.slice(0, 80)).not.toThrow();
    expect(records).toHaveLength(750);
    expect(stats).toMatchObject({ logged: 750, delivered: 750, failed: 0, pending: 0 });
  }, 90_000);

  it.fails('never writes into the middle of a line Node still queues: every line whole', async () => {
    const { lines, stats } = await run();
    const broken = lines.filter((line) => {
      if (/^console-line \d+ C{20000} end$/.test(line)) return false;
      try {
        return (JSON.parse(line) as { msg?: string }).msg !== 'logger line';
      } catch {
        return true;
      }
    });
    expect(broken.map((line) => `${line.slice(0, 40)}…${line.slice(-40)}`)).toEqual([]);
    expect(lines.filter((line) => line.startsWith('console-line'))).toHaveLength(150);
    expect(lines.filter((line) => line.startsWith('{'))).toHaveLength(750);
    expect(stats).toMatchObject({ logged: 750, delivered: 750, failed: 0, pending: 0 });
  }, 90_000);
});
