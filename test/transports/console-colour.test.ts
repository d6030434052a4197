import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, ROOT, requireBuild } from '../built.js';
import { tempFolder } from './http/receiver.js';

// Colour is decided per stream: under a terminal with `2>errors.log`, the records stderrLevel
// sends to stderr must not carry colour codes into the file. `script` gives the child a real
// terminal (a pty) on stdout; its stderr goes to a file.
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));

describe.skipIf(SCRIPT === undefined)('console with stderrLevel, stdout a terminal and stderr a file', () => {
  it('pretty lines are coloured on the terminal, plain in the file', () => {
    requireBuild();
    const dir = tempFolder('console-colour');
    const child = join(dir, 'child.mjs');
    const errors = join(dir, 'errors.log');
    writeFileSync(
      child,
      `import { createLogger } from ${JSON.stringify(DIST_ESM)};
       const log = createLogger({ transports: [{ type: 'console', format: 'pretty', stderrLevel: 'error' }] });
       log.info('to the terminal');
       log.error('to the file');
       await log.close();`,
    );
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(child)} 2>${JSON.stringify(errors)}`;
    const run = spawnSync(SCRIPT!, ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, TERM: 'xterm', NO_COLOR: undefined, FORCE_COLOR: undefined },
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(run.status).toBe(0);
    const terminal = run.stdout;
    const file = readFileSync(errors, 'utf8');
    expect(terminal).toContain('to the terminal');
    expect(terminal).toMatch(/\u001b\[/);
    expect(file).toContain('to the file');
    expect(file).not.toContain('\u001b[');
  });
});
