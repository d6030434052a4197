import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('file transport: a compressor killed between its rename and its unlink', () => {
  it('the plain file a finished .gz stands beside is removed: every line once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-killed-gzip-'));
    dirs.push(dir);
    const path = join(dir, 'app.log');
    let text = '';
    for (let i = 0; i < 100; i++) text += `${JSON.stringify({ level: 30, w: 0, i, msg: 'rotated' })}\n`;
    // What the kill leaves: the .gz complete (renamed from its .tmp), the plain file not yet removed.
    writeFileSync(join(dir, 'app.2.rotated.log'), text);
    writeFileSync(join(dir, 'app.2.rotated.log.gz'), gzipSync(text));
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'file', path, rotate: { size: '16KB', compress: true } }],
    });
    for (let i = 0; i < 1000; i++) log.info({ w: 1, i }, 'after the restart');
    await log.close();
    const keys = readdirSync(dir).flatMap((name) => {
      const raw = readFileSync(join(dir, name));
      const lines = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n').filter(Boolean);
      return lines.map((line) => {
        const { w, i } = JSON.parse(line) as { w: number; i: number };
        return `${w}:${i}`;
      });
    });
    expect(keys).toHaveLength(1100);
    expect(new Set(keys).size).toBe(1100);
    expect(readdirSync(dir)).not.toContain('app.2.rotated.log');
  });
});
