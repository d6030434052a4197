import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { answeringReceiver, closeServersAfterEach, expectAddsUp, tempFolder } from './receiver.js';

// Found by attacking the http presets as odd backends would. A close() without a timeout is to
// resolve by `retry.deadlineMs`, but each batch kept its own deadline from its first send: a
// backlog behind a destination that never answers held the close for the backlog's length
// (40 batches, over a minute). And with a spool, a close sent each batch behind one waiting
// out a backoff once, at once: a burst of a request per batch against a destination that had
// asked for a minute of quiet.

const servers: Server[] = [];
closeServersAfterEach(servers);

/** Batches of 10, one at a time, to `url`; a circuit that never opens, so every batch is tried. */
function shipper(url: string, options: Record<string, unknown>) {
  return createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [{ type: 'http', url, batch: { maxRecords: 10, intervalMs: 5 }, concurrency: 1, ...options } as never],
  });
}

describe('a close() against a destination that never answers, a backlog of batches behind', () => {
  it('gives up within retry.deadlineMs of the close: what was not sent by then fails, said', async () => {
    const { url, requests } = await answeringReceiver(servers, () => {});
    const log = shipper(url, { timeoutMs: 200, retry: { deadlineMs: 1000, baseMs: 20, maxMs: 50 } });
    for (let i = 0; i < 300; i++) log.info({ i }, 'backlog');
    const started = Date.now();
    expect(await log.close()).toBe(true);
    const took = Date.now() - started;
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 300, delivered: 0, failed: 300, pending: 0 });
    // Each of the 30 batches tried until its own deadline took about 30 s and 120 requests.
    expect(requests()).toBeLessThan(15);
    expect(took).toBeLessThan(10_000);
    expect(stats.targets[0]!.lastError).toBe('not sent within retry.deadlineMs (1000 ms) of the close');
  });
});

describe('a close() without a spool while the destination asks for quiet (503, Retry-After: 1)', () => {
  it('fails the batches behind one that cannot be tried again by the deadline: no request each, at once', async () => {
    const times: number[] = [];
    const { url, requests } = await answeringReceiver(servers, (_req, res) => {
      times.push(Date.now());
      res.writeHead(503, { 'retry-after': '1' }).end('busy');
    });
    const log = shipper(url, { retry: { deadlineMs: 2500, baseMs: 100, maxMs: 5000, maxAttempts: 100 } });
    log.info({ i: -1 }, 'first');
    for (let i = 0; i < 50 && requests() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 300; i++) log.info({ i }, 'behind');
    expect(await log.close()).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 301, delivered: 0, failed: 301, pending: 0 });
    // Found attacking the deadline above: the first batch out of time freed its slot, and each
    // of the 30 behind it was sent at once (31 requests in 25 ms).
    const most = Math.max(...times.map((at) => times.filter((other) => other >= at && other - at < 100).length));
    expect(most).toBeLessThanOrEqual(2);
    expect(requests()).toBeLessThan(6);
  });
});

describe('a close() with a spool while the destination asks for quiet (503, Retry-After: 60)', () => {
  it('parks the batches behind the one waiting out its backoff: no request each at the close', async () => {
    const { url, requests } = await answeringReceiver(servers, (_req, res) => {
      res.writeHead(503, { 'retry-after': '60' }).end('busy');
    });
    const log = shipper(url, { retry: { maxMs: 60_000 }, spool: { dir: tempFolder('quiet-spool') } });
    log.info({ i: -1 }, 'first');
    for (let i = 0; i < 50 && requests() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(requests()).toBe(1);
    for (let i = 0; i < 300; i++) log.info({ i }, 'behind');
    expect(await log.close({ timeoutMs: 3000 })).toBe(true);
    // Before: 30 more requests within the close, one per batch behind.
    expect(requests()).toBe(1);
    const stats = log.stats();
    expectAddsUp(stats);
    expect(stats).toMatchObject({ logged: 301, delivered: 0, failed: 0, pending: 301 });
    expect(stats.pendingDetail.spooled).toBe(301);
  });
});
