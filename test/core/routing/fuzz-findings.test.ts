import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerStats, type LogRecord, type Transport } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

// Small deterministic cases of what test/core/routing/accounting-fuzz.test.ts found.

describe('what the accounting fuzz found', () => {
  it('under all, records failed at one target and held by another: pendingDetail sums to pending', async () => {
    const refuses = new ControlledTransport({ id: 'refuses', mode: 'fail' });
    const stalls = new ControlledTransport({ id: 'stalls', mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [refuses, stalls] });
    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    const during = log.stats();
    // Each record failed under `all` at once; the stalled target still holds them, but they are not pending.
    expect(during).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    expect(during.pendingDetail).toEqual({ inMemory: 0, spooled: 0, abandoned: 0 });
    expect(await log.close({ timeoutMs: 50 })).toBe(false);
    const after = log.stats();
    expect(after).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    expect(after.pendingDetail).toEqual({ inMemory: 0, spooled: 0, abandoned: 0 });
  });
});

describe('a record logged by a listener while failures are reported', () => {
  it('is pending, not delivered, until it is routed: stats() read right after logging it', async () => {
    const refuses = new ControlledTransport({ id: 'refuses', mode: 'fail' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [refuses] });
    let inside: ReturnType<typeof log.stats> | undefined;
    log.on('deliveryFailed', ({ record }) => {
      if (record.msg !== 'first') return;
      log.warn('the first record failed');
      inside = log.stats();
    });
    log.info('first');
    await new Promise((resolve) => setImmediate(resolve));
    // The listener's record waits its turn; it has reached no target yet.
    expect(inside).toMatchObject({ logged: 2, delivered: 0, failed: 1, pending: 1 });
    expect(inside?.pendingDetail.inMemory).toBe(1);
    await log.flush();
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 0, failed: 2, pending: 0 });
    await log.close();
  });
});

describe('a Writable handed to the logger that calls back twice for one write', () => {
  it('does not settle the next record, which it never wrote, as delivered', async () => {
    const written: string[] = [];
    const stream = new Writable({
      objectMode: true,
      write(record: LogRecord, _encoding, callback) {
        if (record.msg === 'second') return; // its callback never comes
        written.push(String(record.msg));
        callback();
        setTimeout(() => callback(), 1); // once more, a little later
      },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [stream] });
    log.info('first');
    log.info('second');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(written).toEqual(['first']);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 1, pending: 1 });
    expect(diagnostics.some((m) => m.includes('called back twice'))).toBe(true);
    await log.close({ timeoutMs: 20 });
  });
});

describe('records an http target parked in its spool and then replayed, with several targets', () => {
  /** A receiver that answers `status.value` to every request. */
  async function receiver(status: { value: number }): Promise<{ url: string; server: Server }> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status.value).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, server };
  }

  async function parkThenRefuse(strategy: 'all' | 'any', other: Transport): Promise<LoggerStats> {
    const status = { value: 503 };
    const { url, server } = await receiver(status);
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fate-'));
    try {
      const http = {
        type: 'http' as const,
        id: 'http',
        url,
        batch: { maxRecords: 5, intervalMs: 5 },
        retry: { maxAttempts: 1, baseMs: 5, maxMs: 10 },
        spool: { dir },
      };
      const log = createLogger({
        exitFlush: false,
        diagnostics: false,
        router: { strategy, health: { failureThreshold: 1000 } },
        transports: [other, http],
      });
      for (let i = 0; i < 10; i++) log.info({ i }, 'line');
      // Out of attempts, every record is parked; then the server refuses what is replayed.
      while ((log.stats().targets[1] as { spooledForLater?: number }).spooledForLater !== 10) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      status.value = 400;
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      const stats = log.stats();
      await log.close();
      return stats;
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('under all, a record failed at another target is not counted failed again when its replay fails', async () => {
    const stats = await parkThenRefuse('all', new ControlledTransport({ id: 'refuses', mode: 'fail' }));
    expect(stats).toMatchObject({ logged: 10, delivered: 0, failed: 10, pending: 0, targetFailures: 20 });
  });

  it('under any, a record delivered at another target stays delivered when its replay fails', async () => {
    const stats = await parkThenRefuse('any', new ControlledTransport({ id: 'takes', mode: 'ok' }));
    expect(stats).toMatchObject({ logged: 10, delivered: 10, failed: 0, pending: 0, targetFailures: 10 });
  });
});

