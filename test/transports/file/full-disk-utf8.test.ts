import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { canMountTmpfs, onTinyTmpfs } from '../../helpers.js';

describe('file transport: a full disk with multi-byte text', () => {
  // Bytes and UTF-16 units differ here, so a write cut short is sorted into whole lines and a torn one by bytes.
  it.skipIf(!canMountTmpfs)('whole lines on disk are exactly the delivered ones; the torn one is cut', () =>
    onTinyTmpfs(async (mountPoint) => {
      writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(40 * 1024));
      const path = join(mountPoint, 'app.log');
      const log = createLogger({
        exitFlush: false,
        router: { health: { failureThreshold: 1_000_000 } },
        transports: [{ type: 'file', path, bufferSize: 4096 }],
      });
      // Closed whatever happens: an open descriptor would keep the tmpfs from being unmounted.
      try {
        let n = 0;
        for (let round = 0; round < 4; round++) {
          for (let i = 0; i < 300; i++) log.info({ i: n++ }, `${'😀'.repeat(i % 17)}é${'x'.repeat(i % 50)}`);
          await log.flush();
        }
        const full = log.stats();
        expect(full.failed).toBeGreaterThan(0);
        expect(full.delivered + full.failed).toBe(n);
        const text = readFileSync(path, 'utf8');
        expect(text.endsWith('\n')).toBe(true);
        expect(
          text
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { i: number }).i),
        ).toHaveLength(full.delivered);
        rmSync(join(mountPoint, 'filler'));
        for (let i = 0; i < 50; i++) log.info({ i: n++ }, 'space is back €');
        await log.close();
        const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
        for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 80)).not.toThrow();
        expect(lines).toHaveLength(log.stats().delivered);
      } finally {
        await log.close();
      }
    }),
  );
});
