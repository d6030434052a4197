import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { expectAddsUp, lastJson, runChild } from './receiver.js';

// Receivers that answer before the request body has arrived whole (as a proxy, a stub or a
// load balancer may): the answer comes while the client is still writing.

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/**
 * A receiver that answers `200` to each connection's request as soon as its head arrives,
 * reads (and discards) whatever else comes, and after `resetAfterMs` resets the connection.
 */
async function earlyAnswer(resetAfterMs: number): Promise<{ url: string }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let answered = false;
    socket.on('data', (data) => {
      if (answered || !data.includes('\r\n\r\n')) return;
      answered = true;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      setTimeout(() => socket.resetAndDestroy(), resetAfterMs);
    });
  });
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest` };
}

describe('an answer that comes before the request body is written whole', () => {
  it('then a reset: the process is not crashed by the write that fails on a freed socket, every record counted', async () => {
    const server = await earlyAnswer(5);
    const child = await runChild(
      `const log = createLogger({ exitFlush: false, base: null, router: { health: { failureThreshold: 1000000 } },
         transports: [{ type: 'http', url: ${JSON.stringify(server.url)}, timeoutMs: 5000,
           batch: { maxRecords: 1000, maxBytes: 8388608, intervalMs: 10 }, retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 } }] });
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
});