describe('records the router parked in its spool and replayed, with several targets', () => {
  it('under all, a record failed at another target is not counted failed again when its replay fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fate-'));
    try {
      const refuses = new ControlledTransport({ id: 'refuses', mode: 'fail' });
      const stalls = new ControlledTransport({ id: 'stalls', mode: 'stall' });
      const log = createLogger({
        exitFlush: false,
        diagnostics: false,
        router: { strategy: 'all', spool: { dir }, health: { failureThreshold: 1000 } },
        transports: [refuses, { transport: stalls, maxQueue: { maxRecords: 2 } }],
      });
      for (let i = 0; i < 10; i++) log.info({ i }, 'line');
      expect(log.stats().targets[1]!.spooled).toBeGreaterThan(0);
      // The stalled target refuses what it holds and everything replayed from the spool.
      stalls.mode = 'fail';
      stalls.release('failed');
      expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 10, delivered: 0, failed: 10, pending: 0, targetFailures: 20 });
      await log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a full blocking queue that writes synchronously to make room', () => {
  it("a file target's progress listener never sees the record waiting for room counted delivered", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-arriving-'));
    try {
      const path = join(dir, 'app.log');
      const log = createLogger({
        exitFlush: false,
        diagnostics: false,
        transports: [{ type: 'file', path, maxQueue: { maxRecords: 4 } }],
      });
      const problems: string[] = [];
      const delivered: number[] = [];
      log.transport('file#0')?.on('progress', () => {
        const stats = log.stats();
        delivered.push(stats.delivered);
        const written = readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
        if (stats.delivered > written) problems.push(`delivered ${stats.delivered}, ${written} in the file`);
      });
      for (let i = 0; i < 10; i++) {
        log.info({ i }, 'line');
        delivered.push(log.stats().delivered);
      }
      await log.close();
      expect(problems).toEqual([]);
      expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** 50 records logged to a slow target behind a router spool in `dir`: most of them on disk. */
function slowTargetBehindSpool(dir: string): { log: Logger; slow: ControlledTransport } {
  const slow = new ControlledTransport({ id: 'slow', mode: 'slow' });
  const log = createLogger({
    exitFlush: false,
    diagnostics: false,
    router: { spool: { dir } },
    transports: [{ transport: slow, maxQueue: { maxRecords: 2 } }],
  });
  for (let i = 0; i < 50; i++) log.info({ i }, 'line');
  return { log, slow };
}

describe('close() with records in the router spool', () => {
  it('resolves true with nothing in memory: what the spool holds stays there, nothing is fed in after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-close-spool-'));
    try {
      const { log, slow } = slowTargetBehindSpool(dir);
      expect(log.stats().targets[0]!.spooled).toBeGreaterThan(0);
      expect(await log.close()).toBe(true);
      const closed = log.stats();
      expect(closed.pending).toBe(closed.pendingDetail.spooled);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const later = log.stats();
      expect([later.delivered, later.pending]).toEqual([closed.delivered, closed.pending]);
      expect(slow.received.length).toBe(closed.delivered);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a flush() under way when close({ timeoutMs }) gives up', () => {
  it('resolves false once the close is done, instead of waiting for ever', async () => {
    const stalls = new ControlledTransport({ id: 'stalls', mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [stalls] });
    log.info('held for ever');
    const flushing = log.flush();
    expect(await log.close({ timeoutMs: 20 })).toBe(false);
    const hung = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000));
    expect(await Promise.race([flushing, hung])).toBe(false);
    // And one asked for after the close answers at once.
    expect(await Promise.race([log.flush(), hung])).toBe(false);
  });
});

