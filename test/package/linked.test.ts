import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../built.js';

/**
 * A project whose node_modules/streamlog is a link to this folder, as `npm install <folder>`,
 * `npm link` and a workspace make it. Vitest runs a linked package's files itself (they are
 * not under a node_modules folder), with a CommonJS shim of its own.
 */
function linkedProject(): string {
  requireBuild();
  const project = mkdtempSync(join(tmpdir(), 'streamlog-linked-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'streamlog'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  writeFileSync(join(project, 'vitest.config.mjs'), 'export default {};\n');
  return project;
}

describe('the ES module entry points under vitest, the package linked', () => {
  it('export every name with its value, and a logger made through them writes its line', () => {
    const project = linkedProject();
    const req = createRequire(import.meta.url);
    const names = (entry: string): string[] =>
      Object.keys(req(join(ROOT, 'dist', 'cjs', `${entry}.js`))).filter((name) => name !== '__esModule');
    writeFileSync(
      join(project, 'linked.test.mjs'),
      [
        "import { expect, it } from 'vitest';",
        "import * as lib from 'streamlog';",
        "import * as plugin from 'streamlog/plugin';",
        "it('has every export', () => {",
        `  const names = [...${JSON.stringify(names('index'))}.map((n) => [n, lib[n]]),`,
        `    ...${JSON.stringify(names('plugin'))}.map((n) => ['plugin.' + n, plugin[n]])];`,
        "  for (const [name, value] of names) expect([name, typeof value]).not.toContain('undefined');",
        "  const log = lib.createLogger({ base: null, timestamp: false, transports: [{ type: 'memory', id: 'm' }] });",
        "  log.info('linked');",
        '  expect(log.transport(\'m\').lines()).toEqual([\'{"level":30,"msg":"linked"}\\n\']);',
        '});',
      ].join('\n'),
    );
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const result = spawnSync(process.execPath, [vitest, 'run', '--root', project, 'linked.test.mjs'], {
      cwd: project,
      env: { ...env, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout + result.stderr).toContain('1 passed');
    expect(result.status).toBe(0);
  }, 90_000);
});
