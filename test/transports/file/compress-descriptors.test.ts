import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gzipFile } from '../../../src/transports/file/compress.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

describe.runIf(existsSync('/proc/self/fd'))('gzip of a rotated file another process compressed first', () => {
  // Each time several processes share a rotating folder and another one wins the race, this
  // one skips the file: the temporary name it had claimed was removed but its descriptor kept,
  // one more for every such rotation, until the process could open no file (EMFILE).
  it('lets go of the descriptor of the temporary name it claimed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-gzip-fd-'));
    dirs.push(dir);
    const before = openDescriptors();
    for (let i = 0; i < 50; i++) {
      const path = join(dir, `app.${i}.rotated.log`);
      writeFileSync(path, 'line\n');
      writeFileSync(`${path}.gz`, gzipSync('line\n'));
      expect(await gzipFile(path)).toBeUndefined();
    }
    expect(openDescriptors() - before).toBeLessThan(5);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
