import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type HttpStats } from '../../../src/index.js';
import { countingLogger } from './counting-logger.js';
import { readBody } from './receiver.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A receiver on 127.0.0.1 whose answer to each request `respond` decides. */
async function receiver(
  respond: (
    body: string,
    n: number,
    req: IncomingMessage,
  ) => { status: number; body?: string; headers?: Record<string, string> } | 'reset' | 'stall',
): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    requests.push(body);
    const answer = respond(body, requests.length, req);
    if (answer === 'reset') return void req.socket.destroy();
    if (answer === 'stall') return;
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`, requests };
}

/** A receiver that answers 503 until `bringUp()`, then records the `i` of every line it takes. */
async function downThenUp(): Promise<{ url: string; received: number[]; bringUp(): void }> {
  let up = false;
  const received: number[] = [];
  const { url } = await receiver((body) => {
    if (!up) return { status: 503 };
    for (const line of body.split('\n')) if (line) received.push((JSON.parse(line) as { i: number }).i);
    return { status: 200 };
  });
  return {
    url,
    received,
    bringUp: () => {
      up = true;
    },
  };
}

describe('the HTTP transport against faults', () => {
  it('50,000 records through 503, 429, 413, poison 400, resets and stalls: nothing else missing', async () => {
    // Deterministic faults by request number; sizes and poison by content.
    const received = new Set<number>();
    const { url } = await receiver((body, n) => {
      if (n % 97 === 0) return 'reset';
      if (n % 89 === 0) return 'stall';
      if (n % 13 === 0) return { status: 503 };
      if (n % 17 === 0) return { status: 429, headers: { 'retry-after': '0' } };
      if (body.length > 150_000) return { status: 413 };
      if (body.includes('"poison":true')) return { status: 400, body: 'poison record' };
      for (const line of body.split('\n')) if (line) received.add((JSON.parse(line) as { id: number }).id);
      return { status: 200 };
    });
    const { log, dead: deadLetter } = countingLogger('http', {
      url,
      compression: 'gzip',
      concurrency: 4,
      timeoutMs: 300,
      batch: { maxRecords: 2000, maxBytes: '1MB', intervalMs: 20 },
      retry: { maxAttempts: 30, baseMs: 5, maxMs: 50, deadlineMs: 60_000 },
    });
    const poison = new Set([7, 4242, 19_999, 31_000, 49_999]);
    for (let id = 0; id < 50_000; id++) log.info(poison.has(id) ? { id, poison: true } : { id }, 'shipped');
    await log.flush({ timeoutMs: 60_000 });
    await log.close();
    for (let id = 0; id < 50_000; id++) if (!poison.has(id)) expect(received.has(id), `id ${id}`).toBe(true);
    const dead = deadLetter().map((entry) => entry.record.id as number);
    expect(new Set(dead)).toEqual(poison);
    const stats = log.stats();
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped);
    expect(stats).toMatchObject({ logged: 50_000, failed: 5, dropped: 0 });
    const http = stats.targets[0] as unknown as HttpStats;
    expect(http.retries).toBeGreaterThan(0);
    expect(http.splits).toBeGreaterThan(0);
  }, 90_000);

  it("a Retry-After shorter than the backoff (0, or a date past by this host's clock) keeps the backoff", async () => {
    // Full jitter at its top, so the waits are the backoff's ceilings: 40, 80, 160, 320 ms.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      const at: number[] = [];
      const past = new Date(Date.now() - 3_600_000).toUTCString();
      const { url } = await receiver(() => {
        at.push(performance.now());
        return { status: 503, headers: { 'retry-after': at.length % 2 === 0 ? '0' : past } };
      });
      const log = createLogger({
        exitFlush: false,
        base: null,
        diagnostics: false,
        transports: [
          { type: 'http', url, batch: { intervalMs: 5 }, retry: { maxAttempts: 5, baseMs: 40, maxMs: 2000 } },
        ],
      });
      log.info('one');
      await log.flush({ timeoutMs: 10_000 });
      expect(log.stats()).toMatchObject({ logged: 1, failed: 1 });
      await log.close();
      expect(at).toHaveLength(5);
      // Before: every wait was baseMs (a fixed-rate retry storm, 160 ms for all five attempts).
      expect(at[4]! - at[0]!).toBeGreaterThanOrEqual(0.99 * (40 + 80 + 160 + 320));
    } finally {
      random.mockRestore();
    }
  });

  it('401 fails the batch at once and opens the circuit', async () => {
    const { url, requests } = await receiver(() => ({ status: 401, body: 'bad token' }));
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'http', url, id: 'collector', batch: { intervalMs: 5 }, retry: { baseMs: 5 } }],
    });
    log.info('one');
    await log.flush();
    expect(requests).toHaveLength(1);
    expect(log.stats().targets[0]).toMatchObject({ failed: 1, healthy: false });
    await log.close();
  });

  it('records settle only once the server accepted them', async () => {
    const { url } = await receiver(() => 'stall');
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'http', url, batch: { intervalMs: 5 }, timeoutMs: 60_000 }],
    });
    log.info('waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.stats().targets[0]).toMatchObject({ delivered: 0, pending: 1 });
    await log.close({ timeoutMs: 50 });
  });
});

describe('the HTTP spool', () => {
  it('receiver down at exit: records wait in spool.dir; the next process sends them once and empties it', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readdirSync } = await import('node:fs');
    const { DIST_ESM, requireBuild } = await import('../../built.js');
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-http-spool-'));
    const spoolDir = join(dir, 'spool');
    // A port nothing listens on yet: every send is refused and retried until exit.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const url = `http://127.0.0.1:${port}/ingest`;
    const config = JSON.stringify({
      base: null,
      transports: [
        {
          type: 'http',
          url,
          spool: { dir: spoolDir },
          batch: { intervalMs: 10 },
          retry: { maxAttempts: 1000, baseMs: 20, maxMs: 50 },
        },
      ],
    });
    const first = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createLogger } from ${JSON.stringify(DIST_ESM)};
         const log = createLogger(${config});
         for (let i = 0; i < 500; i++) log.info({ i }, 'while the receiver is down');
         setTimeout(() => process.exit(0), 200);`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(readdirSync(spoolDir).some((f) => f.endsWith('.ndjson'))).toBe(true);

    const received: number[] = [];
    const server = createServer(async (req, res) => {
      for (const line of (await readBody(req)).split('\n'))
        if (line) received.push((JSON.parse(line) as { i: number }).i);
      res.writeHead(200);
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    // Not spawnSync: the receiver runs in this process and must answer meanwhile.
    const { execFile } = await import('node:child_process');
    const second = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createLogger } from ${JSON.stringify(DIST_ESM)};
         const log = createLogger(${config});
         await new Promise((resolve) => setTimeout(resolve, 500));
         log.info({ i: 500 }, 'after the restart');
         await log.close();
         process.stdout.write(JSON.stringify(log.stats().targets[0]));`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toMatchObject({ replayed: 500, replayFailed: 0, delivered: 1 });
    expect(received).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
  }, 60_000);
});

