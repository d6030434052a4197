import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerStats } from '../../../src/index.js';
import {
  type CountingReceiver,
  expectAddsUp,
  lastJson,
  lineCount,
  PRINT_AT_EXIT,
  runChild,
  tempFolder,
  waitingLines,
} from './receiver.js';
import { receiversClosedAfterEach, spoolFile } from './spool-fixture.js';

// An http target with a spool, nested in `buffered`, `validating` or both: its spool is
// opened as a direct target's is, so an outage parks its records (pending, not failed) and
// they are delivered once the receiver is back, by this process or the next.

const receiver = receiversClosedAfterEach();

type Shape = 'validating' | 'buffered' | 'validating(buffered)';

/** An http target with a spool in `dir/spool`, inside the wrappers `shape` names. */
function wrapped(shape: Shape, url: string, dir: string, maxBytes?: number): Record<string, unknown> {
  const http = {
    type: 'http',
    url,
    spool: { dir: join(dir, 'spool'), maxBytes },
    batch: { intervalMs: 20 },
    retry: { maxAttempts: 2, baseMs: 20, maxMs: 50 },
  };
  const buffered = (target: unknown) => ({ type: 'buffered', batch: { intervalMs: 20 }, target });
  const validating = (target: unknown) => ({
    type: 'validating',
    schema: { type: 'object', required: ['i'] },
    target,
  });
  switch (shape) {
    case 'validating':
      return validating(http);
    case 'buffered':
      return buffered(http);
    case 'validating(buffered)':
      return validating(buffered(http));
  }
}

function config(shape: Shape, url: string, dir: string, maxBytes?: number): Record<string, unknown> {
  return {
    base: null,
    exitTimeoutMs: 2000,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [wrapped(shape, url, dir, maxBytes)],
  };
}

