import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferedTransport,
  createLogger,
  type DeliveryFailure,
  MemoryTransport,
  ValidatingTransport,
} from '../../../src/index.js';

// Found by a helper attacking the wrappers (2026-12-07): refusals of a check taken for the
// destination's failures, retried by buffered, and checks and options from code taken unread.

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamlog-refusal-'));
}

function linesOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** An http receiver that answers every request with `status`, counting them. */
async function receiver(status: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => requests };
}

describe('a record a check refuses says nothing of the destination', () => {
  it('a run of invalid records does not open the circuit: the valid ones after them are delivered', async () => {
    const dir = tempDir();
    const path = join(dir, 'audit.log');
    const unhealthy: string[] = [];
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      router: { deadLetter: join(dir, 'dead.ndjson') },
      transports: [{ type: 'validating', rules: { userId: 'integer' }, target: { type: 'file', path } }],
    });
    log.on('targetUnhealthy', (event) => unhealthy.push(event.target));
    log.on('deliveryFailed', () => {});
    for (let i = 0; i < 5; i++) log.info({ userId: 'bad' }, `invalid ${i}`);
    for (let i = 0; i < 10; i++) log.info({ userId: i }, `valid ${i}`);
    await log.close();
    // Before: all 15 failed ("no healthy target" for the valid ten), and the file was empty.
    expect(unhealthy).toEqual([]);
    expect(linesOf(path)).toHaveLength(10);
    const s = log.stats();
    expect({ logged: s.logged, delivered: s.delivered, failed: s.failed }).toEqual({
      logged: 15,
      delivered: 10,
      failed: 5,
    });
    expect(linesOf(join(dir, 'dead.ndjson'))).toHaveLength(5);
  });
});

describe('buffered does not start over what its target gave up on', () => {
  it.each([
    [401, 1],
    [503, 2],
  ])(
    'http answering %i: the requests of the http target alone (%i), not retry.maxAttempts times more',
    async (status, requestsAlone) => {
      const { url, requests } = await receiver(status);
      const http = { type: 'http', url, batch: { intervalMs: 10 }, retry: { maxAttempts: 2, baseMs: 20 } };
      const log = createLogger({
        exitFlush: false,
        diagnostics: false,
        transports: [{ type: 'buffered', batch: { intervalMs: 10 }, retry: { baseMs: 200 }, target: http }],
      });
      log.on('deliveryFailed', () => {});
      for (let i = 0; i < 10; i++) log.info({ i }, 'x');
      const started = Date.now();
      await log.close();
      // Before: 6 requests for a 401, 12 for a 503, and a close of about 6 s (buffered's backoff).
      expect(requests()).toBe(requestsAlone);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(log.stats().failed).toBe(10);
      const buffered = log.transports[0] as BufferedTransport;
      expect(buffered.bufferStatus().retries).toBe(0);
      expect(buffered.bufferStatus().failedFlushes).toBe(1);
    },
  );

  it('a record refused by a check inside it is not retried: one check per record', async () => {
    let checks = 0;
    const inner = new ValidatingTransport(new MemoryTransport(), {
      check: (record) => {
        checks++;
        return record.ok === true;
      },
    });
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      transports: [new BufferedTransport(inner, { batch: { intervalMs: 10 }, retry: { baseMs: 200 } })],
    });
    log.on('deliveryFailed', () => {});
    log.info({ ok: false }, 'refused');
    log.info({ ok: true }, 'taken');
    const started = Date.now();
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(checks).toBe(2);
    expect({ delivered: log.stats().delivered, failed: log.stats().failed }).toEqual({ delivered: 1, failed: 1 });
    await log.close();
  });
});

describe("onInvalid 'log' under buffered, at close", () => {
  it('the warning made while close() runs is written, not dropped as logged after close', async () => {
    const path = join(tempDir(), 'app.log');
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      transports: [
        {
          type: 'buffered',
          batch: { intervalMs: 60_000 },
          target: {
            type: 'validating',
            rules: { userId: 'integer' },
            onInvalid: 'log',
            target: { type: 'file', path },
          },
        },
      ],
    });
    log.info({ userId: 'bad' }, 'invalid');
    log.info({ userId: 1 }, 'valid');
    await log.close();
    const lines = linesOf(path).map((line) => JSON.parse(line) as { msg: string; invalidMsg?: string });
    expect(lines.map((l) => l.msg).sort()).toEqual(['invalid record skipped', 'valid']);
    expect(lines.find((l) => l.msg === 'invalid record skipped')?.invalidMsg).toBe('invalid');
    expect(log.stats().droppedAfterClose).toBe(0);
  });
});

