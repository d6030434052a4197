import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWithClock, tempDir } from './wrong-clock.js';

// The file transport tries again a second after a failure: a second of the monotonic clock,
// not of the wall clock, which NTP may set back by an hour in between.
describe('file transport: retries after a failure when the wall clock is set back', () => {
  it('a log file that could not be opened is opened again a second later, not an hour later', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file where the log folder should be');
    const path = join(blocker, 'app.log');
    const result = await runWithClock(`
      const { rmSync } = await import('node:fs');
      const log = lib.createLogger({ base: null, exitFlush: false, diagnostics: () => {},
        transports: [{ type: 'file', path: ${JSON.stringify(path)} }] });
      log.info('while the folder cannot be made');
      await log.flush();
      rmSync(${JSON.stringify(blocker)});
      globalThis.stepClock(-3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      log.info('a second later');
      await log.close();
      process.stdout.write(JSON.stringify(log.stats()));
    `);
    expect(result.stderr).toBe('');
    const stats = JSON.parse(result.stdout) as Record<string, number>;
    expect(stats).toMatchObject({ logged: 2, delivered: 1, failed: 1, pending: 0 });
    expect(readFileSync(path, 'utf8')).toContain('a second later');
  });

  it('a rotation that failed is tried again a second later, not an hour later', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    // A directory under the first rotated name is no file of ours: the link to it fails
    // (EEXIST is passed over, so the name after it is tried), so block the link with a lock.
    const result = await runWithClock(`
      const { mkdirSync, rmSync, readdirSync } = await import('node:fs');
      const lock = ${JSON.stringify(`${path}.rotating`)};
      const log = lib.createLogger({ base: null, exitFlush: false, diagnostics: () => {},
        transports: [{ type: 'file', path: ${JSON.stringify(path)}, rotate: { size: '1KB' } }] });
      mkdirSync(lock); // not a lock file of ours: rotation waits, trying each second
      for (let i = 0; i < 5; i++) log.info({ i, pad: 'x'.repeat(300) }, 'before');
      await log.flush();
      rmSync(lock, { recursive: true });
      globalThis.stepClock(-3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      for (let i = 0; i < 5; i++) log.info({ i, pad: 'x'.repeat(300) }, 'after');
      await log.close();
      process.stdout.write(JSON.stringify({ stats: log.stats(), files: readdirSync(${JSON.stringify(dir)}) }));
    `);
    expect(result.stderr).toBe('');
    const { stats, files } = JSON.parse(result.stdout) as { stats: Record<string, number>; files: string[] };
    expect(stats).toMatchObject({ logged: 10, delivered: 10, pending: 0 });
    expect(files.filter((name) => name.includes('.rotated')).length).toBeGreaterThan(0);
  });
});
