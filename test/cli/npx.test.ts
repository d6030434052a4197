import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, requireBuild } from '../built.js';

// What the README's Quick start promises in a clone: after a build, `npx streamlog` runs the
// package's own command (npm runs the bin straight from dist/, so it must be executable).
describe('npx streamlog in the repository', () => {
  it('--version prints the package version, exit 0', () => {
    requireBuild();
    const result = spawnSync('npx', ['--no-install', 'streamlog', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/\d+\.\d+\.\d+/);
  });
});
