import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

describe("the run's temp folder", () => {
  it('holds what tests and their child processes make under the temp folder, so one removal takes it all', () => {
    const dir = mkdtempSync(`${tmpdir()}/probe-`);
    expect(basename(dirname(dir))).toMatch(/^streamlog-test-run-/);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("os").tmpdir())'], {
      encoding: 'utf8',
    });
    expect(child.stdout).toBe(dirname(dir));
    // Open to every user, sticky, as /tmp: tests run children as another user.
    expect(statSync(dirname(dir)).mode & 0o7777).toBe(0o1777);
  });
});