describe('memory against a receiver that never answers', () => {
  it('500,000 records: heap growth within the queue bound plus a small constant, every record counted', async () => {
    const { spawn } = await import('node:child_process');
    const { DIST_ESM, requireBuild, ROOT } = await import('../../built.js');
    requireBuild();
    // Accepts connections and reads, never answers.
    const { url } = await receiver(() => 'stall');
    const spoolDir = mkdtempSync(join(tmpdir(), 'streamlog-http-mem-'));
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, id: 'sink', timeoutMs: 60000,
          overflow: 'block', maxQueue: { maxRecords: 10000 } }] });
      global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 500000; i++) log.info({ i, pad: 'x'.repeat(40) }, 'into the silence');
      global.gc(); const after = process.memoryUsage().heapUsed;
      const target = log.stats().targets[0];
      await log.close({ timeoutMs: 100 });
      const stats = log.stats();
      const t = stats.targets[0];
      process.stdout.write(JSON.stringify({ growthMiB: (after - before) / 1048576, spooled: target.spooled,
        logged: stats.logged, abandoned: t.abandoned, failed: stats.failed, pending: stats.pending,
        delivered: stats.delivered, dropped: stats.dropped, detail: stats.pendingDetail }));
    `;
    const output = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
        cwd: ROOT,
        timeout: 60_000,
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve(out));
    });
    const result = JSON.parse(output) as {
      growthMiB: number;
      spooled: number;
      logged: number;
      abandoned: number;
      failed: number;
      pending: number;
      delivered: number;
      dropped: number;
      detail: { inMemory: number; spooled: number; abandoned: number };
    };
    expect(result.growthMiB).toBeLessThan(64);
    // What the transport may hold (its window) stays in memory; everything else waits on disk.
    expect(result.spooled).toBe(500_000 - 5_000);
    expect(result.logged).toBe(500_000);
    // close() ran out of time: the transport's window fails (counted, dead-lettered where
    // configured); the spooled records stay pending, on disk for the next start.
    expect(result).toMatchObject({ abandoned: 0, failed: 5_000, delivered: 0, dropped: 0, pending: 495_000 });
    expect(result.detail).toEqual({ inMemory: 0, spooled: 495_000, abandoned: 0 });
  }, 90_000);
});

describe('out of attempts, with a spool', () => {
  it('a batch out of attempts waits in the spool, unsettled, and is delivered once the receiver is back', async () => {
    const { url, received, bringUp } = await downThenUp();
    const spoolDir = mkdtempSync(join(tmpdir(), 'streamlog-http-later-'));
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { health: { failureThreshold: 1_000_000 } },
      transports: [
        {
          type: 'http',
          url,
          spool: { dir: spoolDir },
          batch: { intervalMs: 5 },
          retry: { maxAttempts: 2, baseMs: 5, maxMs: 30 },
        },
      ],
    });
    for (let i = 0; i < 100; i++) log.info({ i }, 'while down');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const whileDown = log.stats();
    expect(whileDown).toMatchObject({ failed: 0, delivered: 0 });
    expect((whileDown.targets[0] as unknown as HttpStats).spooledForLater).toBe(100);
    bringUp();
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 100, delivered: 100, failed: 0 });
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await log.close();
  });
});

describe('the spool bound', () => {
  it('beyond spool.maxBytes the oldest spooled records are dropped and counted; the rest arrive', async () => {
    const { url, received, bringUp } = await downThenUp();
    const spoolDir = mkdtempSync(join(tmpdir(), 'streamlog-http-bound-'));
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      router: { health: { failureThreshold: 1_000_000 } },
      transports: [
        {
          type: 'http',
          url,
          spool: { dir: spoolDir, maxBytes: '4KB' },
          batch: { maxRecords: 10, intervalMs: 5 },
          retry: { maxAttempts: 1, baseMs: 5, maxMs: 60_000 },
        },
      ],
    });
    const dropped: number[] = [];
    log.on('deliveryFailed', ({ record }) => dropped.push(record.fields?.i as number));
    for (let i = 0; i < 400; i++) log.info({ i }, 'x'.repeat(20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const http = log.stats().targets[0] as unknown as HttpStats;
    expect(http.spoolDropped).toBeGreaterThan(0);
    // Dropped for the bound, not refused: counted as dropped, and the circuit stays closed.
    expect(log.stats()).toMatchObject({ dropped: http.spoolDropped, failed: 0 });
    expect(log.stats().targets[0]!.healthy).toBe(true);
    bringUp();
    log.info({ i: 400 }, 'the receiver is back');
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    const stats = log.stats();
    // A spool at its bound may drop more after the first look: a batch still on its first
    // attempt then, or the new record, joins it and pushes the oldest line out.
    const { spoolDropped } = stats.targets[0] as unknown as HttpStats;
    expect(spoolDropped).toBeGreaterThanOrEqual(http.spoolDropped);
    expect(stats).toMatchObject({ logged: 401, dropped: spoolDropped, failed: 0, pending: 0 });
    expect(stats.delivered).toBe(401 - spoolDropped);
    // Every record either arrived once or was reported dropped, never both. Which ones went
    // depends on when the first batches, out of attempts, joined the file (not log order).
    const arrived = received.slice(0, -1).sort((a, b) => a - b);
    const droppedIds = dropped.sort((a, b) => a - b);
    expect(droppedIds).toHaveLength(spoolDropped);
    expect([...arrived, ...droppedIds].sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, k) => k));
    // The oldest lines of the file go first: the newest parked record arrives.
    expect(arrived).toContain(399);
    expect(received.at(-1)).toBe(400);
    await log.close();
  });
});

describe('many destinations', () => {
  it("twelve HTTP transports add no process listener: the logger's one exit path serves them", async () => {
    const { url } = await receiver(() => ({ status: 200 }));
    const before = ['exit', 'beforeExit', 'SIGTERM'].map((e) => process.listenerCount(e));
    const log = createLogger({
      exitFlush: false,
      transports: Array.from({ length: 12 }, (_, k) => ({ type: 'http' as const, url, id: `sink${k}` })),
    });
    expect(['exit', 'beforeExit', 'SIGTERM'].map((e) => process.listenerCount(e))).toEqual(before);
    await log.close();
  });
});
