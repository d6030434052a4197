import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A spool keeps at most MAX_KEPT_FATES records' fates in memory (100,000); past it a parked
// line keeps its tag in the router's holds only. One fate kept here stands for that many.
vi.mock('../../../src/core/record/parked-fates.js', async (original) => {
  const real = (await original()) as typeof import('../../../src/core/record/parked-fates.js');
  class OneFateKept extends real.ParkedFates {
    constructor() {
      super(1);
    }
  }
  return { ...real, ParkedFates: OneFateKept };
});

const { createLogger } = await import('../../../src/index.js');

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

function linesOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('a record left out at one target and parked at another past the kept fates', () => {
  it('refused when it comes back: failed under `any`, reported and dead-lettered', async () => {
    // Revived from its tag alone, the record's target count comes from the router's holds: it
    // must not count the target that left it out, or under `any` the refusal waits for a
    // second failure that never comes, and the record counts delivered.
    let status = 503;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`;
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fates-left-out-'));
    const deadLetter = join(dir, 'dead.ndjson');
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      base: null,
      router: { strategy: 'any', deadLetter },
      transports: [
        {
          id: 'checked',
          type: 'validating',
          rules: { userId: 'integer' },
          onInvalid: 'skip',
          target: { type: 'memory' },
        },
        {
          id: 'shipped',
          type: 'http',
          url,
          batch: { intervalMs: 5, maxRecords: 1 },
          retry: { maxAttempts: 1, baseMs: 20, maxMs: 50 },
          spool: { dir },
        },
      ],
    });
    const reported: string[] = [];
    log.on('deliveryFailed', (failure) => reported.push(String(failure.record.msg)));
    log.info({ userId: 1 }, 'valid, the one fate kept');
    log.info({ userId: 'x' }, 'invalid, its tag alone kept');
    await until(() => log.stats().targets[1]!.parked === 2);
    expect(log.stats().targets[1]!.parked).toBe(2);
    status = 400;
    await until(() => log.stats().pending === 0 && reported.length === 1);
    const { logged, delivered, failed, dropped, pending } = log.stats();
    // The valid one was delivered where it was checked; the invalid one had only the http target.
    expect({ logged, delivered, failed, dropped, pending }).toEqual({
      logged: 2,
      delivered: 1,
      failed: 1,
      dropped: 0,
      pending: 0,
    });
    expect(reported).toEqual(['invalid, its tag alone kept']);
    expect(linesOf(deadLetter)).toHaveLength(1);
    await log.close({ timeoutMs: 2000 });
  });
});