describe('nested entries', () => {
  it.each<[string, object]>([
    ['level', { level: 'warn' }],
    ['maxQueue', { maxQueue: { maxRecords: 1 } }],
    ['overflow', { overflow: 'drop-newest' }],
  ])('a nested %s is a ConfigError (it was not applied: every record went through)', (key, option) => {
    const path = join(tempDir(), 'x.log');
    for (const wrapper of ['buffered', 'validating']) {
      const extra = wrapper === 'validating' ? { rules: { a: 'integer' } } : {};
      expect(() =>
        createLogger({
          exitFlush: false,
          transports: [{ type: wrapper, ...extra, target: { type: 'file', path, ...option } }] as never,
        }),
      ).toThrow(`transports[0].target.${key}: a nested entry's "${key}" would not be applied`);
    }
  });

  it("a nested entry's id is as unique as a top-level one's (log.transport(id) finds one of them)", () => {
    expect(() =>
      createLogger({
        exitFlush: false,
        transports: [
          { type: 'memory', id: 'x' },
          { type: 'buffered', target: { type: 'memory', id: 'x' } },
        ],
      }),
    ).toThrow('transports[1].target.id: duplicate id "x" (already used by transports[0])');
  });

  it('log.transport(id) finds a nested entry by its id, at any depth', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [
        {
          type: 'buffered',
          id: 'outer',
          target: {
            type: 'validating',
            id: 'audit-check',
            rules: { a: 'integer' },
            target: { type: 'memory', id: 'mem' },
          },
        },
      ],
    });
    expect(log.transport('outer')?.type).toBe('buffered');
    expect(log.transport<ValidatingTransport>('audit-check')?.type).toBe('validating');
    expect(log.transport('mem')).toBeInstanceOf(MemoryTransport);
    expect(log.transport('nope')).toBeUndefined();
    await log.close();
  });
});

describe('checks and options from code', () => {
  it('an unknown onInvalid, or dead-letter without a way to write, is a TypeError (records stayed pending)', () => {
    expect(
      () => new ValidatingTransport(new MemoryTransport(), { check: () => true, onInvalid: 'drop' as never }),
    ).toThrow(TypeError);
    expect(
      () => new ValidatingTransport(new MemoryTransport(), { check: () => true, onInvalid: 'dead-letter' }),
    ).toThrow(/deadLetter/);
  });

  it('a wrapper takes a Writable as a logger entry does; anything else is a TypeError that says so', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({
      exitFlush: false,
      transports: [new BufferedTransport(sink, { batch: { intervalMs: 10 } })],
    });
    log.info('through a Writable');
    await log.close();
    expect(lines.join('')).toContain('through a Writable');
    expect(() => new BufferedTransport(undefined as never)).toThrow(
      /expected a Transport or a Writable stream, got undefined/,
    );
  });

  it.each<[string, () => unknown, { delivered: number; failed: number }, RegExp | undefined]>([
    ['[] (no problems)', () => [], { delivered: 1, failed: 0 }, undefined],
    ['[null]', () => [null], { delivered: 0, failed: 1 }, /a problem that is null/],
    ['a list of strings', () => ['too short'], { delivered: 0, failed: 1 }, /\(record\): too short/],
    [
      'throw null',
      () => {
        throw null;
      },
      { delivered: 0, failed: 1 },
      /check threw: null/,
    ],
    [
      "throw 'text'",
      () => {
        throw 'text';
      },
      { delivered: 0, failed: 1 },
      /check threw: text/,
    ],
  ])('a check answering %s', async (_name, check, counts, reason) => {
    const failures: DeliveryFailure[] = [];
    const validating = new ValidatingTransport(new MemoryTransport(), { check: check as never });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [validating] });
    log.on('deliveryFailed', (failure) => failures.push(failure));
    log.info('one');
    expect(await log.flush({ timeoutMs: 2000 })).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect({ delivered: log.stats().delivered, failed: log.stats().failed }).toEqual(counts);
    expect(validating.stats().invalid).toBe(counts.failed);
    if (reason !== undefined) expect(failures[0]?.reasons[0]?.error.message).toMatch(reason);
    await log.close();
  });

  it('skip: a check that throws skips the record, as an invalid one is (it failed it)', async () => {
    const validating = new ValidatingTransport(new MemoryTransport(), {
      onInvalid: 'skip',
      check: () => {
        throw null;
      },
    });
    const log = createLogger({ exitFlush: false, diagnostics: false, transports: [validating] });
    log.info('one');
    await log.flush({ timeoutMs: 2000 });
    const { delivered, failed, dropped } = log.stats();
    expect({ delivered, failed, dropped }).toEqual({ delivered: 0, failed: 0, dropped: 1 });
    await log.close();
  });
});

describe("onInvalid 'dead-letter' with a dead letter that cannot be written", () => {
  it('the record fails (it was counted delivered, written nowhere)', async () => {
    const dir = tempDir();
    const deadLetter = join(dir, 'dead.ndjson');
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      router: { deadLetter },
      transports: [
        { type: 'validating', rules: { userId: 'integer' }, onInvalid: 'dead-letter', target: { type: 'memory' } },
      ],
    });
    log.on('deliveryFailed', () => {});
    // A folder in the file's place: refused to anyone, root included.
    mkdirSync(deadLetter);
    log.info({ userId: 'bad' }, 'invalid');
    log.info({ userId: 1 }, 'valid');
    await log.flush({ timeoutMs: 2000 });
    await new Promise((resolve) => setImmediate(resolve));
    const s = log.stats();
    expect({ logged: s.logged, delivered: s.delivered, failed: s.failed }).toEqual({
      logged: 2,
      delivered: 1,
      failed: 1,
    });
    await log.close();
  });
});
