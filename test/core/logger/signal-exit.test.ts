import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// signal-exit (loaded by execa, ora, write-file-atomic, proper-lockfile, foreground-child…)
// raises a signal again only when its own listeners are the only ones; the logger did so only
// when no listener but its own was left. Each left the signal to the other: SIGTERM, SIGINT
// and SIGHUP no longer ended the process (a supervisor's SIGKILL did, after its grace period),
// and signal-exit's cleanup never ran. Found by attacking the ends of a process.

const IMPORTS = {
  v4: `import { onExit } from 'signal-exit';`,
  v3: `import onExit from 'signal-exit-v3';`,
};

function run(version: keyof typeof IMPORTS, signal: string, loggerFirst: boolean, appHandler = '') {
  requireBuild();
  const logger = `const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });`;
  const cleanup = `onExit((code, signal) => { writeSync(2, 'cleanup ran: ' + signal + '\\n'); });`;
  const script = `
    import { writeSync } from 'node:fs';
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    ${IMPORTS[version]}
    ${loggerFirst ? `${logger}\n${cleanup}` : `${cleanup}\n${logger}`}
    ${appHandler}
    for (let i = 0; i < 100; i++) log.info({ i }, 'working');
    setTimeout(() => process.kill(process.pid, ${JSON.stringify(signal)}), 50);
    setInterval(() => log.info('still working'), 20);
    setTimeout(() => { writeSync(2, 'still alive\\n'); process.exit(7); }, 3000);
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('beside signal-exit', () => {
  it.each([
    ['v4', 'SIGTERM', false],
    ['v4', 'SIGTERM', true],
    ['v4', 'SIGINT', false],
    ['v4', 'SIGHUP', true],
    ['v3', 'SIGTERM', false],
    ['v3', 'SIGINT', true],
  ] as const)(
    'signal-exit %s, %s (logger made first: %s): the process ends by it, cleanup and records done',
    (version, signal, loggerFirst) => {
      const out = run(version, signal, loggerFirst);
      expect(out.stderr).not.toContain('still alive');
      expect(out.signal).toBe(signal);
      expect(out.stderr).toContain(`cleanup ran: ${signal}`);
      const lines = out.stdout.split('\n').filter(Boolean);
      expect(lines.filter((line) => line.includes('"msg":"working"'))).toHaveLength(100);
    },
  );

  it('a signal in the turn signal-exit unsubscribed (execa does, per child): the process still ends by it', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      import { onExit } from 'signal-exit';
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      const remove = onExit(() => {});
      log.info('working');
      setTimeout(() => { remove(); process.kill(process.pid, 'SIGTERM'); }, 50);
      setInterval(() => {}, 1000);
      setTimeout(() => process.exit(7), 3000);
    `;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    // Its listener's removal was taken for an application handler that had just run.
    expect(out.signal).toBe('SIGTERM');
    expect(out.stdout).toContain('"msg":"working"');
  });

  it("an application's own handler beside it still decides: the process lives on to its own exit", () => {
    const out = run('v4', 'SIGTERM', true, `process.on('SIGTERM', () => writeSync(2, 'app heard it\\n'));`);
    expect(out.stderr).toContain('app heard it');
    expect(out.stderr).toContain('still alive');
    expect(out.status).toBe(7);
  });
});
