import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, FileTransport } from '../../src/index.js';
import { gzipFile } from '../../src/transports/file/compress.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-future-mtime-'));
  dirs.push(dir);
  return { dir, path: join(dir, 'app.log') };
}

/** A file's times set an hour ahead: left by a process that died while the clock was ahead, since set back. */
function anHourAhead(path: string): void {
  const later = new Date(Date.now() + 3_600_000);
  utimesSync(path, later, later);
}

// A lock or a temporary file is stale by its age; a clock set back after its owner died gives
// it a time in the future, and "older than 30 s" then stayed false until the clock caught up.
describe('files left behind with a time in the future (the clock set back since)', () => {
  it('a rotation lock an hour ahead whose pid now names a live process is stale: size rotation goes on', async () => {
    const { path } = tempPath();
    writeFileSync(`${path}.rotating`, String(process.ppid));
    anHourAhead(`${path}.rotating`);
    const transport = new FileTransport({ path, rotate: { size: 2048 } });
    const log = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [transport] });
    for (let i = 0; i < 100; i++) {
      log.info({ i }, 'x'.repeat(100));
      await log.flush();
    }
    await log.close();
    expect(transport.stats().rotations as number).toBeGreaterThan(3);
    expect(log.stats()).toMatchObject({ logged: 100, delivered: 100, failed: 0, pending: 0 });
  });

  it('a compressor’s temporary file an hour ahead, its compressor gone: the file is compressed', async () => {
    const { path } = tempPath();
    const rotated = `${path.slice(0, -4)}.1.rotated.log`;
    writeFileSync(rotated, '{"msg":"rotated"}\n');
    writeFileSync(`${rotated}.gz.tmp`, 'half a gzip');
    anHourAhead(`${rotated}.gz.tmp`);
    expect(await gzipFile(rotated)).toBe(`${rotated}.gz`);
    expect(existsSync(rotated)).toBe(false);
    expect(readdirSync(join(path, '..')).sort()).toEqual(['app.1.rotated.log.gz']);
  });
});
