import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// Found by a helper (2026-12-07): every child's customLevels name was kept by the tree for the
// process's life, so names made from data (`audit_${tenant}`) grew the heap without end.
describe('child customLevels named from data', () => {
  it('do not grow the heap child after child', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'memory', maxRecords: 10 }] });
      const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed; };
      const make = (from, to) => {
        for (let i = from; i < to; i++) log.child({}, { customLevels: { ['audit_' + i]: 35 } });
      };
      make(0, 20000);
      const before = heap();
      make(20000, 220000);
      process.stdout.write(String(heap() - before));
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    // Before: about 85 bytes a name, 17 MB for these 200,000.
    expect(Number(result.stdout)).toBeLessThan(4_000_000);
  });
});
