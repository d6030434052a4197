import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';

describe('pino ecosystem compatibility', () => {
  it('pino-pretty renders our JSON lines without complaint', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ name: 'api', exitFlush: false, transports: [memory] });
    log.child({ reqId: 'r1' }).info({ userId: 7 }, 'user logged in');
    log.error(new Error('kaput'), 'request failed');
    log.debug('hidden');
    log.warn({ nested: { a: [1, 2] } }, 'careful');
    const input = memory.lines().join('');
    const bin = createRequire(import.meta.url).resolve('pino-pretty/bin.js');
    const result = spawnSync(process.execPath, [bin, '--colorize', 'false'], { input, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const out = result.stdout;
    expect(out).toMatch(/INFO \(api\/\d+\): user logged in/);
    expect(out).toContain('reqId: "r1"');
    expect(out).toContain('userId: 7');
    expect(out).toMatch(/ERROR \(api\/\d+\): request failed/);
    expect(out).toContain('Error: kaput');
    expect(out).toMatch(/WARN \(api\/\d+\): careful/);
    expect(out).not.toContain('hidden');
  });
});
