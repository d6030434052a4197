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
  it('refused when it comes back: reported and dead-lettered, still counted dropped', async () => {
    // Found by a helper (2026-12-07): revived from its tag alone, the record had lost that it
    // was decided quietly, so the refusal was taken for one reported already: told nowhere.
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
      router: { strategy: 'all', deadLetter },
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
    await until(() => log.stats().pending === 0 && reported.length === 2);
    const { logged, delivered, failed, dropped, pending } = log.stats();
    expect({ logged, delivered, failed, dropped, pending }).toEqual({
      logged: 2,
      delivered: 0,
      failed: 1,
      dropped: 1,
      pending: 0,
    });
    expect(reported.sort()).toEqual(['invalid, its tag alone kept', 'valid, the one fate kept']);
    expect(linesOf(deadLetter)).toHaveLength(2);
    await log.close({ timeoutMs: 2000 });
  });
});
