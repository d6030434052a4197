import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';
import { canMakeInit, childOf } from '../../pid-namespace.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A container killed with records in the router's spool on a shared volume, and started again:
// its new pid 1 runs in another PID namespace, so the lock the dead one left is held until it
// has gone three minutes unrenewed, and its lines wait for a later start. That wait was silent.

describe.skipIf(!canMakeInit)('a spool file held by a lock written in another PID namespace', () => {
  it('the logger that passes it over says so, with its lines waiting', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-ns-'));
    const config = JSON.stringify({
      transports: [
        {
          type: 'http',
          id: 'central',
          url: 'http://127.0.0.1:9/ingest',
          maxQueue: { maxRecords: 10 },
          retry: { baseMs: 60_000, maxMs: 60_000 },
        },
      ],
      router: { spool: { dir } },
    });
    const first = spawn(
      'unshare',
      [
        '--pid',
        '--fork',
        '--mount-proc',
        process.execPath,
        '--input-type=module',
        '-e',
        `import { createLogger } from ${JSON.stringify(DIST_ESM)};
         const log = createLogger(${config});
         for (let i = 0; i < 100; i++) log.info({ i }, 'spooled');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore' },
    );
    const spoolFile = join(dir, 'central.ndjson');
    const size = (): number => statSync(spoolFile, { throwIfNoEntry: false })?.size ?? 0;
    for (let i = 0; i < 200 && size() === 0; i++) await sleep(25);
    expect(size()).toBeGreaterThan(0);
    const ended = new Promise((resolve) => first.on('exit', resolve));
    process.kill(childOf(first.pid as number) as number, 'SIGKILL');
    await ended;

    const second = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createLogger } from ${JSON.stringify(DIST_ESM)};
         const log = createLogger(${config});
         await log.close({ timeoutMs: 100 });`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    // Made while the logger is built, before any listener: said on stderr.
    expect(second.stderr).toMatch(
      /central: spool file passed over: .*central\.ndjson holds \d+ bytes of records, and its lock names pid 1 in/,
    );
    expect(second.stderr).toContain('pid 1 in another PID namespace');
    // Left as it was, for the logger that may take it.
    expect(size()).toBeGreaterThan(0);
  }, 30_000);
});
