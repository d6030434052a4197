import type { Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { closeRawServersAfterEach, expectAddsUp, lastJson, rawReceiver, runChild } from './receiver.js';

// Receivers that answer before the request body has arrived whole (as a proxy, a stub or a
// load balancer may): the answer comes while the client is still writing.

const servers: Server[] = [];
closeRawServersAfterEach(servers);

/**
 * A receiver that answers `200` to each connection's request as soon as its head arrives,
 * then reads (and discards) whatever else comes and after `resetAfterMs` resets the
 * connection, or reads on and keeps it open (`'read on'`), or reads nothing more and keeps
 * it open (`'stop reading'`). `bytes` counts what it read.
 */
async function earlyAnswer(
  resetAfterMs: number | 'read on' | 'stop reading',
): Promise<{ url: string; bytes: () => number }> {
  let bytes = 0;
  const url = await rawReceiver(servers, (socket) => {
    let answered = false;
    socket.on('data', (data) => {
      bytes += data.length;
      if (answered || !data.includes('\r\n\r\n')) return;
      answered = true;
      // Reading on, one request per connection: the answer says so (the next goes on another).
      const close = resetAfterMs === 'read on' ? 'Connection: close\r\n' : '';
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 0\r\n${close}\r\n`);
      if (resetAfterMs === 'stop reading') socket.pause();
      else if (resetAfterMs !== 'read on') setTimeout(() => socket.resetAndDestroy(), resetAfterMs);
    });
  });
  return { url, bytes: () => bytes };
}

/** A child's script: `count` records of 4 KB to `url`, one flush, a close, then its stats on stdout. */
function sendOnce(url: string, count: number, http: { timeoutMs: number; maxRecords: number; maxBytes: number }) {
  return `const log = createLogger({ exitFlush: false, base: null, router: { health: { failureThreshold: 1000000 } },
       transports: [{ type: 'http', url: ${JSON.stringify(url)}, timeoutMs: ${http.timeoutMs},
         batch: { maxRecords: ${http.maxRecords}, maxBytes: ${http.maxBytes}, intervalMs: 10 },
         retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 } }] });
     const pad = 'p'.repeat(4000);
     for (let i = 0; i < ${count}; i++) log.info({ i, pad }, 'sent');
     await log.flush({ timeoutMs: 20000 });
     await log.close({ timeoutMs: 5000 });
     writeSync(1, JSON.stringify(log.stats()) + '\\n');`;
}

describe('an answer that comes before the request body is written whole', () => {
  it('then a reset: a write failing on a freed socket does not crash the process; every record counted', async () => {
    const server = await earlyAnswer(5);
    const child = await runChild(
      `const log = createLogger({ exitFlush: false, base: null, router: { health: { failureThreshold: 1000000 } },
         transports: [{ type: 'http', url: ${JSON.stringify(server.url)}, timeoutMs: 5000,
           batch: { maxRecords: 1000, maxBytes: 8388608, intervalMs: 10 },
           retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 } }] });
       const pad = 'p'.repeat(4000);
       for (let round = 0; round < 30; round++) {
         for (let i = 0; i < 2000; i++) log.info({ i: round * 2000 + i, pad }, 'sent');
         await log.flush({ timeoutMs: 20000 });
       }
       await log.close({ timeoutMs: 20000 });
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
    );
    expect(child.stderr).not.toMatch(/Unhandled 'error' event/);
    expect(child.code).toBe(0);
    const stats = lastJson<LoggerStats>(child.stdout);
    expect(stats.logged).toBe(60_000);
    expect(stats.pending).toBe(0);
    expectAddsUp(stats);
  });

  it('and the server reads no more: the records it never got are not counted delivered', async () => {
    const server = await earlyAnswer('stop reading');
    const child = await runChild(sendOnce(server.url, 4000, { timeoutMs: 300, maxRecords: 4000, maxBytes: 33554432 }));
    expect(child.code).toBe(0);
    const stats = lastJson<LoggerStats>(child.stdout);
    // 16 MB of records (more than the socket buffers hold: 4 MB at most here for sending, what
    // a reader that stopped early was given for receiving), of which the receiver read the head.
    expect(server.bytes()).toBeLessThan(4_000_000);
    expect(stats).toMatchObject({ logged: 4000, delivered: 0, failed: 4000, pending: 0 });
    expectAddsUp(stats);
  });

  it('and the server reads it all: delivered once the body is out, each record sent once', async () => {
    const server = await earlyAnswer('read on');
    const child = await runChild(sendOnce(server.url, 3000, { timeoutMs: 5000, maxRecords: 1000, maxBytes: 8388608 }));
    expect(child.code).toBe(0);
    const stats = lastJson<LoggerStats>(child.stdout);
    expect(stats).toMatchObject({ logged: 3000, delivered: 3000, failed: 0, possibleDuplicates: 0 });
    expect(server.bytes()).toBeGreaterThan(12_000_000);
    expect(server.bytes()).toBeLessThan(13_000_000);
  });
});
