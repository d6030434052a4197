import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

const N = 25_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A child logs N lines to a file, then leaves by `ending`; returns the file's lines. */
function run(ending: string, extraConfig = '') {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-exit-'));
  dirs.push(dir);
  const path = join(dir, 'app.log');
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const log = createLogger({ ${extraConfig} transports: [{ type: 'file', path: ${JSON.stringify(path)} }] });
    for (let i = 0; i < ${N}; i++) log.info({ i }, 'line');
    ${ending}
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, status: result.status, signal: result.signal, stderr: result.stderr };
}

function expectAllLogged(lines: Record<string, unknown>[]): void {
  const numbered = lines.filter((l) => typeof l.i === 'number');
  expect(numbered).toHaveLength(N);
  expect(numbered.every((l, k) => l.i === k)).toBe(true);
}

describe('file transport: no line lost on the way out', () => {
  it('process.exit()', () => {
    const { lines, status } = run('process.exit(0);');
    expect(status).toBe(0);
    expectAllLogged(lines);
    expect(lines).toHaveLength(N);
  });

  it('an uncaught exception, which is itself logged as a fatal record', () => {
    const { lines, status, stderr } = run("setTimeout(() => { throw new Error('kaboom'); }, 0);");
    expect(status).toBe(1);
    expect(stderr).toContain('kaboom'); // Node's own report still happens
    expectAllLogged(lines);
    expect(lines.at(-1)).toMatchObject({
      level: 60,
      msg: 'uncaught exception',
      err: { type: 'Error', message: 'kaboom' },
    });
    expect(lines).toHaveLength(N + 1);
  });

  it('an unhandled rejection, logged as a fatal record', () => {
    const { lines, status } = run("Promise.reject(new TypeError('nobody caught me'));");
    expect(status).toBe(1);
    expectAllLogged(lines);
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: 'unhandled promise rejection', err: { type: 'TypeError' } });
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s ends the process by that signal after writing everything',
    (signal) => {
      const { lines, signal: ended } = run(`process.kill(process.pid, '${signal}'); setInterval(() => {}, 1000);`);
      expect(ended).toBe(signal);
      expectAllLogged(lines);
    },
  );

  it('a signal the application handles itself is left to it (we only flush)', () => {
    const { lines, status } = run(
      `process.on('SIGTERM', () => { log.info('app shutdown handler'); log.close().then(() => process.exit(7)); });
       process.kill(process.pid, 'SIGTERM'); setInterval(() => {}, 1000);`,
    );
    expect(status).toBe(7);
    expectAllLogged(lines);
    expect(lines.at(-1)).toMatchObject({ msg: 'app shutdown handler' });
  });

  it('returning from main with lines still buffered', () => {
    expectAllLogged(run('').lines);
  });

  it('handleExceptions: false leaves uncaught exceptions alone (lines are still flushed)', () => {
    const { lines, status } = run("setTimeout(() => { throw new Error('quiet'); }, 0);", 'handleExceptions: false,');
    expect(status).toBe(1);
    expect(lines).toHaveLength(N);
  });
});
