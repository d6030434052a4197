import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

/** A config file whose one file transport cannot open its file (the problem is said while the logger is built). */
function configFile(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-code-options-'));
  const path = join(dir, 'streamlog.json');
  writeFileSync(path, JSON.stringify({ ...extra, transports: [{ type: 'file', path: '/proc/not/here.log' }] }));
  return path;
}

/** A child builds the logger from the file with code's options, logs once, and prints what its handlers heard. */
function run(path: string, code: string): { heard: { diagnostics: string[] }; stderr: string } {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const diagnostics = [];
    const log = createLogger(${JSON.stringify(path)}, ${code});
    log.info('one');
    await log.close();
    process.stdout.write(JSON.stringify({ diagnostics }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return { heard: JSON.parse(result.stdout), stderr: result.stderr };
}

describe('createLogger(path, code): what a JSON file cannot hold, given from code', () => {
  it('a diagnostics handler hears the problems of the build itself, and stderr stays quiet', () => {
    const { heard, stderr } = run(configFile(), '{ diagnostics: (message) => diagnostics.push(message) }');
    expect(heard.diagnostics.join('\n')).toMatch(/cannot open log file \/proc\/not\/here\.log/);
    expect(stderr).toBe('');
  });

  it("code's options win over the file's own (its diagnostics: false)", () => {
    const { heard } = run(
      configFile({ diagnostics: false }),
      '{ diagnostics: (message) => diagnostics.push(message) }',
    );
    expect(heard.diagnostics.join('\n')).toMatch(/cannot open log file/);
  });

  it('without code, the same file says the problem on stderr (the default)', () => {
    const { heard, stderr } = run(configFile(), 'undefined');
    expect(heard.diagnostics).toEqual([]);
    expect(stderr).toMatch(/^streamlog: .*cannot open log file \/proc\/not\/here\.log/m);
  });
});

describe('createLogger(source, code) with other sources', () => {
  it('a config object: code is merged over it; a config that is not an object is still refused', async () => {
    const { createLogger, ConfigError, MemoryTransport } = await import('../../../src/index.js');
    const memory = new MemoryTransport();
    const log = createLogger({ transports: [memory], base: null }, { mixin: () => ({ from: 'code' }) });
    log.info('hello');
    expect(memory.records()[0]!.json()).toContain('"from":"code"');
    await log.close();
    expect(() => createLogger([] as never, { mixin: () => ({}) })).toThrow(ConfigError);
  });
});
