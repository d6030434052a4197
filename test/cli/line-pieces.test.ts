import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../built.js';

const LINES = fileURLToPath(new URL('../../dist/esm/cli/lines.js', import.meta.url));

/*
 * `streamlog pretty` and `pipe` read lines from stdin and carry a line begun without its
 * newline (up to 16 MB). A producer that writes one byte per read (a program that flushes
 * after every character) made the carry an array of one-character pieces, about twelve times
 * the line's size: a 16 MB line held about 190 MB.
 */
describe('a line that arrives one byte per read', () => {
  it('is carried in about its own size, not a piece per byte', () => {
    requireBuild();
    const script = `
      import { lineBatches } from ${JSON.stringify(LINES)};
      const BYTES = 2_000_000;
      let grown = 0;
      async function* drip() {
        global.gc();
        const before = process.memoryUsage().heapUsed;
        const x = Buffer.from('x');
        for (let i = 0; i < BYTES; i++) yield x;
        global.gc();
        grown = process.memoryUsage().heapUsed - before;
        yield Buffer.from('\\n');
      }
      const lengths = [];
      // The generator stands for stdin: a Readable wrapped around it holds its own per-chunk state.
      for await (const batch of lineBatches(drip())) {
        for (const line of batch) lengths.push(line.length);
      }
      process.stdout.write(JSON.stringify({ grown, lengths }));
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect(result.stderr).toBe('');
    const { grown, lengths } = JSON.parse(result.stdout) as { grown: number; lengths: number[] };
    expect(lengths).toEqual([2_000_000]);
    // The line's text is about 2 MB; a piece per byte took 24 MB.
    expect(grown).toBeLessThan(8_000_000);
  });
});
