import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type DeliveryFailure } from '../../../src/index.js';
import { ControlledTransport } from '../../helpers.js';

// The router's spool took every record a stalled `block` target could not, without bound:
// a target that never settles (a syslog receiver that stops reading, a plugin that hangs)
// filled the disk. `router.spool.maxBytes` bounds it as `spool.maxBytes` bounds http's.

const PAD = 'x'.repeat(60);

function stalledLogger(dir: string, maxBytes?: string) {
  const stalled = new ControlledTransport({ id: 'dest', mode: 'stall' });
  const log = createLogger({
    exitFlush: false,
    router: {
      spool: { dir, ...(maxBytes === undefined ? {} : { maxBytes }) },
      health: { failureThreshold: 1000 },
    },
    transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }],
  });
  return { log, stalled };
}

describe('router.spool.maxBytes', () => {
  it('bounds the spool file: the oldest lines are dropped and counted, the newest arrive in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-router-spool-bound-'));
    const { log, stalled } = stalledLogger(dir, '4KB');
    const failures: DeliveryFailure[] = [];
    log.on('deliveryFailed', (failure) => failures.push(failure));
    for (let i = 0; i < 300; i++) log.info({ pad: PAD }, `r${i}`);
    const file = join(dir, 'dest.ndjson');
    // Dropped lines are cut out of the file once they add up to the bound.
    expect(statSync(file).size).toBeLessThanOrEqual(2 * 4096 + 200);
    const stats = log.stats();
    expect(stats.logged).toBe(300);
    expect(stats.dropped).toBeGreaterThan(250);
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
    expect(stats.pending).toBe(1 + stats.targets[0]!.spooled);
    expect(stats.targets[0]!.dropped).toBe(stats.dropped);

    // The stalled target recovers: what the spool kept is the newest, and arrives in order.
    stalled.mode = 'ok';
    stalled.release();
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    // After the first record (held by the stalled transport) the spooled ones, then the
    // warning that sums up the episode's drops.
    const received = stalled.messages();
    const kept = received.slice(1, -1);
    expect(received.at(-1)).toBe(`dropped ${stats.dropped} record(s) for dest while its queue was full`);
    expect(kept.length).toBe(stats.targets[0]!.spooled);
    expect(kept.at(-1)).toBe('r299');
    const numbers = kept.map((m) => Number(m!.slice(1)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i));
    expect(log.stats()).toMatchObject({ logged: 301, failed: 0, pending: 0, delivered: 2 + kept.length });
    expect(failures).toHaveLength(stats.dropped);
    expect(failures[0]!.reasons[0]!.error.message).toMatch(/^dropped: the router's spool of dest is over its maxBytes/);
    await log.close();
  });

  it("an earlier logger's lines dropped for the bound count as adoptedFailed, not as this logger's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-router-spool-adopted-'));
    const first = stalledLogger(dir);
    for (let i = 0; i < 10; i++) first.log.info({ pad: PAD }, `old${i}`);
    expect(first.log.stats().targets[0]!.spooled).toBe(9);
    expect(await first.log.close({ timeoutMs: 20 })).toBe(false);

    const next = stalledLogger(dir, '2KB');
    const failures: DeliveryFailure[] = [];
    next.log.on('deliveryFailed', (failure) => failures.push(failure));
    for (let i = 0; i < 100; i++) next.log.info({ pad: PAD }, `new${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    const stats = next.log.stats();
    // old1 went back to the (stalled) transport at the start; the 8 behind it were pushed out.
    expect(next.stalled.messages()).toEqual(['old1']);
    expect(stats.adoptedFailed).toBe(8);
    // old1, not this logger's, is not among this logger's pending records either.
    expect(stats.pendingDetail).toEqual({ inMemory: 0, spooled: stats.pending, abandoned: 0 });
    expect(stats.logged).toBe(100);
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
    expect(failures.filter((f) => String(f.record.msg).startsWith('old'))).toHaveLength(8);
    // old1 stays until the transport settles it; the dropped lines are cut out of the file.
    expect(readFileSync(join(dir, 'dest.ndjson'), 'utf8')).not.toMatch(/"old[2-9]"/);
    await next.log.close({ timeoutMs: 20 });
  });

  it("under any, lines dropped for the bound keep their fates in order behind an earlier logger's lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-router-spool-fates-'));
    const first = stalledLogger(dir);
    for (let i = 0; i < 10; i++) first.log.info({ pad: PAD }, `old${i}`);
    expect(await first.log.close({ timeoutMs: 20 })).toBe(false);

    // This logger's records go to a target that takes them and to the stalled one: each is
    // delivered, whatever the stalled one does with its copy (drops it for the bound, fails it).
    const stalled = new ControlledTransport({ id: 'dest', mode: 'stall' });
    const log = createLogger({
      exitFlush: false,
      diagnostics: false,
      router: { strategy: 'any', spool: { dir, maxBytes: '2KB' }, health: { failureThreshold: 1000 } },
      transports: [
        new ControlledTransport({ id: 'takes', mode: 'ok' }),
        { transport: stalled, maxQueue: { maxRecords: 2 } },
      ],
    });
    for (let i = 0; i < 100; i++) log.info({ pad: PAD }, `new${i}`);
    const during = log.stats();
    expect(during.adoptedFailed).toBeGreaterThan(0);
    expect(during.targets[1]!.dropped).toBeGreaterThan(0);
    expect([during.failed, during.dropped]).toEqual([0, 0]);
    stalled.mode = 'fail';
    stalled.release('failed');
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    const stats = log.stats();
    expect(stats.logged).toBe(stats.delivered);
    expect([stats.failed, stats.dropped, stats.pending]).toEqual([0, 0, 0]);
    await log.close();
  });

  it('a spool file that cannot be used (a symlink) is passed over for the next name, with a diagnostic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-router-spool-skip-'));
    const victim = join(mkdtempSync(join(tmpdir(), 'streamlog-victim-')), 'victim');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'dest.ndjson'));
    const stalled = new ControlledTransport({ id: 'dest', mode: 'stall' });
    const diagnostics: string[] = [];
    const log = createLogger(
      {
        exitFlush: false,
        router: { spool: { dir } },
        transports: [{ transport: stalled, maxQueue: { maxRecords: 2 } }],
      },
      { diagnostics: (message) => diagnostics.push(message) },
    );
    for (let i = 0; i < 5; i++) log.info(`r${i}`);
    expect(diagnostics).toEqual([expect.stringMatching(/^dest: spool file passed over: .*symbolic link/)]);
    expect(log.stats()).toMatchObject({ logged: 5, failed: 0, pending: 5 });
    expect(readFileSync(join(dir, 'dest.2.ndjson'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    await log.close({ timeoutMs: 20 });
  });

  it('a bad maxBytes is a ConfigError at its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-router-spool-config-'));
    const make = (maxBytes: unknown) => () =>
      createLogger({ router: { spool: { dir, maxBytes } }, transports: [] } as never);
    expect(make('1MB')).not.toThrow();
    expect(make('lots')).toThrow(ConfigError);
    expect(make('lots')).toThrow(/router\.spool\.maxBytes/);
    expect(make(-5)).toThrow(/router\.spool\.maxBytes/);
  });
});
