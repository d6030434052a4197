import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every line of every file in `dir`, rotated ones gunzipped. */
function everyLine(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('app.') && !name.endsWith('.rotating'))
    .flatMap((name) => {
      const raw = readFileSync(join(dir, name));
      return (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n').filter(Boolean);
    });
}

/**
 * A process SIGKILLed between a rotation's link and its unlink leaves the live file under two
 * names (`app.log` and `app.3.rotated.log`, one inode) and its lock naming a dead pid.
 */
function killedMidRotation(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-killed-rotation-'));
  dirs.push(dir);
  const path = join(dir, 'app.log');
  let text = '';
  for (let i = 0; i < 100; i++) text += `${JSON.stringify({ level: 30, w: 0, i, msg: 'before the kill' })}\n`;
  writeFileSync(path, text);
  linkSync(path, join(dir, 'app.3.rotated.log'));
  writeFileSync(`${path}.rotating`, '999999999 123 abcdefgh');
  return { dir, path };
}

describe('file transport: a rotation cut short between its link and its unlink', () => {
  it.each([false, true])(
    'is finished by the next rotation: every line once, rotation goes on (gzip %s)',
    async (compress) => {
      const { dir, path } = killedMidRotation();
      const diagnostics: string[] = [];
      const log = createLogger({
        exitFlush: false,
        base: null,
        diagnostics: (m) => diagnostics.push(m),
        transports: [{ type: 'file', path, rotate: { size: '16KB', compress } }],
      });
      for (let i = 0; i < 3000; i++) {
        log.info({ w: 1, i }, 'after the restart');
        if (i % 100 === 0) await log.flush();
      }
      await log.close();
      expect(log.stats()).toMatchObject({ logged: 3000, delivered: 3000, failed: 0, pending: 0 });
      expect(diagnostics).toEqual([]);
      const lines = everyLine(dir);
      const keys = lines.map((line) => {
        const { w, i } = JSON.parse(line) as { w: number; i: number };
        return `${w}:${i}`;
      });
      expect(new Set(keys).size).toBe(3100);
      expect(keys).toHaveLength(3100);
      // Rotation went on at 16KB: many files, none much past the limit.
      expect(readdirSync(dir).length).toBeGreaterThan(10);
    },
  );
});
