import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM } from '../../built.js';
import { runChild, tempFolder } from '../../transports/http/receiver.js';

// A plugin formatter's output goes straight into the file sink's line batches: what it
// returns must not crash the process or glue records together. Real child processes, so an
// uncaught throw from a later tick shows as the child's exit code.

/** Logs two records through a registered formatter returning `returns` to a file; the file and the stats. */
async function formatThrough(returns: string): Promise<{ code: number | null; stderr: string; lines: string[] }> {
  const dir = tempFolder('hostile-format');
  const file = join(dir, 'out.log');
  const child = await runChild(
    `import { registerFormatter } from ${JSON.stringify(DIST_ESM)};
     import { z } from 'zod';
     const format = (record) => ${returns};
     registerFormatter('odd', { schema: z.object({}), create: () => ({ name: 'odd', format }) });
     const entry = { type: 'file', path: ${JSON.stringify(file)}, format: 'odd' };
     const log = createLogger({ exitFlush: false, base: null, transports: [entry] });
     log.info('one');
     log.info('two');
     await log.close({ timeoutMs: 2000 });
     const s = log.stats();
     writeSync(1, JSON.stringify([s.logged, s.delivered, s.failed, s.pending]) + '\\n');`,
  );
  return { code: child.code, stderr: child.stderr, lines: readFileSync(file, 'utf8').split('\n') };
}

describe('a formatter plugin that returns something odd', () => {
  it.each([
    ['a number', '42', 'returned number'],
    ['null', 'null', 'returned null'],
    ['an object whose toString throws', '({ toString() { throw new Error("no") } })', 'returned object'],
  ])('returning %s: the process lives, each record written as JSON with a formatError', async (_, returns, says) => {
    const result = await formatThrough(returns);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [one, two] = result.lines.map((line) => (line === '' ? undefined : JSON.parse(line)));
    expect(one).toMatchObject({ msg: 'one', formatError: `odd: ${says}, not a string` });
    expect(two).toMatchObject({ msg: 'two' });
  });

  it('returning a line without its "\\n": each record still on a line of its own', async () => {
    const result = await formatThrough('record.msg');
    expect(result.code).toBe(0);
    expect(result.lines).toEqual(['one', 'two', '']);
  });
});
