import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../transports/http/receiver.js';
import { streamlog } from './run.js';

describe('streamlog check at its edges', () => {
  it('a directory cannot be read as a config: exit 1 as the docs say, the reason on stderr', async () => {
    const dir = tempFolder('cli-check-dir');
    mkdirSync(join(dir, 'conf.json'));
    const result = await streamlog(['check', join(dir, 'conf.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/conf\.json: cannot read: not a file\n$/);
  });

  it('a log file the built logger cannot open is a problem with its target (exit 2), not "valid"', async () => {
    const dir = tempFolder('cli-check-open');
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    const file = join(dir, 'streamlog.json');
    writeFileSync(file, JSON.stringify({ transports: [{ type: 'file', id: 'audit', path: 'blocker/app.log' }] }));
    const result = await streamlog(['check', file]);
    expect(result.stdout).toMatch(
      /streamlog\.json: 1 problem\n {2}transports\[0\] \(audit\): cannot open log file .*blocker\/app\.log: ENOTDIR\n/,
    );
    expect(result.stdout).not.toMatch(/valid/);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
  });

  it('a deprecated option name is a warning: the config stays valid (exit 0)', async () => {
    const dir = tempFolder('cli-check-old');
    const file = join(dir, 'streamlog.json');
    writeFileSync(file, JSON.stringify({ router: { spoolDir: 'spool' }, transports: [{ type: 'memory' }] }));
    const result = await streamlog(['check', file]);
    expect(result.stdout).toMatch(/warning: router\.spoolDir: "spoolDir" is deprecated/);
    expect(result.stdout).toMatch(/valid \(1 transport\(s\)\)\n$/);
    expect(result.code).toBe(0);
  });

  it('a module that fails to load: its several-line reason stays indented under the problem', async () => {
    const dir = tempFolder('cli-check-module');
    const file = join(dir, 'streamlog.json');
    writeFileSync(file, JSON.stringify({ transports: [{ module: './missing-plugin.mjs' }] }));
    const result = await streamlog(['check', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^ {2}transports\[0\]\.module: cannot load plugin module/m);
    for (const line of result.stdout.split('\n').slice(1, -1)) expect(line).toMatch(/^ {2}/);
  });
});
