import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { canMountTmpfs, onTinyTmpfs } from '../helpers.js';
import { fill, wait } from './fill.js';

describe('an http spool whose folder was full when the logger started', () => {
  it.skipIf(!canMountTmpfs)('is claimed again once space returns: records wait there instead of failing', () =>
    onTinyTmpfs(async (mountPoint) => {
      fill(join(mountPoint, 'filler'));
      const log = createLogger({
        diagnostics: false,
        router: { health: { failureThreshold: 1_000_000 } },
        transports: [
          {
            type: 'http',
            url: 'http://127.0.0.1:9/',
            spool: { dir: join(mountPoint, 'spool') },
            batch: { intervalMs: 10 },
            retry: { baseMs: 10, maxMs: 20, maxAttempts: 2 },
          },
        ],
      });
      try {
        for (let i = 0; i < 10; i++) log.info({ i }, 'while full');
        await log.flush();
        expect(log.stats().failed).toBe(10);
        rmSync(join(mountPoint, 'filler'));
        await wait(1_100);
        for (let i = 0; i < 50; i++) log.info({ i }, 'space is back');
        const deadline = Date.now() + 5_000;
        while (log.stats().pending !== log.stats().pendingDetail.spooled && Date.now() < deadline) await wait(20);
        const stats = log.stats();
        expect(stats.failed).toBe(10);
        expect(stats.pendingDetail.spooled).toBe(50);
      } finally {
        await log.close();
      }
      const stats = log.stats();
      expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
    }),
  );

  it.skipIf(!canMountTmpfs)("the router's own spool (a block target's) is claimed again once space returns", () =>
    onTinyTmpfs(async (mountPoint) => {
      fill(join(mountPoint, 'filler'));
      const said: string[] = [];
      const log = createLogger({
        diagnostics: (line: string) => said.push(line),
        router: { spool: { dir: join(mountPoint, 'router-spool') }, health: { failureThreshold: 1_000_000 } },
        transports: [
          {
            type: 'http',
            id: 'down',
            url: 'http://127.0.0.1:9/',
            overflow: 'block',
            maxQueue: { maxRecords: 4 },
            batch: { intervalMs: 10, maxRecords: 1 },
            retry: { baseMs: 50, maxMs: 100, maxAttempts: 1_000 },
          },
        ],
      });
      try {
        // The transport holds two (half its queue); the rest would wait in the spool, which fails them.
        for (let i = 0; i < 10; i++) log.info({ i }, 'while full');
        expect(log.stats().failed).toBe(8);
        rmSync(join(mountPoint, 'filler'));
        await wait(1_100);
        for (let i = 0; i < 20; i++) log.info({ i }, 'space is back');
        const stats = log.stats();
        expect(stats.failed).toBe(8);
        expect(stats.pendingDetail.spooled).toBe(20);
        expect(said.some((line) => line.includes('is used now'))).toBe(true);
      } finally {
        await log.close({ timeoutMs: 200 });
      }
      const stats = log.stats();
      expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
    }),
  );
});