describe('flush({ timeoutMs }) on a logger closed with records still held', () => {
  it('resolves false, as flush() does', async () => {
    const stalls = new ControlledTransport({ id: 'stalls', mode: 'stall' });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [stalls] });
    log.info('held for ever');
    expect(await log.close({ timeoutMs: 20 })).toBe(false);
    expect(log.stats().pending).toBe(1);
    expect(await log.flush({ timeoutMs: 100 })).toBe(false);
  });
});

describe('flush() on a logger closed with records left in the router spool', () => {
  it('resolves false: those records are pending, not settled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-flush-spool-'));
    try {
      const { log } = slowTargetBehindSpool(dir);
      expect(await log.close()).toBe(true);
      const { pending, pendingDetail } = log.stats();
      expect(pending).toBeGreaterThan(0);
      expect(pendingDetail.spooled).toBe(pending);
      expect(await log.flush({ timeoutMs: 100 })).toBe(false);
      expect(await log.flush()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('close({ timeoutMs }) giving up on a target that dropped records (found by a fuzz of process endings)', () => {
  it.each(['any', 'all'] as const)(
    'under %s, the warning summing up its drops is written by the other target, not left pending',
    async (strategy) => {
      // Accepts every request and never answers.
      const server = createServer(() => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-drop-summary-'));
      try {
        const log = createLogger({
          exitFlush: false,
          diagnostics: false,
          router: { strategy },
          transports: [
            { type: 'file', id: 'file', path: join(dir, 'app.log') },
            {
              type: 'http',
              id: 'http',
              url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
              maxQueue: { maxRecords: 50 },
              overflow: 'drop-oldest',
            },
          ],
        });
        for (let i = 0; i < 200; i++) log.info({ i }, 'rec');
        expect(await log.close({ timeoutMs: 200 })).toBe(false);
        const stats = log.stats();
        // The summary is the 201st record; it waited in the file target's queue, pending for good.
        expect(stats).toMatchObject({ logged: 201, pending: 0 });
        expect(stats.delivered + stats.failed + stats.dropped).toBe(201);
        const lines = readFileSync(join(dir, 'app.log'), 'utf8').split('\n').filter(Boolean);
        expect(lines).toHaveLength(201);
        expect(lines[200]).toContain('while its queue was full');
      } finally {
        server.closeAllConnections();
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('a close that gave up, a target whose destroy fails what it holds (found attacking the fix above)', () => {
  it.each(['all', 'majority'] as const)(
    'under %s, the drops summed up then are said, not left pending',
    async (strategy) => {
      class FailsOnDestroy extends ControlledTransport {
        override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
          const held = this.held.splice(0);
          if (held.length > 0) this.settleFailed(held, new Error('destroyed'));
          callback(error);
        }
      }
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-destroy-summary-'));
      const diagnostics: string[] = [];
      try {
        const log = createLogger({
          exitFlush: false,
          diagnostics: (message) => diagnostics.push(message),
          router: { strategy, health: { failureThreshold: 1e9 } },
          transports: [
            { type: 'file', id: 'file', path: join(dir, 'app.log') },
            {
              transport: new FailsOnDestroy({ id: 'df', mode: 'stall' }),
              id: 'df',
              maxQueue: { maxRecords: 5 },
              overflow: 'drop-oldest',
            },
          ],
        });
        for (let i = 0; i < 100; i++) log.info({ i }, 'rec');
        expect(await log.close({ timeoutMs: 200 })).toBe(false);
        const stats = log.stats();
        expect(stats).toMatchObject({ logged: 100, pending: 0 });
        expect(stats.delivered + stats.failed + stats.dropped).toBe(100);
        expect(diagnostics).toContain('dropped 95 record(s) for df while its queue was full');
        // The records its destroy failed are not said to be abandoned.
        expect(diagnostics.filter((m) => m.startsWith('df did not settle in time'))).toEqual([
          'df did not settle in time: 3 queued record(s) failed, 0 in the transport abandoned',
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
