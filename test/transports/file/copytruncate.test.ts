import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, FileTransport } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("file transport: logrotate's copytruncate", () => {
  it('just below the size limit: the next lines start the truncated file; no hole, no empty rotated file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-copytruncate-'));
    dirs.push(dir);
    const path = join(dir, 'app.log');
    const transport = new FileTransport({ path, rotate: { size: 4096 } });
    const log = createLogger({ exitFlush: false, transports: [transport] });
    let i = 0;
    while ((transport.stats().size as number) < 4096 - 300) {
      log.info({ i: i++ }, 'x'.repeat(100));
      await log.flush();
    }
    const before = i;
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    // Over the limit by the count before the truncate, well within it by the file's real size.
    log.info({ i: i++ }, 'y'.repeat(400));
    log.info({ i: i++ }, 'z');
    await log.flush();
    const raw = readFileSync(path);
    expect(raw.includes(0)).toBe(false);
    const order = raw
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { i: number }).i);
    expect(order).toEqual([before, before + 1]);
    expect(readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1']);
    expect(transport.stats()).toMatchObject({ rotations: 0, size: raw.length });
    expect(log.stats()).toMatchObject({ logged: i, delivered: i, failed: 0, pending: 0 });
    await log.close();
  });
});
