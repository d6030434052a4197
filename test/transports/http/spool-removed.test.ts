import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectAddsUp, lastJson, PRINT_AT_EXIT, runChild, tempFolder } from './receiver.js';
import { receiversClosedAfterEach, replayInChild, spoolConfig, type TargetCounts } from './spool-fixture.js';

// The spool folder removed while the logger uses it (a temp cleaner, an `rm -rf`): what it
// held is still on the open file. Counted as spooled, it must reach the next start.

const receiver = receiversClosedAfterEach();

describe('the spool folder removed while in use, the backend down', () => {
  it.each(['close', 'exit'])(
    'what was spooled, before and after, is put back for the next start (%s)',
    async (end) => {
      const down = await receiver('down');
      const dir = tempFolder('spool-removed');
      const extra = { retry: { baseMs: 20, maxMs: 50, maxAttempts: 2 } };
      const child = await runChild(
        `const { rmSync } = await import('node:fs');
       const log = createLogger(${spoolConfig(down.url, dir, extra)});
       ${PRINT_AT_EXIT}
       const wait = (ms) => new Promise((r) => setTimeout(r, ms));
       for (let i = 0; i < 100; i++) log.info({ i }, 'before');
       while (log.stats().pendingDetail.spooled < 100) await wait(20);
       rmSync(${JSON.stringify(join(dir, 'spool'))}, { recursive: true });
       for (let i = 100; i < 150; i++) log.info({ i }, 'after');
       while (log.stats().pendingDetail.spooled < 150) await wait(20);
       ${end === 'close' ? 'await log.close();' : 'process.exit(0);'}`,
      );
      expect(child.stderr).toBe('');
      const first = lastJson<TargetCounts>(child.stdout);
      expectAddsUp(first);
      expect(first.pendingDetail.spooled).toBe(150);

      await down.close();
      const live = await receiver('ok', down.port);
      const { stats } = await replayInChild(live.url, dir, 150);
      expect(stats.targets[0]!.replayed).toBe(150);
      expect(new Set(live.received).size).toBe(150);
    },
    60_000,
  );
});
