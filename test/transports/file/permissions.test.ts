import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onDisk, upTo } from './on-disk.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Permissions bind root only in name: as root, the child runs as nobody so chmod means something.
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

interface Outcome {
  stats: { logged: number; delivered: number; failed: number; dropped: number; pending: number; rotations: number };
  diagnostics: string[];
}

/** A child logs to `<dir>/app.log` with size rotation at 4KB and runs `body` (with `log`, `dir`, `lines`). */
function run(body: string, prepare?: (dir: string) => void): { dir: string; outcome: Outcome } {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-permissions-'));
  dirs.push(dir);
  if (prepare) prepare(dir);
  else if (asNobody.uid !== undefined) chownSync(dir, asNobody.uid, asNobody.gid);
  const script = `
    import { chmodSync, renameSync, statSync, writeFileSync } from 'node:fs';
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const dir = ${JSON.stringify(dir)};
    const diagnostics = [];
    const log = createLogger({ exitFlush: false, base: null, diagnostics: (m) => diagnostics.push(m),
      transports: [{ type: 'file', path: dir + '/app.log', rotate: { size: '4KB' }, reopenOnSighup: true }] });
    const lines = async (from, to) => {
      for (let i = from; i < to; i++) { log.info({ i }, 'x'.repeat(100)); await log.flush(); }
    };
    ${body}
    const { logged, delivered, failed, dropped, pending, targets } = log.stats();
    await log.close();
    if (statSync(dir).uid === process.getuid()) chmodSync(dir, 0o755);
    const stats = { logged, delivered, failed, dropped, pending, rotations: targets[0].rotations };
    process.stdout.write(JSON.stringify({ stats, diagnostics }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
    ...asNobody,
  });
  expect(result.stderr).toBe('');
  return { dir, outcome: JSON.parse(result.stdout) as Outcome };
}

describe('file transport: a folder made unwritable or unsearchable while logging', () => {
  it('chmod 000 of the folder: the open file takes every line; nothing fails, nothing reported', () => {
    const { dir, outcome } = run(`
      await lines(0, 10);
      chmodSync(dir, 0);
      await lines(10, 20);
    `);
    expect(outcome.stats).toMatchObject({ logged: 20, delivered: 20, failed: 0, dropped: 0, pending: 0 });
    expect(outcome.diagnostics).toEqual([]);
    expect(onDisk(dir)).toEqual(upTo(20));
  });

  it('read-only at rotation: reported once, lines kept in the live file, rotation resumes once writable', () => {
    const { dir, outcome } = run(`
      await lines(0, 5);
      chmodSync(dir, 0o555);
      await lines(5, 100);
      chmodSync(dir, 0o755);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await lines(100, 110);
    `);
    expect(outcome.stats).toMatchObject({ logged: 110, delivered: 110, failed: 0, dropped: 0, pending: 0 });
    expect(outcome.stats.rotations).toBe(1);
    expect(outcome.diagnostics).toEqual([
      expect.stringContaining(`could not rotate ${dir}/app.log; lines go on to it`),
      expect.stringContaining(`rotating ${dir}/app.log works again`),
    ]);
    expect(onDisk(dir)).toEqual(upTo(110));
    expect(readdirSync(dir).sort()).toEqual(['app.1.rotated.log', 'app.log']);
  });

  it.skipIf(asNobody.uid === undefined)(
    "a sticky folder where the file is another user's: linked but not removable, no name is added per try",
    () => {
      const { dir, outcome } = run(
        `
        await lines(0, 40);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await lines(40, 80);
      `,
        (folder) => {
          chmodSync(folder, 0o1777);
          writeFileSync(join(folder, 'app.log'), '', { mode: 0o666 });
          chmodSync(join(folder, 'app.log'), 0o666);
        },
      );
      expect(outcome.stats).toMatchObject({ logged: 80, delivered: 80, failed: 0, dropped: 0, pending: 0 });
      expect(outcome.diagnostics).toEqual([
        expect.stringContaining(`could not rotate ${dir}/app.log; lines go on to it`),
      ]);
      expect(statSync(join(dir, 'app.log')).nlink).toBeLessThanOrEqual(2);
      expect(readFileSync(join(dir, 'app.log'), 'utf8').split('\n').filter(Boolean)).toHaveLength(80);
    },
  );
});

describe("file transport: logrotate's create made a file it may not open", () => {
  it('reported; lines go on to the moved file until the new one can be opened', () => {
    const { dir, outcome } = run(`
      await lines(0, 5);
      renameSync(dir + '/app.log', dir + '/app.log.1');
      writeFileSync(dir + '/app.log', '', { mode: 0 });
      chmodSync(dir + '/app.log', 0);
      await lines(5, 10);
      chmodSync(dir + '/app.log', 0o640);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await lines(10, 15);
    `);
    expect(outcome.stats).toMatchObject({ logged: 15, delivered: 15, failed: 0, dropped: 0, pending: 0 });
    expect(outcome.diagnostics).toEqual([
      expect.stringContaining(`cannot open log file ${dir}/app.log: EACCES`),
      expect.stringContaining(`going on writing to the file that was moved away from ${dir}/app.log`),
      expect.stringContaining(`log file ${dir}/app.log is writable again`),
    ]);
    const order = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { i: number }).i);
    expect(order('app.log.1')).toEqual(upTo(10));
    expect(order('app.log')).toEqual([10, 11, 12, 13, 14]);
  });

  it('the same at SIGHUP: reopen() keeps the moved file while the new one cannot be opened', () => {
    const { dir, outcome } = run(`
      await lines(0, 5);
      renameSync(dir + '/app.log', dir + '/app.log.1');
      writeFileSync(dir + '/app.log', '', { mode: 0 });
      chmodSync(dir + '/app.log', 0);
      // A timer keeps the loop alive until the signal is handled.
      const keepAlive = setInterval(() => {}, 1000);
      const reopened = new Promise((resolve) => process.once('SIGHUP', resolve));
      process.kill(process.pid, 'SIGHUP');
      await reopened;
      clearInterval(keepAlive);
      await lines(5, 10);
    `);
    expect(outcome.stats).toMatchObject({ logged: 10, delivered: 10, failed: 0, dropped: 0, pending: 0 });
    expect(outcome.diagnostics).toEqual([
      expect.stringContaining(`cannot open log file ${dir}/app.log: EACCES`),
      expect.stringContaining(`going on writing to the file that was moved away from ${dir}/app.log`),
    ]);
    expect(readFileSync(join(dir, 'app.log.1'), 'utf8').split('\n').filter(Boolean)).toHaveLength(10);
  });
});
