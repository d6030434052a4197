import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function lines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** A logger whose only target always fails (its folder is a file), with a dead letter in `deadLetter`. */
function failingLogger(dir: string, deadLetter: string) {
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  return createLogger({
    diagnostics: false,
    router: { deadLetter, health: { failureThreshold: 1_000_000 } },
    transports: [{ type: 'file', path: join(dir, 'not-a-folder', 'app.log') }],
  });
}

describe('dead-letter file removed or replaced while open', () => {
  it.each(['folder removed', 'file moved away'])(
    '%s: later dead letters reach the path, and deadLettered counts only lines there',
    async (how) => {
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-dl-'));
      dirs.push(dir);
      const deadLetter = join(dir, 'dl', 'dead.ndjson');
      const log = failingLogger(dir, deadLetter);
      try {
        for (let i = 0; i < 10; i++) log.info({ i }, 'before');
        await log.flush();
        await new Promise((resolve) => setImmediate(resolve));
        expect(log.stats().deadLettered).toBe(10);
        if (how === 'folder removed') rmSync(join(dir, 'dl'), { recursive: true });
        else renameSync(deadLetter, `${deadLetter}.old`);
        for (let i = 0; i < 10; i++) log.info({ i }, 'after');
        await log.flush();
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        await log.close();
      }
      // Lines written to a file no longer at the path are lost to whoever reads the dead letter.
      expect(lines(deadLetter)).toBe(10);
      expect(log.stats().deadLettered).toBe(20);
      if (how === 'file moved away') expect(lines(`${deadLetter}.old`)).toBe(10);
    },
  );
});
