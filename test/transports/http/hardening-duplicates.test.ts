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

describe('possibleDuplicates after an answer that could not be read', () => {
  it("otlp: a 2xx that is not the collector's JSON is resent, and what the resend delivers counts", async () => {
    let requests = 0;
    const server = createServer(async (req, res) => {
      await readBody(req);
      // A proxy's page first: whether the collector behind it took the records is unknown.
      res.end(++requests === 1 ? '<html>OK</html>' : '{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        {
          type: 'http',
          preset: 'otlp',
          url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/logs`,
          batch: { maxRecords: 100, intervalMs: 10 },
          retry: { maxAttempts: 5, baseMs: 5, maxMs: 20 },
        },
      ],
    });
    for (let i = 0; i < 10; i++) log.info({ i }, 'maybe twice');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(requests).toBe(2);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 10, failed: 0, possibleDuplicates: 10 });
    await log.close();
  });
});

describe('the clickhouse preset with insertDeduplicationToken', () => {
  async function tokensSeen(
    deduplicate: boolean | undefined,
  ): Promise<{ tokens: (string | null)[]; bodies: string[] }> {
    const tokens: (string | null)[] = [];
    const bodies: string[] = [];
    const server = createServer(async (req, res) => {
      const body = await readBody(req);
      tokens.push(new URL(req.url ?? '/', 'http://x').searchParams.get('insert_deduplication_token'));
      bodies.push(body);
      // The first insert is taken and never answered: its outcome is unknown, so it is resent.
      if (tokens.length > 1) res.end('');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        {
          type: 'http',
          preset: 'clickhouse',
          url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
          insertDeduplicationToken: deduplicate,
          timeoutMs: 200,
          batch: { maxRecords: 10, intervalMs: 10 },
          retry: { maxAttempts: 100, baseMs: 5, maxMs: 20 },
        },
      ],
    });
    for (let i = 0; i < 10; i++) log.info({ i }, 'first batch');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    for (let i = 0; i < 10; i++) log.info({ i }, 'second batch');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, possibleDuplicates: 10 });
    await log.close();
    return { tokens, bodies };
  }

  it('a resend after an unknown outcome carries the same token; another batch carries another', async () => {
    const { tokens, bodies } = await tokensSeen(true);
    expect(tokens).toHaveLength(3);
    expect(bodies[1]).toBe(bodies[0]);
    expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('without the option no token is sent (a server before 22.2 refuses the setting)', async () => {
    const { tokens } = await tokensSeen(undefined);
    expect(tokens).toEqual([null, null, null]);
  });
});
