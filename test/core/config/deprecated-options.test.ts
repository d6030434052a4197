import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BufferedTransport,
  createLogger,
  type LoggerOptions,
  type MemoryTransport,
  registerTransport,
  Transport,
} from '../../../src/index.js';
import { z } from 'zod';

/** 0.2's names still work in 0.3, each said once per logger through diagnostics. */
function build(options: object): { log: ReturnType<typeof createLogger>; diagnostics: string[] } {
  const diagnostics: string[] = [];
  const log = createLogger({
    exitFlush: false,
    base: null,
    diagnostics: (m: string) => diagnostics.push(m),
    ...options,
  } as LoggerOptions);
  return { log, diagnostics };
}

class Stalled extends Transport {
  readonly type = 'stalled';
  protected handle(): void {}
}
registerTransport('stalled-old-names', { schema: z.strictObject({}), create: () => new Stalled() });

describe('0.2 option names, accepted until 0.4', () => {
  it('memory capacity: same ring, one diagnostic however many entries use it', async () => {
    const { log, diagnostics } = build({
      transports: [
        { type: 'memory', id: 'a', capacity: 2 },
        { type: 'memory', id: 'b', capacity: 3 },
      ],
    });
    for (let i = 0; i < 5; i++) log.info({ i }, 'r');
    await log.flush();
    expect(
      log
        .transport<MemoryTransport>('a')!
        .objects()
        .map((o) => o.i),
    ).toEqual([3, 4]);
    expect(log.transport<MemoryTransport>('b')!.capacity).toBe(3);
    expect(diagnostics).toEqual([
      'transports[0].capacity: "capacity" is deprecated, write "maxRecords" (accepted until 0.4)',
    ]);
  });

  it('buffered bufferSize, flushIntervalMs, maxRetries, retryDelayMs: mapped to batch and retry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-old-'));
    const { log, diagnostics } = build({
      transports: [
        {
          type: 'buffered',
          id: 'buf',
          bufferSize: '2KB',
          flushIntervalMs: '5s',
          maxRetries: 0,
          retryDelayMs: 10,
          target: { type: 'file', path: join(dir, 'a.log') },
        },
      ],
    });
    const buffered = log.transport<BufferedTransport>('buf')!;
    log.info('x'.repeat(3000));
    // Past 2KB: written at once, not after 5 s.
    expect(buffered.bufferStatus()).toMatchObject({ bufferedRecords: 0 });
    expect(diagnostics.map((d) => d.split(':')[0])).toEqual([
      'transports[0].bufferSize',
      'transports[0].flushIntervalMs',
      'transports[0].maxRetries',
      'transports[0].retryDelayMs',
    ]);
    expect(diagnostics[2]).toMatch(/write "retry": \{ "maxAttempts": … \} \(retries \+ 1\)/);
  });

  it('http spoolDir and spoolMaxBytes: the spool is made there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-old-'));
    const { log, diagnostics } = build({
      transports: [
        {
          type: 'http',
          url: 'http://127.0.0.1:9/',
          spoolDir: join(dir, 'spool'),
          spoolMaxBytes: '1MB',
          retry: { maxAttempts: 1 },
        },
      ],
    });
    log.info('held');
    await log.close({ timeoutMs: 2000 });
    expect(readdirSync(join(dir, 'spool')).some((f) => f.endsWith('.ndjson'))).toBe(true);
    expect(diagnostics.filter((d) => d.includes('deprecated'))).toEqual([
      'transports[0].spoolDir: "spoolDir" is deprecated, write "spool": { "dir": … } (accepted until 0.4)',
      'transports[0].spoolMaxBytes: "spoolMaxBytes" is deprecated, write "spool": { "maxBytes": … } ' +
        '(accepted until 0.4)',
    ]);
  });

  it('router spoolDir and maxQueue records/bytes: a block target spools there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-old-'));
    const { log, diagnostics } = build({
      router: { spoolDir: dir },
      transports: [
        { type: 'stalled-old-names', id: 'slow', overflow: 'block', maxQueue: { records: 2, bytes: '1MB' } },
      ],
    });
    for (let i = 0; i < 5; i++) log.info({ i }, 'r');
    // maxQueue.records 2 is in force (the default, 10000, would spool nothing): half of it in memory.
    expect(log.stats().targets[0]).toMatchObject({ spooled: 4 });
    expect(readFileSync(join(dir, 'slow.ndjson'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(diagnostics).toEqual([
      'router.spoolDir: "spoolDir" is deprecated, write "spool": { "dir": … } (accepted until 0.4)',
      'transports[0].maxQueue.records: "records" is deprecated, write "maxRecords" (accepted until 0.4)',
      'transports[0].maxQueue.bytes: "bytes" is deprecated, write "maxBytes" (accepted until 0.4)',
    ]);
    void log.close({ timeoutMs: 100 });
  });

  it('an old name beside its new one is a ConfigError: which bounds the queue would be a guess', () => {
    expect(() => build({ transports: [{ type: 'memory', maxQueue: { records: 10, maxRecords: 20 } }] })).toThrow(
      'transports[0].maxQueue.records: the old name of "maxRecords", given too: keep "maxRecords" only',
    );
    expect(() => build({ transports: [{ type: 'memory', maxQueue: { bytes: '1MB', maxBytes: '2MB' } }] })).toThrow(
      'transports[0].maxQueue.bytes: the old name of "maxBytes", given too: keep "maxBytes" only',
    );
  });

  it("any option's old name beside its new one is a ConfigError (the new one was taken without a word)", () => {
    const cases: [object, string][] = [
      [
        { transports: [{ type: 'memory', capacity: 5, maxRecords: 7 }] },
        'transports[0].capacity: the old name of "maxRecords", given too: keep "maxRecords" only',
      ],
      [
        { transports: [{ type: 'http', url: 'http://127.0.0.1:9/', spoolDir: 'a', spool: { dir: 'b' } }] },
        'transports[0].spoolDir: the old name of "spool": { "dir": … }, given too: keep "spool.dir" only',
      ],
      [
        {
          transports: [{ type: 'buffered', maxRetries: 2, retry: { maxAttempts: 4 }, target: { type: 'memory' } }],
        },
        'transports[0].maxRetries: the old name of "retry": { "maxAttempts": … } (retries + 1), given too: ' +
          'keep "retry.maxAttempts" only',
      ],
      [
        { router: { spoolDir: 'a', spool: { dir: 'b' } }, transports: [{ type: 'memory' }] },
        'router.spoolDir: the old name of "spool": { "dir": … }, given too: keep "spool.dir" only',
      ],
    ];
    for (const [config, message] of cases) expect(() => build(config)).toThrow(message);
    // The same value twice is still both names: the old one goes.
    expect(() => build({ transports: [{ type: 'memory', capacity: 5, maxRecords: 5 }] })).toThrow(/capacity/);
  });

  it('spoolDir beside a spool object without its dir: said at the old key, as well as the missing dir', () => {
    const said = 'the old name of "spool": { "dir": … }, beside a "spool" without its "dir": write it there as "dir"';
    const cases = [
      [
        { transports: [{ type: 'http', url: 'http://127.0.0.1:9/', spoolDir: 'a', spool: { maxBytes: '1MB' } }] },
        'transports[0]',
      ],
      [{ router: { spoolDir: 'a', spool: { maxBytes: '1MB' } }, transports: [{ type: 'memory' }] }, 'router'],
    ] as const;
    for (const [config, at] of cases) {
      let message = '';
      try {
        build(config);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(`${at}.spool.dir: expected string`);
      expect(message).toContain(`${at}.spoolDir: ${said}`);
    }
  });

  it('a config refused for any problem says no deprecation first (the refusal is the whole answer)', () => {
    const cases: object[] = [
      { router: { spoolDir: 'a', spool: { dir: 'b' } }, transports: [{ type: 'memory' }] },
      { transports: [{ type: 'memory', capacity: 5 }, { type: 'nope' }] },
      { router: { spoolDir: 'a' }, transports: [{ type: 'memory', level: 'loud' }] },
    ];
    for (const config of cases) {
      const diagnostics: string[] = [];
      expect(() =>
        createLogger({ exitFlush: false, diagnostics: (m: string) => diagnostics.push(m), ...config } as LoggerOptions),
      ).toThrow();
      expect(diagnostics).toEqual([]);
    }
  });
  it('the new names say nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-new-'));
    const { diagnostics } = build({
      router: { spool: { dir } },
      transports: [
        { type: 'memory', maxRecords: 2, maxQueue: { maxRecords: 10, maxBytes: '1MB' } },
        {
          type: 'buffered',
          batch: { maxRecords: 10, maxBytes: '64KB', intervalMs: '1s' },
          retry: { maxAttempts: 3, baseMs: 100, maxMs: '5s' },
          target: { type: 'memory' },
        },
        { type: 'http', url: 'http://127.0.0.1:9/', spool: { dir, maxBytes: '1MB' } },
      ],
    });
    expect(diagnostics).toEqual([]);
  });
});
