import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { canMountTmpfs, onTinyTmpfs } from '../helpers.js';
import { fill, wait } from './fill.js';

describe('a lock file made on a full disk', () => {
  // The lock's create takes an inode, not a block: it succeeds, and writing its owner then fails.
  it.skipIf(!canMountTmpfs)('size rotation works again within seconds of space returning; no lock left', () =>
    onTinyTmpfs(async (mountPoint) => {
      const path = join(mountPoint, 'app.log');
      const log = createLogger({
        diagnostics: false,
        base: null,
        router: { health: { failureThreshold: 1_000_000 } },
        transports: [{ type: 'file', path, bufferSize: 512, rotate: { size: 4096 } }],
      });
      try {
        for (let i = 0; i < 20; i++) log.info({ i }, 'x'.repeat(100));
        await log.flush();
        fill(join(mountPoint, 'filler'));
        // Past the size: a rotation is tried (and fails) while nothing more fits.
        for (let i = 0; i < 40; i++) log.info({ i }, 'x'.repeat(100));
        await log.flush();
        rmSync(join(mountPoint, 'filler'));
        await wait(1_200);
        for (let round = 0; round < 4; round++) {
          for (let i = 0; i < 40; i++) log.info({ i }, 'y'.repeat(100));
          await log.flush();
          await wait(300);
        }
        const rotated = readdirSync(mountPoint).filter((f) => f.includes('.rotated'));
        expect(rotated.length).toBeGreaterThan(0);
      } finally {
        await log.close();
      }
      expect(readdirSync(mountPoint).filter((f) => f.endsWith('.rotating'))).toEqual([]);
    }),
  );

  it.skipIf(!canMountTmpfs)('an http spool claimed on a full disk leaves no lock behind', () =>
    onTinyTmpfs(async (mountPoint) => {
      fill(join(mountPoint, 'filler'));
      const log = createLogger({
        diagnostics: false,
        transports: [{ type: 'http', url: 'http://127.0.0.1:9/', spool: { dir: join(mountPoint, 'spool') } }],
      });
      await log.close();
      expect(readdirSync(join(mountPoint, 'spool')).filter((f) => f.endsWith('.lock'))).toEqual([]);
    }),
  );
});
