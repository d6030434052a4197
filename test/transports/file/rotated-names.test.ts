import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, FileTransport } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-rotated-names-'));
  dirs.push(dir);
  return dir;
}

describe('file transport: rotated names taken by something that is not a rotated file', () => {
  it('a folder and a symlink under rotated names are never compressed, read through or pruned', async () => {
    const dir = tempDir();
    const secret = join(tempDir(), 'secret.txt');
    writeFileSync(secret, 'not a log line\n');
    mkdirSync(join(dir, 'app.1.rotated.log'));
    symlinkSync(secret, join(dir, 'app.2.rotated.log'));
    const transport = new FileTransport({
      path: join(dir, 'app.log'),
      rotate: { size: 1024, maxFiles: 2, compress: true },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [transport] });
    for (let i = 0; i < 60; i++) {
      log.info({ i }, 'x'.repeat(100));
      await log.flush();
    }
    await transport.settled();
    await log.close();
    expect(diagnostics).toEqual([]);
    expect(readFileSync(secret, 'utf8')).toBe('not a log line\n');
    const names = readdirSync(dir).sort();
    // maxFiles counts rotated files only: two of them, beside the folder and the link left as they were.
    expect(names.filter((n) => n.endsWith('.gz'))).toHaveLength(2);
    expect(names).toContain('app.1.rotated.log');
    expect(existsSync(join(dir, 'app.2.rotated.log'))).toBe(true);
    for (const name of names.filter((n) => n.endsWith('.gz')))
      expect(gunzipSync(readFileSync(join(dir, name))).toString('utf8')).not.toContain('not a log line');
    expect(log.stats()).toMatchObject({ logged: 60, delivered: 60, failed: 0, pending: 0 });
  });
});
