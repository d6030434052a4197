import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, FileTransport, type FileProgress } from '../../../src/index.js';
import { canMountTmpfs, onTinyTmpfs } from '../../helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-file-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

function readLines(path: string): string[] {
  const text = path.endsWith('.gz') ? gunzipSync(readFileSync(path)).toString('utf8') : readFileSync(path, 'utf8');
  return text.split('\n').filter(Boolean);
}

/** Every line of the log and its rotated files, oldest file first. */
function allLines(dir: string, name = 'app'): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}.`) && !f.endsWith('.tmp'))
    .map((f) => ({ f, n: f === `${name}.log` ? Number.POSITIVE_INFINITY : Number(f.split('.')[1]) }))
    .sort((a, b) => a.n - b.n);
  return files.flatMap(({ f }) => readLines(join(dir, f)));
}

function sequence(lines: string[]): number[] {
  return lines.map((l) => (JSON.parse(l) as { i: number }).i);
}

function openDescriptorsTo(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

describe('file transport: writing', () => {
  it('creates missing folders, uses mode 0640 and appends to what is there', async () => {
    const dir = tempDir();
    const path = join(dir, 'deep', 'er', 'app.log');
    expect(existsSync(join(dir, 'deep'))).toBe(false);
    const log = createLogger({ exitFlush: false, transports: [{ type: 'file', path }] });
    log.info('first');
    await log.close();
    expect(statSync(path).mode & 0o777).toBe(0o640);
    const again = createLogger({ exitFlush: false, transports: [{ type: 'file', path }] });
    again.info('second');
    await again.close();
    expect(readLines(path).map((l) => JSON.parse(l).msg)).toEqual(['first', 'second']);
  });

  it('gathers a tick of lines into few writes, counts bytes and lines, emits progress', async () => {
    const path = join(tempDir(), 'app.log');
    const transport = new FileTransport({ path });
    const progress: FileProgress[] = [];
    transport.on('progress', (p: FileProgress) => progress.push(p));
    const log = createLogger({ exitFlush: false, transports: [transport] });
    for (let i = 0; i < 10_000; i++) log.info({ i }, 'x');
    await log.flush();
    const bytes = statSync(path).size;
    const stats = transport.stats();
    expect(stats).toMatchObject({ delivered: 10_000, lines: 10_000, bytes, pending: 0 });
    expect(stats.writes as number).toBeLessThan(30);
    expect(progress.at(-1)).toMatchObject({ bytesWritten: bytes, lines: 10_000 });
    await log.close();
  });

  it('sync: true puts each line on disk before the call returns', async () => {
    const path = join(tempDir(), 'app.log');
    const log = createLogger({ exitFlush: false, transports: [{ type: 'file', path, sync: true }] });
    log.info('now');
    expect(readLines(path)).toHaveLength(1);
    log.info('and now');
    expect(readLines(path)).toHaveLength(2);
    await log.close();
  });

  it('closes its descriptor on close() and on destroy()', async () => {
    const dir = tempDir();
    const a = new FileTransport({ path: join(dir, 'a.log') });
    const b = new FileTransport({ path: join(dir, 'b.log') });
    expect(openDescriptorsTo(join(dir, 'a.log'))).toBe(1);
    await a.close();
    b.destroy();
    await new Promise((resolve) => b.once('close', resolve));
    expect(openDescriptorsTo(join(dir, 'a.log'))).toBe(0);
    expect(openDescriptorsTo(join(dir, 'b.log'))).toBe(0);
  });

  it('reports an unwritable path clearly and keeps the logger usable', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'not-a-folder'), '');
    const path = join(dir, 'not-a-folder', 'app.log');
    const diagnostics: string[] = [];
    const failures: string[] = [];
    const log = createLogger({
      exitFlush: false,
      diagnostics: (m) => diagnostics.push(m),
      onDeliveryError: (f) => failures.push(f.reasons[0]!.error.message),
      transports: [{ type: 'file', path }, { type: 'memory' }],
    });
    log.info('still logged elsewhere');
    await log.flush();
    expect(diagnostics.join('\n')).toContain(`cannot open log file ${path}: ENOTDIR`);
    expect(failures).toEqual([`cannot open log file ${path}: ENOTDIR`]);
    expect(log.stats().targets.map((t) => [t.type, t.delivered, t.failed])).toEqual([
      ['file', 0, 1],
      ['memory', 1, 0],
    ]);
    await log.close();
  });

  it('several transports and loggers on one path share one writer: whole lines, none lost', async () => {
    const path = join(tempDir(), 'shared.log');
    // One logger's two entries on one file are a ConfigError (see config-conflicts.test.ts): a logger each.
    const one = createLogger({ exitFlush: false, transports: [{ type: 'file', path }] });
    const oneText = createLogger({ exitFlush: false, transports: [{ type: 'file', path, format: 'text' }] });
    const two = createLogger({ exitFlush: false, transports: [{ type: 'file', path }] });
    for (let i = 0; i < 3000; i++) {
      one.info({ i, who: 'one' }, 'x'.repeat(i % 200));
      oneText.info({ i, who: 'one' }, 'x'.repeat(i % 200));
      two.info({ i, who: 'two' }, 'y'.repeat(i % 300));
    }
    expect(openDescriptorsTo(path)).toBe(1);
    await Promise.all([one.close(), oneText.close(), two.close()]);
    const lines = readLines(path);
    expect(lines).toHaveLength(9000);
    const json = lines.filter((l) => l.startsWith('{'));
    expect(json).toHaveLength(6000);
    for (const line of json) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.filter((l) => l.startsWith('time=')).every((l) => /who=one$/.test(l))).toBe(true);
  });
});

describe('file transport: rotation', () => {
  it('rotates by size with no line lost or duplicated', async () => {
    const dir = tempDir();
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { size: '8KB' } }],
    });
    for (let i = 0; i < 5000; i++) log.info({ i }, 'rotating');
    await log.close();
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(8 * 1024);
    expect(sequence(allLines(dir))).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('rotates by time at local or UTC boundaries, by the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = tempDir();
    vi.setSystemTime(Date.UTC(2024, 0, 1, 22, 0));
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { interval: 'daily', utc: true } }],
    });
    let i = 0;
    for (const at of [
      Date.UTC(2024, 0, 1, 22, 0),
      Date.UTC(2024, 0, 1, 23, 59, 59),
      Date.UTC(2024, 0, 2, 0, 0),
      Date.UTC(2024, 0, 2, 12),
      Date.UTC(2024, 0, 4, 1),
    ]) {
      vi.setSystemTime(at);
      log.info({ i: i++ }, 'tick');
    }
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(['app.1.rotated.log', 'app.2.rotated.log', 'app.log']);
    expect(sequence(readLines(join(dir, 'app.1.rotated.log')))).toEqual([0, 1]);
    expect(sequence(readLines(join(dir, 'app.2.rotated.log')))).toEqual([2, 3]);
    expect(sequence(readLines(join(dir, 'app.log')))).toEqual([4]);
  });

  it('hourly rotation splits at each hour', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = tempDir();
    vi.setSystemTime(Date.UTC(2024, 5, 1, 10, 15));
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { interval: '1h', utc: true } }],
    });
    const times = [
      [10, 15],
      [10, 59],
      [11, 0],
      [11, 30],
      [13, 5],
    ];
    times.forEach(([h, m], i) => {
      vi.setSystemTime(Date.UTC(2024, 5, 1, h!, m!));
      log.info({ i }, 'hour');
    });
    await log.close();
    expect(sequence(allLines(dir))).toEqual([0, 1, 2, 3, 4]);
    expect(sequence(readLines(join(dir, 'app.1.rotated.log')))).toEqual([0, 1]);
    expect(sequence(readLines(join(dir, 'app.log')))).toEqual([4]);
  });

  it('after a restart, numbering continues from disk and a stale file rotates first', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const first = createLogger({ exitFlush: false, transports: [{ type: 'file', path, rotate: { size: '2KB' } }] });
    for (let i = 0; i < 60; i++) first.info({ i }, 'before restart');
    await first.close();
    const before = readdirSync(dir).filter((f) => f !== 'app.log').length;
    expect(before).toBeGreaterThan(0);
    const second = createLogger({ exitFlush: false, transports: [{ type: 'file', path, rotate: { size: '2KB' } }] });
    for (let i = 60; i < 120; i++) second.info({ i }, 'after restart');
    await second.close();
    expect(existsSync(join(dir, `app.${before + 1}.rotated.log`))).toBe(true);
    expect(sequence(allLines(dir))).toEqual(Array.from({ length: 120 }, (_, i) => i));

    // A daily file last written yesterday rotates as soon as the logger starts.
    const daily = join(dir, 'daily.log');
    writeFileSync(daily, '{"i":-1}\n');
    const yesterday = (Date.now() - 86_400_000 * 1.5) / 1000;
    utimesSync(daily, yesterday, yesterday);
    const third = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: daily, rotate: { interval: 'daily' } }],
    });
    third.info({ i: 0 }, 'today');
    await third.close();
    expect(sequence(readLines(join(dir, 'daily.1.rotated.log')))).toEqual([-1]);
    expect(sequence(readLines(daily))).toEqual([0]);
  });

  it('keeps at most maxFiles rotated files, deleting the oldest', async () => {
    const dir = tempDir();
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { size: '1KB', maxFiles: 3 } }],
    });
    for (let i = 0; i < 400; i++) log.info({ i }, 'prune me');
    await log.close();
    const rotated = readdirSync(dir)
      .filter((f) => f !== 'app.log')
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    expect(rotated).toHaveLength(3);
    const kept = sequence(allLines(dir));
    expect(kept.at(-1)).toBe(399);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 400 - kept.length + k));
  });

  it('gzips rotated files in the background; they gunzip to the right lines', async () => {
    const dir = tempDir();
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), rotate: { size: '4KB', compress: true } }],
    });
    for (let i = 0; i < 1000; i++) log.info({ i }, 'compress me');
    await log.close();
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.log.gz')).length).toBeGreaterThan(5);
    expect(files.filter((f) => f.endsWith('.tmp') || /^app\.\d+\.log$/.test(f))).toEqual([]);
    expect(sequence(allLines(dir))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});

describe('file transport: external rotation and failures', () => {
  it('reopen() after an external mv writes to a fresh file', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const transport = new FileTransport({ path });
    const log = createLogger({ exitFlush: false, transports: [transport] });
    log.info({ i: 0 }, 'before mv');
    await log.flush();
    renameSync(path, join(dir, 'app.log.old'));
    log.info({ i: 1 }, 'after mv, before reopen');
    await log.flush();
    transport.reopen();
    log.info({ i: 2 }, 'after reopen');
    await log.close();
    expect(sequence(readLines(join(dir, 'app.log.old')))).toEqual([0, 1]);
    expect(sequence(readLines(path))).toEqual([2]);
  });

  it('reopens on SIGHUP when asked', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const log = createLogger({
      exitFlush: false,
      transports: [
        { type: 'file', path, reopenOnSighup: true },
        { type: 'file', path: join(dir, 'other.log'), reopenOnSighup: true },
      ],
    });
    expect(process.listenerCount('SIGHUP')).toBe(1); // one listener however many files
    log.info({ i: 0 }, 'before');
    await log.flush();
    renameSync(path, join(dir, 'rotated.log'));
    const reopened = new Promise((resolve) => process.once('SIGHUP', resolve));
    process.kill(process.pid, 'SIGHUP');
    await reopened;
    log.info({ i: 1 }, 'after');
    await log.close();
    expect(sequence(readLines(path))).toEqual([1]);
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });

  it.skipIf(!canMountTmpfs)(
    'ENOSPC: records fail and are reported, then the transport works again once space returns',
    () =>
      onTinyTmpfs(async (mountPoint) => {
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(60 * 1024));
        const failures: string[] = [];
        // A high failureThreshold keeps the router's circuit breaker out of this test of the transport.
        const log = createLogger({
          exitFlush: false,
          router: { health: { failureThreshold: 1_000_000 } },
          onDeliveryError: (f) => failures.push((f.reasons[0]!.error as NodeJS.ErrnoException).code!),
          transports: [{ type: 'file', path: join(mountPoint, 'app.log') }],
        });
        for (let i = 0; i < 200; i++) log.info({ i }, 'x'.repeat(100));
        await log.flush();
        const afterFull = log.stats();
        expect(afterFull.failed).toBeGreaterThan(0);
        expect(afterFull.delivered + afterFull.failed).toBe(200);
        expect(new Set(failures)).toEqual(new Set(['ENOSPC']));
        rmSync(join(mountPoint, 'filler'));
        for (let i = 200; i < 300; i++) log.info({ i }, 'space is back');
        await log.close();
        expect(log.stats().delivered).toBe(afterFull.delivered + 100);
        const lines = readFileSync(join(mountPoint, 'app.log'), 'utf8').split('\n').filter(Boolean);
        expect(lines.filter((l) => l.includes('space is back'))).toHaveLength(100);
      }),
  );
});
