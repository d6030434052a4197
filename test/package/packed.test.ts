import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBuild, ROOT, strictTsc } from '../built.js';

/** Installs the packed tarball into an empty project, as a user would. */
let project: string;

beforeAll(() => {
  requireBuild();
  const work = mkdtempSync(join(tmpdir(), 'streamlog-pack-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  project = join(work, 'app');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: project,
    stdio: 'pipe',
  });
}, 120_000);

function node(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('the packed tarball', () => {
  it('imports as ESM', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "import { createLogger } from 'streamlog'; " +
        "const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] }); " +
        "log.info({ via: 'esm' }, 'hi');",
    ]);
    expect(out).toBe('{"level":30,"via":"esm","msg":"hi"}\n');
  });

  it('installs the streamlog command: npx streamlog in the consumer runs it', () => {
    const result = spawnSync('npx', ['--no-install', 'streamlog', '--version'], { cwd: project, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const pretty = spawnSync(join(project, 'node_modules', '.bin', 'streamlog'), ['pretty', '--colour', 'never'], {
      input: '{"level":30,"msg":"hi"}\n',
      encoding: 'utf8',
    });
    expect(pretty.stdout).toBe('INFO: hi\n');
  });

  it('requires as CommonJS', () => {
    const out = node([
      '-e',
      "const { createLogger, ConfigError } = require('streamlog'); " +
        "const transports = [{ type: 'console', format: 'text' }]; " +
        'const log = createLogger({ base: null, timestamp: false, transports }); ' +
        "log.warn({ via: 'cjs' }, 'hi'); if (typeof ConfigError !== 'function') process.exit(1);",
    ]);
    expect(out).toBe('level=warn msg=hi via=cjs\n');
  });

  it('has a streamlog/plugin subpath for ESM and CommonJS', () => {
    const esm = node([
      '--input-type=module',
      '-e',
      "import { parseSize, transportNames } from 'streamlog/plugin'; " +
        "process.stdout.write(parseSize('64KB') + ' ' + transportNames().includes('file'));",
    ]);
    expect(esm).toBe('65536 true');
    const cjs = node([
      '-e',
      "const { parseDuration } = require('streamlog/plugin'); process.stdout.write(String(parseDuration('2s')));",
    ]);
    expect(cjs).toBe('2000');
  });

  it('ships type declarations that a TypeScript user compiles against', () => {
    writeFileSync(
      join(project, 'check.ts'),
      [
        "import { createLogger, type Logger } from 'streamlog';",
        "const log: Logger = createLogger({ level: 'debug' });",
        "log.info({ a: 1 }, 'typed %s', 'ok');",
        // A plugin's entry is typed by declaration merging, as the README says.
        "declare module 'streamlog' { interface TransportTypes { kafka: { brokers: string[] } } }",
        "createLogger({ transports: [{ type: 'kafka', brokers: ['b1'] }] });",
        '// @ts-expect-error misspelt plugin option',
        "createLogger({ transports: [{ type: 'kafka', brokrs: ['b1'] }] });",
        '',
      ].join('\n'),
    );
    const result = strictTsc(['check.ts'], project);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
