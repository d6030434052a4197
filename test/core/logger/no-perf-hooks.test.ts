import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';

/*
 * The `performance` global loads node:perf_hooks (a dozen internal modules, about 1.5 ms) on
 * first use. A logger's clocks are process.hrtime: a logger that writes, rotates nothing,
 * flushes and closes loads none of it (pino's close costs nothing alike; the benchmark's
 * `disabled` row was mostly this load, paid in close()).
 */
const dir = mkdtempSync(join(tmpdir(), 'streamlog-perf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a logger and node:perf_hooks', () => {
  it('writes to a file and the console, flushes and closes without loading it', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ exitFlush: false,
        transports: [{ type: 'file', path: ${JSON.stringify(join(dir, 'app.log'))} }, { type: 'console' }] });
      log.info({ a: 1 }, 'hello');
      log.child({ reqId: 'r' }).warn('careful');
      log.debug('not written');
      await log.flush();
      await log.close();
      process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('perf_hooks'))));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(result.stderr)).toEqual([]);
  });
});
