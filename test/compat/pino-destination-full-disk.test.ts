import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canMountTmpfs, onTinyTmpfs } from '../helpers.js';
import { lastJson, runChild } from '../transports/http/receiver.js';

/*
 * pino.destination() on a full disk. SonicBoom says ENOSPC with an 'error', but its
 * flushSync() retries a write that fails with anything but EAGAIN every 100 ms for ever:
 * streamlog's close() and its exit path called it, so the process hung (SIGTERM caught, its
 * handler never run) until SIGKILL.
 */
function script(path: string, end: string): string {
  return `
const pino = (await import('pino')).default;
const dest = pino.destination({ dest: ${JSON.stringify(path)}, sync: true });
const log = createLogger({ transports: [dest], diagnostics: () => {} });
process.on('exit', () => {
  const { logged, delivered, failed, dropped, pending } = log.stats();
  writeSync(1, JSON.stringify({ logged, delivered, failed, dropped, pending }) + '\\n');
});
for (let i = 0; i < 1000; i++) {
  log.info({ i, pad: 'x'.repeat(100) }, 'one');
  if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
}
${end}`;
}

describe('pino.destination() on a full disk', () => {
  it.skipIf(!canMountTmpfs).each([
    ['the script returns', ''],
    ['close()', 'writeSync(1, `closed ${await log.close()}\\n`);'],
    ['process.exit()', 'process.exit(0);'],
  ])('%s: the process ends, every record counted', (_name, end) =>
    onTinyTmpfs(async (mountPoint) => {
      const result = await runChild(script(join(mountPoint, 'app.log'), end), {
        timeoutMs: 8000,
        killSignal: 'SIGKILL',
      });
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const stats = lastJson<Record<string, number>>(result.stdout);
      expect(stats.logged).toBe(1000);
      expect(stats.failed).toBeGreaterThan(0);
      expect(stats.delivered + stats.failed + stats.dropped + stats.pending).toBe(1000);
      if (end.includes('close')) expect(result.stdout).toContain('closed true');
    }),
  );
});

describe('pino.destination({ sync: true }) on a disk already full', () => {
  // Its write() says ENOSPC with an 'error' inside the call: that record's line was not written.
  it.skipIf(!canMountTmpfs)('the record whose write raised the error fails with the rest', () =>
    onTinyTmpfs(async (mountPoint) => {
      writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(64 * 1024));
      const path = join(mountPoint, 'app.log');
      const result = await runChild(
        `
const pino = (await import('pino')).default;
const dest = pino.destination({ dest: ${JSON.stringify(path)}, sync: true });
const log = createLogger({ transports: [dest], diagnostics: () => {} });
for (let i = 0; i < 3; i++) log.info({ i }, 'one');
const { logged, delivered, failed, pending } = log.stats();
writeSync(1, JSON.stringify({ logged, delivered, failed, pending }) + '\\n');`,
        { timeoutMs: 8000, killSignal: 'SIGKILL' },
      );
      expect(lastJson(result.stdout)).toEqual({ logged: 3, delivered: 0, failed: 3, pending: 0 });
      expect(statSync(path).size).toBe(0);
    }),
  );
});
