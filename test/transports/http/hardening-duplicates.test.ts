import { createServer, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { readBody, closeServersAfterEach, deadPort } from './receiver.js';

// A resend after an attempt whose outcome is unknown (the request was written, then no
// answer came in time or the connection broke) may leave the records at the destination
// twice: such records are counted as possibleDuplicates; a resend after a connection that
// never took the request is not.

const servers: Server[] = [];
closeServersAfterEach(servers);

function shipper(url: string) {
  return createLogger({
    exitFlush: false,
    base: null,
    transports: [
      {
        type: 'http',
        url,
        timeoutMs: 200,
        batch: { maxRecords: 100, intervalMs: 10 },
        // Attempts enough for a slow machine: the refused test's receiver comes up only after a while.
        retry: { maxAttempts: 1000, baseMs: 5, maxMs: 20 },
      },
    ],
  });
}

describe('possibleDuplicates', () => {
  it('the first attempt read whole and never answered: the resent records count as possible duplicates', async () => {
    let requests = 0;
    const server = createServer(async (req, res) => {
      await readBody(req);
      // The first request is taken and left unanswered past timeoutMs; the second is answered.
      if (++requests > 1) res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = shipper(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    for (let i = 0; i < 50; i++) log.info({ i }, 'maybe twice');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 50, delivered: 50, failed: 0, possibleDuplicates: 50 });
    expect(log.stats().targets[0]).toMatchObject({ possibleDuplicates: 50 });
    await log.close();
  });

  it('a connection refused before the request was written: retried, and not counted', async () => {
    // A port that refuses for the first attempts, then a receiver that answers on it.
    const port = await deadPort();
    const log = shipper(`http://127.0.0.1:${port}/`);
    for (let i = 0; i < 20; i++) log.info({ i }, 'once');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const server = createServer(async (req, res) => {
      await readBody(req);
      res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    expect(stats).toMatchObject({ logged: 20, delivered: 20, failed: 0, possibleDuplicates: 0 });
    expect((stats.targets[0] as unknown as { retries: number }).retries).toBeGreaterThan(0);
    await log.close();
  });

  it('a connection reset after the request was written counts; a plain answer never does', async () => {
    let requests = 0;
    const server = createServer(async (req, res) => {
      await readBody(req);
      if (++requests === 1) req.socket.destroy();
      else res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = shipper(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    for (let i = 0; i < 10; i++) log.info({ i }, 'reset');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    for (let i = 0; i < 10; i++) log.info({ i }, 'answered');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, possibleDuplicates: 10 });
    await log.close();
  });
});
