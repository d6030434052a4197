import { expect } from 'vitest';
import { runWithStalled } from '../built.js';

/**
 * Runs `script`, which defines `async function step()`, in a child process with `--expose-gc`:
 * `warm` steps first (caches filled, code optimised), then the heap's growth over `more` steps,
 * in MiB, after full collections. A leak grows with the steps; a bounded cache does not.
 */
export function heapGrowthMiB(script: string, warm: number, more: number): number {
  const result = runWithStalled(
    `${script}
      for (let i = 0; i < ${warm}; i++) await step();
      global.gc(); global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < ${more}; i++) await step();
      global.gc(); global.gc(); const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ growthMiB: (after - before) / 1048576 }));
      process.exit(0);`,
    ['--expose-gc'],
  );
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { growthMiB: number }).growthMiB;
}
