import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type FileTransport } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-reentrant-'));
  dirs.push(dir);
  return dir;
}

function idsIn(path: string): (number | string)[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { i: number | string }).i);
}

describe('file transport: lines appended while a write is under way', () => {
  // A listener of one logger logging to another logger on the same path appends to the shared file from inside its
  // write; the rotation that write was for must still keep every file within the size, and rotate no empty one.
  it('rotation by size stays exact when a progress listener logs to another logger on the path', async () => {
    const dir = tempDir();
    const options = {
      exitFlush: false,
      transports: [{ type: 'file' as const, path: join(dir, 'app.log'), rotate: { size: 4096 } }],
    };
    const main = createLogger(options);
    const audit = createLogger(options);
    let events = 0;
    let nested = 0;
    (main.transports[0] as FileTransport).on('progress', () => {
      if (events++ < 50) for (let j = 0; j < 4; j++) audit.info({ i: `audit ${nested++}` }, 'y'.repeat(900));
    });
    for (let i = 0; i < 2000; i++) main.info({ i }, 'x'.repeat(100));
    await main.close();
    await audit.close();
    const files = readdirSync(dir);
    for (const f of files) {
      const size = statSync(join(dir, f)).size;
      expect({ f, size }).toEqual({ f, size: expect.toSatisfy((s: number) => s > 0 && s <= 4096) });
    }
    const ids = files.flatMap((f) => idsIn(join(dir, f)));
    expect(nested).toBe(200);
    expect(ids).toHaveLength(2200);
    expect(new Set(ids).size).toBe(2200);
  });

  it('rotation by time happens once when a listener of the closing write logs the new day to the path', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2024, 0, 1, 23, 0));
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const rotate = { interval: 'daily' as const, utc: true };
    // A small buffer: most of the audit lines are written as they come, so the new day's file is not empty.
    const options = { exitFlush: false, transports: [{ type: 'file' as const, path, rotate, bufferSize: 300 }] };
    const main = createLogger(options);
    const audit = createLogger(options);
    let heard = 0;
    (main.transports[0] as FileTransport).on('progress', () => {
      if (heard++ === 0) for (let j = 0; j < 6; j++) audit.info({ i: `audit ${j}` }, 'new day');
    });
    main.info({ i: 0 }, 'old day');
    vi.setSystemTime(Date.UTC(2024, 0, 2, 1, 0));
    main.info({ i: 1 }, 'new day');
    await main.close();
    await audit.close();
    expect(readdirSync(dir).sort()).toEqual(['app.1.rotated.log', 'app.log']);
    expect(idsIn(join(dir, 'app.1.rotated.log'))).toEqual([0]);
    expect(idsIn(path)).toEqual(['audit 0', 'audit 1', 'audit 2', 'audit 3', 'audit 4', 'audit 5', 1]);
  });
});
