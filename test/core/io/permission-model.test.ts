import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';

// Node's permission model (`--experimental-permission` on Node 20, with the folders a service
// may write): Node 20 refuses fsync there outright, whatever the folder. The spool synced its
// owner mark before a file's first line, so every record it was to take failed.

const FLAG = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

function underPermission(dir: string, script: string, permission = true): ReturnType<typeof spawnSync> {
  const flags = [FLAG, `--allow-fs-read=${ROOT}`, `--allow-fs-read=${dir}/*`, `--allow-fs-write=${dir}/*`];
  return spawnSync(
    process.execPath,
    [...(permission ? flags : []), '--no-warnings', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 20_000 },
  );
}

/** Whether this Node refuses fsync under the permission model (Node 20 does). */
const fsyncRefused = ((): boolean => {
  if (!process.allowedNodeEnvironmentFlags.has(FLAG)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-permission-probe-'));
  const probe = underPermission(
    dir,
    `import { fsyncSync, openSync } from 'node:fs';
     try { fsyncSync(openSync(${JSON.stringify(join(dir, 'probe'))}, 'w')); }
     catch (error) { process.stdout.write(error.code); }`,
  );
  return probe.stdout === 'ERR_ACCESS_DENIED';
})();

describe.skipIf(!fsyncRefused)('under a permission model that refuses fsync', () => {
  it("the router's spool takes what a stalled target cannot, as without the permission model", () => {
    requireBuild();
    const run = (permission: boolean): { stats: unknown; lines: number } => {
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-permission-'));
      const result = underPermission(
        dir,
        `import { createLogger } from ${JSON.stringify(DIST_ESM)};
         const log = createLogger({ diagnostics: false, transports: [{ type: 'http', id: 'central',
           url: 'http://127.0.0.1:9/ingest', maxQueue: { maxRecords: 10 }, retry: { baseMs: 60000, maxMs: 60000 } }],
           router: { spool: { dir: ${JSON.stringify(join(dir, 'spool'))} } } });
         for (let i = 0; i < 100; i++) log.info({ i }, 'to the spool');
         await log.close({ timeoutMs: 200 });
         const { logged, failed, pending, targets: [{ spoolFailed }] } = log.stats();
         process.stdout.write(JSON.stringify({ logged, failed, pending, spoolFailed }));`,
        permission,
      );
      expect(result.stderr).toBe('');
      const lines = readFileSync(join(dir, 'spool', 'central.ndjson'), 'utf8')
        .trim()
        .split('\n');
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ msg: 'to the spool' });
      return { stats: JSON.parse(result.stdout as string), lines: lines.length };
    };
    const without = run(false);
    // The records the transport held at the close's timeout fail; the rest wait on disk.
    expect(without.stats).toMatchObject({ logged: 100, spoolFailed: 0 });
    expect(without.lines).toBeGreaterThan(50);
    expect(run(true)).toEqual(without);
  });
});
