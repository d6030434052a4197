import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

/**
 * A child logs through the console transport to stdout, a pipe this process reads with a pause of `gapMs`
 * between reads; the child prints its stats() to stderr. Hard-killed if it hangs.
 */
function slowRead(
  body: string,
  gapMs: (read: number) => number,
): Promise<{ out: Buffer; stats: Record<string, number> }> {
  requireBuild();
  const script = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
    import { writeSync } from 'node:fs';
    const log = createLogger({ base: null, diagnostics: false, transports: [{ type: 'console' }] });
    ${body}
    await log.flush();
    writeSync(2, JSON.stringify(log.stats()) + '\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 90_000,
    killSignal: 'SIGKILL',
  });
  const chunks: Buffer[] = [];
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  child.stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), gapMs(chunks.length));
  });
  return new Promise((resolve, reject) => {
    child.on('close', () => {
      try {
        resolve({ out: Buffer.concat(chunks), stats: JSON.parse(err.trim().split('\n').pop()!) });
      } catch (error) {
        reject(new Error(`child stderr: ${err}`, { cause: error }));
      }
    });
  });
}

describe('console transport, stdout a pipe whose reader is slow', () => {
  it('a reader that keeps reading, if slowly, gets a big line whole however long it takes', async () => {
    // About 2 MB read in ~90 KB pieces half a second apart: more than the bound on a reader that stopped.
    const { out, stats } = await slowRead(
      `log.info({ big: 'x'.repeat(2_000_000) }, 'one');
       log.info('two');`,
      () => 500,
    );
    const lines = out.toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['one', 'two']);
    expect(stats).toMatchObject({ logged: 2, delivered: 2, failed: 0, pending: 0 });
  }, 120_000);

  it('a reader that stops mid-line: whole lines delivered, the fragment ended, the next line whole', async () => {
    // The first read, then nothing for longer than the 10 s bound on a stopped reader, then all of it.
    // A record logged while the reader is still given up on fails at once (it was waited for,
    // ten seconds more at every write); once the reader takes bytes again, lines go through.
    const { out, stats } = await slowRead(
      `log.info('zero');
       log.info({ big: 'x'.repeat(4_000_000) }, 'one');
       await new Promise((resolve) => setTimeout(resolve, 10));
       log.info('two');
       await new Promise((resolve) => setTimeout(resolve, 4_000));
       log.info('three');`,
      (read) => (read === 1 ? 12_000 : 0),
    );
    const lines = out.toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(JSON.parse(lines[0]!).msg).toBe('zero');
    expect(lines[1]!.startsWith('{')).toBe(true);
    expect(JSON.parse(lines.at(-1)!).msg).toBe('three');
    expect(lines).toHaveLength(3);
    expect(stats).toMatchObject({ logged: 4, delivered: 2, failed: 2, pending: 0 });
  }, 120_000);
});