/** Waits until `done` holds, checking the accounting at every look; fails after 15 s. */
async function until(log: Logger, what: string, done: (stats: LoggerStats) => boolean): Promise<LoggerStats> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const stats = log.stats();
    expectAddsUp(stats);
    if (done(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`not ${what}: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SHAPES: Shape[] = ['validating', 'buffered', 'validating(buffered)'];

describe('a spool on an http target nested in wrappers', () => {
  it.each(SHAPES)(
    'in %s: an outage parks the records (pending), the receiver back delivers them',
    async (shape) => {
      const live: CountingReceiver = await receiver('down');
      const dir = tempFolder('wrapped-spool');
      const log = createLogger({ ...config(shape, live.url, dir), exitFlush: false });
      for (let i = 0; i < 200; i++) log.info({ i }, 'during the outage');
      const parked = await until(log, 'parked', (s) => s.pendingDetail.spooled === 200);
      expect(parked).toMatchObject({ logged: 200, delivered: 0, failed: 0, dropped: 0, pending: 200 });
      expect(parked.targets[0]).toMatchObject({ failed: 0, delivered: 0, spooled: 0 });
      expect(lineCount(spoolFile(dir, live.url))).toBeGreaterThan(0);
      expect(existsSync(join(dir, 'dead.ndjson'))).toBe(false);

      live.mode = 'ok';
      const after = await until(log, 'delivered', (s) => s.delivered === 200);
      expect(after).toMatchObject({ logged: 200, delivered: 200, failed: 0, dropped: 0, pending: 0 });
      expect(after.pendingDetail.spooled).toBe(0);
      expect(new Set(live.received).size).toBe(200);
      await log.close();
      expectAddsUp(log.stats());
      expect(existsSync(spoolFile(dir, live.url))).toBe(false);
    },
    30_000,
  );

  it('close() during the outage parks what waits out a backoff and resolves with the records pending', async () => {
    const live = await receiver('down');
    const dir = tempFolder('wrapped-spool-close');
    const log = createLogger({ ...config('validating(buffered)', live.url, dir), exitFlush: false });
    for (let i = 0; i < 50; i++) log.info({ i }, 'before the close');
    await log.close();
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 50, delivered: 0, failed: 0, pending: 50 });
    expect(stats.pendingDetail.spooled).toBe(50);
    expect(lineCount(spoolFile(dir, live.url))).toBe(50);
  }, 30_000);

  it('close({ timeoutMs }) with a receiver that never answers parks what is held: pending, none failed', async () => {
    const stalled = await receiver('stall');
    const dir = tempFolder('wrapped-spool-timeout');
    const log = createLogger({ ...config('validating(buffered)', stalled.url, dir), exitFlush: false });
    for (let i = 0; i < 100; i++) log.info({ i }, 'never answered');
    await until(log, 'sent', () => stalled.requests > 0);
    await log.close({ timeoutMs: 300 });
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 100, delivered: 0, failed: 0, pending: 100 });
    expect(stats.pendingDetail).toEqual({ inMemory: 0, spooled: 100, abandoned: 0 });
    expect(lineCount(spoolFile(dir, stalled.url))).toBe(100);
  }, 30_000);

  it('a second logger on the same destination takes a spool file of its own; each delivers only its own', async () => {
    const live = await receiver('down');
    const dir = tempFolder('wrapped-spool-two');
    const first = createLogger({ ...config('buffered', live.url, dir), exitFlush: false });
    const second = createLogger({ ...config('validating(buffered)', live.url, dir), exitFlush: false });
    for (let i = 0; i < 100; i++) first.info({ i }, 'first');
    for (let i = 100; i < 150; i++) second.info({ i }, 'second');
    await until(first, 'parked', (s) => s.pendingDetail.spooled === 100);
    await until(second, 'parked', (s) => s.pendingDetail.spooled === 50);
    const file = spoolFile(dir, live.url);
    const other = file.replace(/\.ndjson$/, '.2.ndjson');
    expect(readFileSync(`${file}.lock`, 'utf8').split(' ')[0]).toBe(String(process.pid));
    expect(readFileSync(`${other}.lock`, 'utf8').split(' ')[0]).toBe(String(process.pid));
    expect(lineCount(file) + lineCount(other)).toBe(150);

    live.mode = 'ok';
    await until(first, 'delivered', (s) => s.delivered === 100);
    await until(second, 'delivered', (s) => s.delivered === 50);
    await Promise.all([first.close(), second.close()]);
    expect([...live.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(existsSync(`${file}.lock`) || existsSync(`${other}.lock`)).toBe(false);
  }, 30_000);
});

describe('a spool of a nested target held by another process', () => {
  it('is left to it: this logger parks in a file of its own, the next start delivers the other', async () => {
    const live = await receiver('down');
    const dir = tempFolder('wrapped-spool-process');
    const cfg = config('validating(buffered)', live.url, dir);
    const go = join(dir, 'go');
    let ready!: () => void;
    const childReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const first = runChild(
      `const { existsSync } = await import('node:fs');
       const log = createLogger(${JSON.stringify(cfg)});
       for (let i = 1000; i < 1050; i++) log.info({ i }, 'the other process');
       const deadline = Date.now() + 15000;
       const wait = () => new Promise((r) => setTimeout(r, 10));
       while (Date.now() < deadline && log.stats().pendingDetail.spooled < 50) await wait();
       writeSync(1, 'ready\\n');
       while (Date.now() < deadline && !existsSync(${JSON.stringify(go)})) await wait();
       process.exit(0);`,
      { timeoutMs: 30_000, onStdout: (out) => out.includes('ready') && ready() },
    );
    // A child that ends before it is ready fails the test instead of leaving it waiting.
    const ended = first.then((result) => Promise.reject(new Error(`the child ended: ${JSON.stringify(result)}`)));
    await Promise.race([childReady, ended]);
    const file = spoolFile(dir, live.url);
    const log = createLogger({ ...cfg, exitFlush: false });
    for (let i = 0; i < 50; i++) log.info({ i }, 'this process');
    await until(log, 'parked', (stats) => stats.pendingDetail.spooled === 50);
    expect(lineCount(file)).toBe(50);
    expect(lineCount(file.replace(/\.ndjson$/, '.2.ndjson'))).toBe(50);
    writeFileSync(go, '');
    const child = await first;
    expect(child.stderr).toBe('');

    live.mode = 'ok';
    await until(log, 'delivered', (stats) => stats.delivered === 50);
    await log.close();
    expect([...live.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // The other's file waits for the next start with its 50 records, and none of ours was ever in it.
    const waiting = waitingLines(file).map((line) => (JSON.parse(line) as { i: number }).i);
    expect(waiting.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .every((line) => JSON.parse(line).i >= 1000),
    ).toBe(true);

    const next = await runChild(
      `import { statSync } from 'node:fs';
       const log = createLogger(${JSON.stringify(cfg)});
       const empty = () => { try { return statSync(${JSON.stringify(file)}).size === 0; } catch { return true; } };
       const deadline = Date.now() + 15000;
       while (Date.now() < deadline && !empty()) await new Promise((r) => setTimeout(r, 20));
       await log.close();`,
      { timeoutMs: 30_000 },
    );
    expect(next.stderr).toBe('');
    const others = live.received.filter((i) => i >= 1000).sort((a, b) => a - b);
    expect(others).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
  }, 60_000);
});

describe('the spool bound of an http target nested in buffered', () => {
  it('lines dropped for spool.maxBytes count as dropped, each record delivered or dropped once', async () => {
    const live = await receiver('down');
    const dir = tempFolder('wrapped-spool-bound');
    const log = createLogger({ ...config('validating(buffered)', live.url, dir, 2000), exitFlush: false });
    log.on('deliveryFailed', () => {}); // the drops: counted and dead-lettered
    for (let i = 0; i < 200; i++) {
      log.info({ i }, 'while the backend is down');
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const parked = await until(log, 'parked or dropped', (s) => s.dropped + s.pendingDetail.spooled === 200);
    expect(parked.failed).toBe(0);
    expect(parked.dropped).toBeGreaterThan(100);
    expect(parked.pending).toBe(parked.pendingDetail.spooled);

    live.mode = 'ok';
    const after = await until(log, 'delivered', (s) => s.pending === 0);
    await log.close();
    expect(after).toMatchObject({ failed: 0, dropped: parked.dropped, delivered: 200 - parked.dropped });
    const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { record: { i: number } }).record.i);
    expect(dead).toHaveLength(parked.dropped);
    expect([...live.received, ...dead].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  }, 30_000);
});

describe('a spool on an http target nested in wrappers, at the end of a process', () => {
  it.each([
    ['process.exit()', 'process.exit(0);'],
    ['the script returning', ''],
  ])(
    '%s: the records held wait on disk (pending, not failed); the next start delivers them',
    async (_, end) => {
      const live = await receiver('down');
      const dir = tempFolder('wrapped-spool-exit');
      const cfg = JSON.stringify(config('validating(buffered)', live.url, dir));
      const child = await runChild(
        `const log = createLogger(${cfg});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 300; i++) log.info({ i }, 'before the exit');
       ${end}`,
        { timeoutMs: 30_000 },
      );
      expect(child.stderr).toBe('');
      expect(child.code).toBe(0);
      const stats = lastJson<LoggerStats>(child.stdout);
      expectAddsUp(stats);
      expect(stats).toMatchObject({ logged: 300, delivered: 0, failed: 0, dropped: 0, pending: 300 });
      expect(stats.pendingDetail.spooled).toBe(300);
      const file = spoolFile(dir, live.url);
      expect(lineCount(file)).toBe(300);
      expect(existsSync(join(dir, 'dead.ndjson'))).toBe(false);
      expect(live.received).toEqual([]);

      live.mode = 'ok';
      const next = await runChild(
        `import { statSync } from 'node:fs';
       const log = createLogger(${cfg});
       const empty = () => { try { return statSync(${JSON.stringify(file)}).size === 0; } catch { return true; } };
       const deadline = Date.now() + 15000;
       while (Date.now() < deadline && !empty()) await new Promise((r) => setTimeout(r, 20));
       await log.close();
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
        { timeoutMs: 30_000 },
      );
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
      expect([...live.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(existsSync(file) ? statSync(file).size : 0).toBe(0);
    },
    60_000,
  );
});
