import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type FileTransport } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('file transport: lines appended while a write is under way', () => {
  // A listener of one logger logging to another logger on the same path appends to the shared file from inside its
  // write; the rotation that write was for must still keep every file within the size, and rotate no empty one.
  it('rotation by size stays exact when a progress listener logs to another logger on the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-reentrant-'));
    dirs.push(dir);
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
    const ids = files.flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { i: number | string }).i),
    );
    expect(nested).toBe(200);
    expect(ids).toHaveLength(2200);
    expect(new Set(ids).size).toBe(2200);
  });
});
