import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { lastJson, runChild, tempFolder } from './receiver.js';

// Found by a helper attacking receivers: a spool read whose request was in flight when the
// logger closed was cut off, its answer never read, its read never committed. A destination
// that took it was sent the same records at every later start, and `streamlog ship` of a spool
// (a logger that starts, replays, closes) sent its first batch again and again and never the
// rest. And records parked after an attempt of unknown outcome, then replayed and delivered,
// were not counted in possibleDuplicates (they were, resent from memory).
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function config(url: string, dir: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    base: null,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'http',
        url,
        spool: { dir: join(dir, 'spool') },
        retry: { maxAttempts: 2, baseMs: 20, maxMs: 50 },
        ...extra,
      },
    ],
  });
}

/** A receiver that keeps the `i` of each record it takes; `answer` says how, per request. */
async function keeping(answer: (req: IncomingMessage, res: ServerResponse, ids: number[]) => void) {
  const taken: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const ids = body.split('\n').flatMap((line) => (line ? [(JSON.parse(line) as { i: number }).i] : []));
      answer(req, res, ids);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { taken, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest` };
}

describe('a spool replayed by a logger that closes soon after it starts', () => {
  it('each run commits what the destination took: every record sent once over the runs', async () => {
    let up = false;
    const rx = await keeping((_req, res, ids) => {
      if (!up) return void res.writeHead(503).end();
      // Taken now, answered a moment later: the close comes while the answer is on its way.
      rx.taken.push(...ids);
      setTimeout(() => res.writeHead(200).end(), 200);
    });
    const dir = tempFolder('spool-replay-close');
    const first = await runChild(
      `const log = createLogger(${config(rx.url, dir)});
       for (let i = 0; i < 2000; i++) log.info({ i }, 'parked');
       await log.close();
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
      { timeoutMs: 30_000 },
    );
    expect(lastJson<LoggerStats>(first.stdout).pendingDetail.spooled).toBe(2000);
    up = true;
    for (let run = 0; run < 6 && new Set(rx.taken).size < 2000; run++) {
      const next = await runChild(
        `const log = createLogger(${config(rx.url, dir)});
         await new Promise((resolve) => setTimeout(resolve, 50));
         await log.close();`,
        { timeoutMs: 30_000 },
      );
      expect(next.code).toBe(0);
    }
    expect(new Set(rx.taken).size).toBe(2000);
    expect(rx.taken).toHaveLength(2000);
  }, 60_000);
});

describe('records parked after an attempt of unknown outcome, replayed and delivered', () => {
  it('are counted in possibleDuplicates, as they are when resent from memory', async () => {
    // Keeps what it reads, then drops the connection without an answer (the outcome is unknown
    // to the sender), until told to answer.
    let answering = false;
    const { taken, url } = await keeping((req, res, ids) => {
      taken.push(...ids);
      if (!answering) req.socket.destroy();
      else res.writeHead(200).end();
    });
    const dir = tempFolder('spool-possible-duplicates');
    const child = await runChild(
      `const log = createLogger(${config(url, dir, { batch: { maxRecords: 10, intervalMs: 10 } })});
       for (let i = 0; i < 100; i++) log.info({ i }, 'uncertain');
       setTimeout(() => writeSync(1, 'parked\\n'), 1000);
       await new Promise((resolve) => setTimeout(resolve, 3000));
       await log.close();
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
      {
        timeoutMs: 30_000,
        onStdout: (out) => {
          if (out.includes('parked')) answering = true;
        },
      },
    );
    const stats = lastJson<LoggerStats & { possibleDuplicates: number }>(child.stdout);
    expect(stats).toMatchObject({ logged: 100, delivered: 100, failed: 0, pending: 0 });
    // Every record reached the receiver once it answered.
    expect(new Set(taken).size).toBe(100);
    const counts = new Map<number, number>();
    for (const i of taken) counts.set(i, (counts.get(i) ?? 0) + 1);
    const again = [...counts.values()].filter((n) => n > 1).length;
    // Those sent after the first had gone to disk went to disk unsent: the rest went twice or more.
    expect(again).toBeGreaterThanOrEqual(20);
    expect(stats.possibleDuplicates).toBe(again);
  }, 60_000);
});
