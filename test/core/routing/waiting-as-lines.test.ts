import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { DIST_ESM, runWithStalled } from '../../built.js';
// Registers the `controlled` transport type.
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';

// Records that wait in the router's queue for one target wait as their lines (in runs, each
// line as what it adds to the one before) and are made records again when the target takes them.

const long = 'é'.repeat(300_000);
/** Messages that test the line's ends: quotes, a lone surrogate, none, one longer than a run. */
function messageOf(i: number): string | undefined {
  if (i % 97 === 0) return undefined;
  if (i % 101 === 0) return `lone \ud800 surrogate ${i}`;
  if (i === 1500) return long;
  return `record "${i}" \\ done`;
}

function stalledLogger(extra: Record<string, unknown> = {}) {
  const log = createLogger({
    exitFlush: false,
    transports: [{ type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 10 } }],
    ...extra,
  });
  return { log, target: log.transports[0] as ControlledTransport };
}

describe('records that wait in the router queue as their lines', () => {
  it('come back with the line, level, time and message they were logged with, in order', () => {
    const { log, target } = stalledLogger();
    const child = log.child({ reqId: 'r-1' });
    const logged: { msg: string | undefined; i: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const msg = messageOf(i);
      const fields = { i, nested: { deep: [i, 'x'] }, level: 'forged' };
      if (i % 3 === 0) child.warn(fields, msg);
      else log.info(fields, msg);
      logged.push({ msg, i });
    }
    expect(log.stats().targets[0]!.queueDepth).toBe(3000);
    // Handing them over, a few at a time, as the target settles.
    while (target.held.length > 0) target.release();
    expect(target.received).toHaveLength(3000);
    target.received.forEach((record, k) => {
      const line = record.json();
      expect(line.endsWith('}\n')).toBe(true);
      expect(line.indexOf('\n')).toBe(line.length - 1);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed.i).toBe(logged[k]!.i);
      expect(parsed.msg).toBe(logged[k]!.msg);
      expect(parsed['@level']).toBe('forged');
      expect(parsed.nested).toEqual({ deep: [k, 'x'] });
      expect(parsed.reqId).toBe(k % 3 === 0 ? 'r-1' : undefined);
      expect(record.msg).toBe(logged[k]!.msg);
      expect(record.level).toBe(k % 3 === 0 ? 40 : 30);
      expect(record.label).toBe(k % 3 === 0 ? 'warn' : 'info');
      expect(record.time).toBe(parsed.time);
      // The first five went to the transport as they were; the rest waited, and their fields
      // are read back from the line when asked for: bindings come with them.
      expect(record.fields).toMatchObject({ i: k, nested: { deep: [k, 'x'] } });
      // (Record 1500's line is longer than a run: it waited as itself.)
      if (k >= 5 && k !== 1500) expect(record.fields?.reqId).toBe(k % 3 === 0 ? 'r-1' : undefined);
      // What a formatter sees is what the line holds.
      expect(record.toObject()).toEqual(parsed);
      expect(record.view()).toEqual(parsed);
    });
    expect(log.stats()).toMatchObject({ logged: 3000, delivered: 3000, pending: 0 });
  });

  it('keep their order beside records sent to two targets, which wait as themselves', async () => {
    const log = createLogger({
      exitFlush: false,
      transports: [
        { type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 4 } },
        { type: 'memory', level: 'error' },
      ],
    });
    const stalled = log.transports[0] as ControlledTransport;
    const order: string[] = [];
    for (let i = 0; i < 500; i++) {
      const msg = `m${i}`;
      if (i % 7 === 0) log.error(msg);
      else log.info(msg);
      order.push(msg);
    }
    while (stalled.held.length > 0) stalled.release();
    expect(stalled.messages()).toEqual(order);
    expect(await log.flush()).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 500, delivered: 500, failed: 0, pending: 0 });
  });

  it('dropped oldest, or failed when close() gives up, are dead-lettered as the lines they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-waiting-'));
    const dropLetter = join(dir, 'dropped.ndjson');
    const dropping = createLogger({
      exitFlush: false,
      router: { deadLetter: dropLetter },
      transports: [{ type: 'controlled', mode: 'stall', overflow: 'drop-oldest', maxQueue: { maxRecords: 10 } }],
    });
    for (let i = 0; i < 1000; i++) dropping.info({ i }, `drop ${i}`);
    // Failures are reported (and dead-lettered) after the call that decided them.
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = readFileSync(dropLetter, 'utf8').trim().split('\n');
    // The transport holds the first 5, the queue the last 5: the 990 between are dropped.
    expect(dropped).toHaveLength(990);
    expect(dropped.map((line) => JSON.parse(line).record.msg)).toEqual(
      Array.from({ length: 990 }, (_, k) => `drop ${k + 5}`),
    );
    expect(dropping.stats()).toMatchObject({ logged: 1000, dropped: 990, pending: 10 });

    const closeLetter = join(dir, 'closed.ndjson');
    const closing = createLogger({
      exitFlush: false,
      router: { deadLetter: closeLetter },
      transports: [{ type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 10 } }],
    });
    for (let i = 0; i < 300; i++) closing.info({ i }, `close ${i}`);
    expect(await closing.close({ timeoutMs: 50 })).toBe(false);
    const failed = readFileSync(closeLetter, 'utf8').trim().split('\n');
    expect(failed.map((line) => JSON.parse(line).record.i)).toEqual(Array.from({ length: 295 }, (_, k) => k + 5));
    const stats = closing.stats();
    expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped + stats.pending);
    expect(stats.failed).toBe(295);
  });

  it('keep memory small: 200,000 waiting records take under 25 bytes each, on the heap and off it', () => {
    const script = `
      const log = createLogger({ exitFlush: false,
        transports: [{ type: 'stalled', maxQueue: { maxRecords: 10 } }] });
      const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
      global.gc(); const before = used();
      for (let i = 0; i < 200000; i++) log.info({ i, userId: 7, route: '/orders' }, 'shipped');
      global.gc(); const after = used();
      process.stdout.write(JSON.stringify({ perRecord: (after - before) / 200000,
        queueDepth: log.stats().targets[0].queueDepth }));
      process.exit(0);
    `;
    const result = runWithStalled(script, ['--expose-gc']);
    expect(result.stderr).toBe('');
    const { perRecord, queueDepth } = JSON.parse(result.stdout) as { perRecord: number; queueDepth: number };
    expect(queueDepth).toBe(200_000);
    // Each line is about 100 characters. As records they took about 320 bytes; as lines joined
    // in strings, about 150 (with their levels, times and ends beside them). As what each adds
    // to the line before: with a fixed layout of time and parts, about 50 of blocks allocated
    // (of which about 21 written); with a header of varints, about 6.
    expect(perRecord).toBeLessThan(25);
  });

  // A transport that holds what it takes until a test settles it. A record taken from the queue
  // has a line of its own: a listener that keeps a few must not keep every run of lines.
  const holding = `
    class Holding extends Transport {
      type = 'holding';
      held = [];
      onRecord = undefined;
      handle(record) { this.held.push(record); this.onRecord?.(record); }
    }
    registerTransport('holding', { schema: z.strictObject({}), create: () => new Holding() });
  `;

  for (const type of ['stalled', 'holding'] as const) {
    it(`made records again, hold their own line: a few a drop listener keeps (${type}) do not keep every run`, () => {
      const script = `${holding}
        const log = createLogger({ exitFlush: false, diagnostics: false, transports: [{ type: '${type}',
          overflow: 'drop-oldest', maxQueue: { maxRecords: 20000 } }] });
        const kept = [];
        let dropped = 0;
        log.on('drop', ({ record }) => { if (dropped++ % 5000 === 0) kept.push(record); });
        global.gc(); const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 600000; i++) log.info({ i, userId: 7, route: '/orders' }, 'shipped');
        await new Promise((resolve) => setImmediate(resolve));
        global.gc(); const after = process.memoryUsage().heapUsed;
        const keptLines = kept.map((r) => JSON.parse(r.json()).i);
        process.stdout.write(JSON.stringify({ grown: after - before, keptLines }));
        process.exit(0);
      `;
      const result = runWithStalled(script, ['--expose-gc']);
      expect(result.stderr).toBe('');
      const { grown, keptLines } = JSON.parse(result.stdout) as { grown: number; keptLines: number[] };
      // The transport holds the first 10,000, the queue the last 10,000: 580,000 are dropped.
      expect(keptLines).toEqual(Array.from({ length: 116 }, (_, k) => 10_000 + k * 5000));
      // The 10,000 waiting lines and the 116 kept records take about 2 MB; when each kept record
      // held the 256 KiB run its line was sliced from (before lines were made again as their own), 32 MB.
      expect(grown).toBeLessThan(12_000_000);
    });
  }

  /**
   * Logs 200,000 records through the logger `setup` makes (`log`), which calls `keep(x)` with a
   * record or a line wherever a user's code may keep one (one in 2,000 is kept); `finish`
   * settles them all. Reports what the heap grew by, collected, and which records were kept.
   */
  function keptAfterSettling(setup: string, finish: string) {
    const script = `${holding}
      import { createServer } from 'node:http';
      const kept = [];
      let seen = 0;
      const keep = (item) => { if (seen++ % 2000 === 0) kept.push(item); };
      // A receiver on 127.0.0.1 that answers every request with this status.
      const receiver = async (status) => {
        const server = createServer((req, res) => {
          req.resume();
          req.on('end', () => { res.statusCode = status; res.end(); });
        });
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        return 'http://127.0.0.1:' + server.address().port + '/';
      };
      const quiet = { exitFlush: false, diagnostics: false, router: { health: { failureThreshold: 1e9 } } };
      ${setup}
      global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 200000; i++) log.info({ i, userId: 7, route: '/orders' }, 'shipped');
      ${finish}
      global.gc(); const after = process.memoryUsage().heapUsed;
      const s = log.stats();
      const keptLines = kept.map((item) => JSON.parse(typeof item === 'string' ? item : item.json()).i);
      const out = { grown: after - before, delivered: s.delivered, failed: s.failed, keptLines };
      process.stdout.write(JSON.stringify(out));
      process.exit(0);
    `;
    const result = runWithStalled(script, ['--expose-gc']);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { grown: number; delivered: number; failed: number; keptLines: number[] };
  }

  // The holding transport holds the first 100,000 and settles them a thousand at a time: the
  // 100,000 that waited in the queue as lines follow.
  const holdingLogger = `
    const log = createLogger({ ...quiet, transports: [{ type: 'holding', maxQueue: { maxRecords: 200000 } }] });
    const target = log.transports[0];`;
  const settleHeld = (how: string) => `
    if (log.stats().targets[0].queueDepth - target.held.length !== 100000) throw new Error('nothing queued');
    while (target.held.length > 0) {
      const some = target.held.splice(0, 1000);
      ${how}
      await new Promise((resolve) => setImmediate(resolve));
    }`;
  const fail = settleHeld("target.settleFailed(some, new Error('refused'));");
  const deliver = settleHeld('target.settleDelivered(some.length);');
  const httpTo = (status: number, preset: string) => `
    const log = createLogger({ ...quiet, transports: [{ type: 'http', preset: '${preset}',
      url: await receiver(${status}), maxQueue: { maxRecords: 200000 } }] });`;

  // Wherever a record taken from the queue may be kept, it keeps no more than its own line.
  const keepers: Record<string, [setup: string, finish: string, outcome: 'delivered' | 'failed']> = {
    'a deliveryFailed listener on the logger': [
      `${holdingLogger} log.on('deliveryFailed', ({ record }) => keep(record));`,
      fail,
      'failed',
    ],
    'a deliveryFailed listener on the transport': [
      `${holdingLogger} target.on('deliveryFailed', (records) => { for (const r of records) keep(r); });`,
      fail,
      'failed',
    ],
    "a plugin's formatter": [
      `${holdingLogger}
        const keeper = { name: 'keeper', format: (r) => { keep(r); return r.json(); } };
        target.onRecord = (r) => r.formatted(keeper);`,
      deliver,
      'delivered',
    ],
    "an http preset of the user's own": [
      `registerHttpPreset('keeper', () => ({
        contentType: 'application/x-ndjson',
        body: (records) => records.map((r) => { keep(r.json()); return r.json(); }).join(''),
      }));
      ${httpTo(200, 'keeper')}`,
      'await log.flush();',
      'delivered',
    ],
    'an itemFailed listener on an http transport': [
      `${httpTo(500, 'ndjson')} log.transports[0].on('itemFailed', (record) => keep(record));`,
      'await log.flush();',
      'failed',
    ],
    // A plugin's transport made from ConsoleTransport that keeps a few records (the last ones
    // seen, for a crash report): it lets go of nothing, whatever its base does.
    'a subclass of a built-in transport': [
      `const { ConsoleTransport } = await import(${JSON.stringify(DIST_ESM)});
      const { Writable } = await import('node:stream');
      class Keeping extends ConsoleTransport {
        handle(record) { keep(record); super.handle(record); }
      }
      const sink = new Writable({ write(chunk, encoding, callback) { callback(); } });
      registerTransport('keeping', { schema: z.strictObject({}), create: () => new Keeping({ stdout: sink }) });
      const log = createLogger({ ...quiet, transports: [{ type: 'keeping', maxQueue: { maxRecords: 200000 } }] });`,
      'await log.flush();',
      'delivered',
    ],
  };
  for (const [where, [setup, finish, outcome]] of Object.entries(keepers)) {
    it(`taken from the queue where ${where} may keep them, own their line`, () => {
      const out = keptAfterSettling(setup, finish);
      expect(out[outcome]).toBe(200_000);
      expect(out.keptLines).toEqual(Array.from({ length: 100 }, (_, k) => k * 2000));
      // 100 records or lines of their own take a few kB; when the 50 taken from the queue held
      // the runs their lines were sliced from, every run (11 to 25 MB).
      expect(out.grown).toBeLessThan(6_000_000);
    });
  }

  it('taken from the queue, have their line as it was logged, byte for byte', () => {
    // Lines kept as what each adds to the one before, as UTF-8: each must come back whole,
    // whatever its characters (é, a lone surrogate, quotes) and its neighbours' sizes.
    const options = { name: 'svc', base: { pid: 1, hostname: 'h' }, timestamp: false, exitFlush: false } as const;
    const log = createLogger({
      ...options,
      transports: [{ type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 10 } }],
    });
    const target = log.transports[0] as ControlledTransport;
    const reference = new MemoryTransport({ maxRecords: 10_000 });
    const twin = createLogger({ ...options, transports: [reference] });
    for (const logger of [log, twin]) {
      const child = logger.child({ reqId: 'r-ü' });
      for (let i = 0; i < 3000; i++) {
        const fields = { i, text: i % 7 === 0 ? `日本語 ${i} \ud83d` : 'plain' };
        if (i % 3 === 0) child.warn(fields, messageOf(i));
        else logger.info(fields, messageOf(i));
      }
    }
    expect(log.stats().targets[0]!.queueDepth).toBe(3000);
    while (target.held.length > 0) target.release();
    const expected = reference.records().map((record) => record.json());
    expect(expected).toHaveLength(3000);
    expect(target.received.map((record) => record.json())).toEqual(expected);
  });

  it('made records again, have the fields their line holds, as docs/transports.md says', () => {
    const { log, target } = stalledLogger({ name: 'svc', base: { pid: 7, hostname: 'h' } });
    const child = log.child({ reqId: 'r-1' });
    const err = new Error('boom');
    err.stack = 'Error: boom';
    for (let i = 0; i < 5; i++) log.info(`ahead ${i}`);
    child.info({ name: 'own', err }, 'failed');
    log.info('bare');
    while (target.held.length > 0) target.release();
    const [failed, bare] = target.received.slice(5);
    expect(failed!.fields).toEqual({
      pid: 7,
      hostname: 'h',
      name: 'svc',
      reqId: 'r-1',
      '@name': 'own',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom' },
    });
    expect(bare!.fields).toEqual({ pid: 7, hostname: 'h', name: 'svc' });
    // Getters, read by name: not in a spread or Object.keys.
    expect(Object.keys(bare!)).not.toContain('fields');
    expect({ ...bare! }).not.toHaveProperty('label');
    expect(bare!.label).toBe('info');
  });

  it("made records again, read their fields with pickers of their own: log.stream()'s still makes them", async () => {
    const { log, target } = stalledLogger({ base: null });
    // 300 shapes of fields, each twice in a row: what makes a picker for a shape.
    for (let s = 0; s < 300; s++) for (let k = 0; k < 2; k++) log.info({ [`k${s}`]: k }, 'shaped');
    while (target.held.length > 0) target.release();
    for (const record of target.received.slice(5)) expect(Object.keys(record.fields ?? {})).toHaveLength(1);

    const RealFunction = globalThis.Function;
    let made = 0;
    globalThis.Function = new Proxy(RealFunction, {
      construct(real, args, newTarget) {
        made++;
        return Reflect.construct(real, args, newTarget) as object;
      },
    });
    try {
      const sink = log.stream();
      for (let i = 0; i < 3; i++) sink.write(`{"level":30,"time":${i},"a":${i},"msg":"m"}\n`);
      sink.end();
      await new Promise((resolve) => sink.on('finish', resolve));
    } finally {
      globalThis.Function = RealFunction;
    }
    expect(log.stats().logged).toBe(603);
    // The stream's lines, one shape three times: a picker is made for them.
    expect(made).toBe(1);
  });
});

describe('a line near the longest string V8 makes', () => {
  it('waits as its record: joined to a run it made log.info throw "Invalid string length"', () => {
    const script = `
      const log = createLogger({ exitFlush: false, transports: [{ type: 'stalled', maxQueue: { maxRecords: 10 } }] });
      for (let i = 0; i < 2000; i++) log.info({ i }, 'a short record to fill the run');
      let outcome = 'logged';
      try { log.info('x'.repeat(536_870_888 - 1000)); } catch (error) { outcome = 'threw: ' + error.message; }
      const s = log.stats();
      process.stdout.write(JSON.stringify({ outcome, logged: s.logged, pending: s.pending }));
      process.exit(0);
    `;
    const result = runWithStalled(script, ['--max-old-space-size=4096'], 60_000);
    expect(JSON.parse(result.stdout)).toEqual({ outcome: 'logged', logged: 2001, pending: 2001 });
  }, 90_000);
});
