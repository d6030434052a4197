import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onDisk, upTo } from './on-disk.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLogger, FileTransport, type Logger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-rotation-lock-'));
  dirs.push(dir);
  return { dir, path: join(dir, 'app.log') };
}

function rotatingLogger(path: string): { transport: FileTransport; log: Logger; diagnostics: string[] } {
  const transport = new FileTransport({ path, rotate: { size: 2048 } });
  const diagnostics: string[] = [];
  const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [transport] });
  return { transport, log, diagnostics };
}

async function lines(log: Logger, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    log.info({ i }, 'x'.repeat(100));
    await log.flush();
  }
}

describe('file transport: a rotation lock left behind', () => {
  it('an hour-old lock whose pid now names a live process is stale: size rotation goes on', async () => {
    const { dir, path } = tempPath();
    writeFileSync(`${path}.rotating`, String(process.ppid));
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(`${path}.rotating`, anHourAgo, anHourAgo);
    const { transport, log, diagnostics } = rotatingLogger(path);
    await lines(log, 0, 100);
    expect(transport.stats().rotations as number).toBeGreaterThan(3);
    expect(diagnostics).toEqual([]);
    expect(onDisk(dir)).toEqual(upTo(100));
    expect(log.stats()).toMatchObject({ logged: 100, delivered: 100, failed: 0, pending: 0 });
    await log.close();
  });

  it('a folder where the lock goes: reported once, lines kept; rotation resumes once it is removed', async () => {
    const { dir, path } = tempPath();
    mkdirSync(`${path}.rotating`);
    const { transport, log, diagnostics } = rotatingLogger(path);
    await lines(log, 0, 60);
    expect(transport.stats().rotations).toBe(0);
    expect(diagnostics).toEqual([
      expect.stringContaining(`could not rotate ${path}: ${path}.rotating is not a lock file of ours`),
    ]);
    rmSync(`${path}.rotating`, { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await lines(log, 60, 70);
    expect(transport.stats().rotations).toBe(1);
    expect(diagnostics.at(-1)).toContain(`rotating ${path} works again`);
    expect(onDisk(dir)).toEqual(upTo(70));
    expect(log.stats()).toMatchObject({ logged: 70, delivered: 70, failed: 0, pending: 0 });
    await log.close();
  });

  it('a folder where the lock goes, rotating by time: reported at the boundary, tried each second after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.UTC(2025, 5, 1, 23, 59, 58));
      const { dir, path } = tempPath();
      mkdirSync(`${path}.rotating`);
      const diagnostics: string[] = [];
      const log = createLogger({
        exitFlush: false,
        diagnostics: (m) => diagnostics.push(m),
        transports: [{ type: 'file', path, rotate: { interval: 'daily', utc: true } }],
      });
      log.info({ i: 0 }, 'the old day');
      await log.flush();
      vi.setSystemTime(Date.UTC(2025, 5, 2, 0, 0, 1));
      log.info({ i: 1 }, 'the new day, the lock in the way');
      await log.flush();
      expect(diagnostics).toEqual([expect.stringContaining(`${path}.rotating is not a lock file of ours`)]);
      rmSync(`${path}.rotating`, { recursive: true });
      // The second before the next try is one of the monotonic clock (a wall clock may be set back).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      vi.setSystemTime(Date.UTC(2025, 5, 2, 0, 0, 3));
      log.info({ i: 2 }, 'a second later');
      await log.close();
      expect((log.stats().targets[0] as { rotations?: number }).rotations).toBe(1);
      expect(diagnostics.at(-1)).toContain(`rotating ${path} works again`);
      expect(readdirSync(dir).sort()).toEqual(['app.1.rotated.log', 'app.log']);
      expect(onDisk(dir)).toEqual([0, 1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });
});
