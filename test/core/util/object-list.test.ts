import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectList } from '../../../src/core/util/object-list.js';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';

describe('objectList', () => {
  it('is an empty array that takes any value', () => {
    const list = objectList<unknown>();
    expect(list).toEqual([]);
    list.push('a', { b: 1 }, 3);
    expect(list).toEqual(['a', { b: 1 }, 3]);
  });

  // The batch's lines and records and the file's owners were pushed onto fresh `[]` arrays:
  // once compiled, the logging chain (route, the transport's handle) threw its code away at
  // the first push after each compile, "not a Smi", and was compiled again.
  it('keeps the compiled logging chain to a file: no "not a Smi" deoptimization', () => {
    requireBuild();
    const folder = mkdtempSync(join(tmpdir(), 'object-list-'));
    const script = `
      const { createLogger } = await import(${JSON.stringify(DIST_ESM)});
      const log = createLogger({ transports: [{ type: 'file', path: ${JSON.stringify(join(folder, 'out.log'))} }] });
      const deep = { a: { b: { c: 1 } }, s: 'x' };
      for (let i = 0; i < 50000; i++) log.info({ deep, i }, 'm');
      await log.close();
    `;
    const child = spawnSync(process.execPath, ['--trace-deopt', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(child.status, child.stderr).toBe(0);
    // The chain was compiled (V8 traced its deoptimizations at all), and none was this one.
    expect(child.stdout).toContain('[bailout');
    expect(child.stdout.split('\n').filter((line) => line.includes('reason: not a Smi'))).toEqual([]);
    expect(readFileSync(join(folder, 'out.log'), 'utf8').split('\n')).toHaveLength(50001);
    rmSync(folder, { recursive: true, force: true });
  });
});
