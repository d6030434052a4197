import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

/** Runs a plugin's script in a child (with createLogger and Transport imported); its output and exit. */
function run(script: string): { stdout: string; stderr: string; status: number | null } {
  requireBuild();
  const source = `import { BatchTransport, createLogger, Transport } from ${JSON.stringify(DIST_ESM)};
    const counts = (log) => { const s = log.stats(); return { logged: s.logged, delivered: s.delivered,
      failed: s.failed, dropped: s.dropped, pending: s.pending }; };
    ${script}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** The JSON objects a child printed, one a line. */
function printed(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a plugin transport that misbehaves', () => {
  it('a field of its own named pending (or parked, acceptedCount, flushWaiters) leaves the counts alone', () => {
    const { stdout, status } = run(`
      class Kafka extends Transport {
        type = 'kafka';
        pending = new Set();
        parked = 'none';
        acceptedCount = 1e9;
        flushWaiters = null;
        received = 0;
        handle(record) {
          this.received++;
          const send = Promise.resolve().then(() => { this.pending.delete(send); this.settleDelivered(1); });
          this.pending.add(send);
        }
      }
      const kafka = new Kafka();
      const log = createLogger({ transports: [kafka], exitTimeoutMs: 1000 });
      for (let i = 0; i < 20; i++) log.info('r' + i);
      await log.flush();
      console.log(JSON.stringify({ ...counts(log), received: kafka.received }));
      console.log(JSON.stringify({ closed: await log.close() }));`);
    // Before: delivered 20 and pending 0 while the transport had received none; close() never came back.
    expect(printed(stdout)).toEqual([
      { logged: 20, delivered: 20, failed: 0, dropped: 0, pending: 0, received: 20 },
      { closed: true },
    ]);
    expect(status).toBe(0);
  });

  it("a BatchTransport subclass with fields named as its base's (retries, stopped, reads, batches) still ships", () => {
    const { stdout, status } = run(`
      class Vendor extends BatchTransport {
        retries = 3;
        stopped = true;
        reads = [];
        batches = 'many';
        inFlight = null;
        constructor() {
          super(async (records) => { sent += records.length; }, { batch: { maxRecords: 10, intervalMs: 5 } });
        }
      }
      let sent = 0;
      const log = createLogger({ transports: [new Vendor()] });
      for (let i = 0; i < 25; i++) log.info('r' + i);
      await log.flush();
      console.log(JSON.stringify({ ...counts(log), sent, batches: log.stats().targets[0].batches }));
      console.log(JSON.stringify({ closed: await log.close() }));`);
    // Before: the subclass's fields took the base's places (its counters, its spool, whether it had stopped).
    expect(printed(stdout)).toEqual([
      { logged: 25, delivered: 25, failed: 0, dropped: 0, pending: 0, sent: 25, batches: 3 },
      { closed: true },
    ]);
    expect(status).toBe(0);
  });

  it('a transport that destroys itself with an error: what it holds fails at once, not at the end', () => {
    const { stdout, status } = run(`
      class Conn extends Transport {
        type = 'conn';
        handle() {
          if (this.dying) return;
          this.dying = true;
          setTimeout(() => this.destroy(new Error('connection reset')), 10);
        }
      }
      const log = createLogger({ transports: [new Conn()], diagnostics: false });
      let reports = 0;
      log.on('deliveryFailed', () => { reports++; });
      log.info('a'); log.info('b'); log.info('c');
      await new Promise((resolve) => setTimeout(resolve, 200));
      console.log(JSON.stringify({ ...counts(log), reports: reports > 0 }));
      await log.close();`);
    // Before: pending 3 until the process ended, no deliveryFailed (a close() filed them as abandoned).
    expect(printed(stdout)).toEqual([{ logged: 3, delivered: 0, failed: 3, dropped: 0, pending: 0, reports: true }]);
    expect(status).toBe(0);
  });

  it('a giveUpSync written as a class field is its own, as one written as a method is', () => {
    // Each sends in 1.5 s, longer than exitTimeoutMs: a transport with its own giveUpSync has
    // its own deadlines, so a close() without a timeout waits for it.
    const { stdout, status } = run(`
      const send = (t) => setTimeout(() => t.settleDelivered(1), 1500);
      class AsMethod extends Transport {
        type = 'method';
        handle() { send(this); }
        giveUpSync() {}
      }
      class AsField extends Transport {
        type = 'field';
        handle() { send(this); }
        giveUpSync = () => {};
      }
      // A base class that reads back its disk and flushes in its constructor, before the field is set.
      class ReadsBack extends Transport {
        constructor() { super(); this.unpark(1); this.flush(); }
      }
      class FieldAfterBase extends ReadsBack {
        type = 'field after base';
        handle() { send(this); }
        giveUpSync = () => {};
      }
      for (const T of [AsMethod, AsField, FieldAfterBase]) {
        const log = createLogger({ transports: [new T()], exitTimeoutMs: 1000, diagnostics: false });
        log.info('a');
        log.info('b');
        const closed = await log.close();
        console.log(JSON.stringify({ type: new T().type, closed, ...counts(log) }));
      }`);
    // Before: the field was not seen, the records were failed after 1 s, close() said false.
    expect(printed(stdout)).toEqual([
      { type: 'method', closed: true, logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 },
      { type: 'field', closed: true, logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 },
      { type: 'field after base', closed: true, logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 },
    ]);
    expect(status).toBe(0);
  });

  it('a giveUpSync getter that throws: each call is one record, and what is held fails at the end', () => {
    const { stdout, status } = run(`
      class P extends Transport {
        type = 'p';
        get giveUpSync() { throw new Error('no connection yet'); }
        handle() {}
      }
      const log = createLogger({ transports: [new P()], exitTimeoutMs: 1000, diagnostics: false });
      log.info('a');
      log.info('b');
      console.log(JSON.stringify(counts(log)));
      console.log(JSON.stringify({ closed: await log.close(), ...counts(log) }));`);
    // Before: accepting the first record threw, the call was logged twice, one record was pending
    // for good and close() never came back.
    expect(printed(stdout)).toEqual([
      { logged: 2, delivered: 0, failed: 0, dropped: 0, pending: 2 },
      { closed: false, logged: 2, delivered: 0, failed: 2, dropped: 0, pending: 0 },
    ]);
    expect(status).toBe(0);
  });

  it('an inner transport that ends by destroy() in its own close: a clean close, nothing said', () => {
    const { stdout, status } = run(`
      const { BufferedTransport } = await import(${JSON.stringify(DIST_ESM)});
      class Inner extends Transport {
        type = 'inner';
        handle(record) { setTimeout(() => this.settleDelivered([record]), 100); }
        async closeResources() { this.destroy(); }
      }
      const said = [];
      const log = createLogger({ transports: [new BufferedTransport(new Inner(), { batch: { intervalMs: 10 } })],
        diagnostics: (message) => said.push(message) });
      for (let i = 0; i < 4; i++) log.info('r' + i);
      const closed = await log.close();
      console.log(JSON.stringify({ closed, ...counts(log), said }));`);
    // Before: "inner(in buffered#0) was destroyed" and "marked unhealthy" after a clean close.
    expect(printed(stdout)).toEqual([
      { closed: true, logged: 4, delivered: 4, failed: 0, dropped: 0, pending: 0, said: [] },
    ]);
    expect(status).toBe(0);
  });

  it('a wrapper made in code whose inner transport dies before it is given to a logger: no crash', () => {
    const { stdout, status } = run(`
      const { BufferedTransport } = await import(${JSON.stringify(DIST_ESM)});
      class Inner extends Transport { type = 'inner'; handle() { this.settleDelivered(1); } }
      const inner = new Inner();
      const buffered = new BufferedTransport(inner);
      inner.destroy(new Error('connect ECONNREFUSED'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const log = createLogger({ transports: [buffered], diagnostics: false });
      log.info('a');
      console.log(JSON.stringify({ closed: await log.close(), ...counts(log) }));`);
    // Before: an unhandled 'error' event on the wrapper ended the process.
    expect(printed(stdout)).toEqual([{ closed: true, logged: 1, delivered: 0, failed: 1, dropped: 0, pending: 0 }]);
    expect(status).toBe(0);
  });

  it('a Writable inside buffered that is destroyed: its records fail, the target is unhealthy', () => {
    const { stdout, status } = run(`
      const { Writable } = await import('node:stream');
      let writes = 0;
      const stream = new Writable({ objectMode: true, write(_r, _e, callback) {
        if (++writes === 1) setTimeout(() => stream.destroy(new Error('EPIPE')), 20); else callback();
      } });
      const log = createLogger({ transports: [{ type: 'buffered', target: stream, flushIntervalMs: 5 }],
        diagnostics: false });
      for (let i = 0; i < 4; i++) log.info('r' + i);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const healthy = log.stats().targets[0].healthy;
      console.log(JSON.stringify({ closed: await log.close(), healthy, ...counts(log) }));`);
    // Before: buffered retried the chunk against the dead stream; close() gave up after 1 s (false).
    expect(printed(stdout)).toEqual([
      { closed: true, healthy: false, logged: 4, delivered: 0, failed: 4, dropped: 0, pending: 0 },
    ]);
    expect(status).toBe(0);
  });

  it("a BatchTransport subclass's own giveUpSync: its parks by count take the right records", () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-batch-override-'));
    const { stdout, status } = run(`
      class MyBatch extends BatchTransport {
        giveUpSync(reason) { super.giveUpSync(reason); }
      }
      const sink = new MyBatch(async (records) => {
        if (records[0].msg === 'slow') { await new Promise((r) => setTimeout(r, 300)); return; }
        throw new Error('down');
      }, { batch: { maxRecords: 1, intervalMs: 1 }, concurrency: 2, retry: { maxAttempts: 2, baseMs: 5, maxMs: 10 },
        spool: { dir: ${JSON.stringify(dir)} } });
      const log = createLogger({ transports: [sink], diagnostics: false });
      log.info('slow');
      await new Promise((r) => setTimeout(r, 5));
      log.info('fails');
      await new Promise((r) => setTimeout(r, 500));
      console.log(JSON.stringify({ ...counts(log), parked: log.stats().targets[0].parked }));
      console.log(JSON.stringify({ closed: await log.close({ timeoutMs: 2000 }) }));`);
    // Before: the park took the older record (in flight), whose delivery was then ignored; close() ran out.
    expect(printed(stdout)).toEqual([
      { logged: 2, delivered: 1, failed: 0, dropped: 0, pending: 1, parked: 1 },
      { closed: true },
    ]);
    expect(status).toBe(0);
  });

  it('an async write() that never settles: close() comes back after exitTimeoutMs, the record fails', () => {
    const { stdout, status } = run(`
      const log = createLogger({ transports: [{ write: () => new Promise(() => {}) }], exitTimeoutMs: 300,
        diagnostics: false });
      log.info('never written');
      console.log(JSON.stringify({ closed: await log.close() }));
      console.log(JSON.stringify(counts(log)));
      const twice = createLogger({ transports: [{ write: () => ({ then(ok, no) { ok(); no(new Error('late')); } }) }],
        diagnostics: false });
      twice.info('one');
      twice.info('two');
      await twice.flush();
      console.log(JSON.stringify(counts(twice)));`);
    // Before: close() never came back; a thenable that resolved and then rejected counted one record twice.
    expect(printed(stdout)).toEqual([
      { closed: false },
      { logged: 1, delivered: 0, failed: 1, dropped: 0, pending: 0 },
      { logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 },
    ]);
    expect(status).toBe(0);
  });

  it('a transport that destroys itself without an error: the same as with one', () => {
    const { stdout, status } = run(`
      class Conn extends Transport {
        type = 'conn';
        handle() {
          if (this.dying) return;
          this.dying = true;
          setTimeout(() => this.destroy(), 10);
        }
      }
      const log = createLogger({ transports: [new Conn()], diagnostics: false });
      log.info('a'); log.info('b'); log.info('c');
      await new Promise((resolve) => setTimeout(resolve, 200));
      log.info('after');
      console.log(JSON.stringify(counts(log)));
      console.log(JSON.stringify({ closed: await log.close() }));`);
    expect(printed(stdout)).toEqual([{ logged: 4, delivered: 0, failed: 4, dropped: 0, pending: 0 }, { closed: true }]);
    expect(status).toBe(0);
  });

  it.each([
    ['buffered', "{ type: 'buffered', target: new Conn(), bufferSize: '1KB', flushIntervalMs: 5 }"],
    ['validating', "{ type: 'validating', schema: { type: 'object' }, target: new Conn() }"],
  ])('a transport inside %s that destroys itself: what both hold fails, as for a direct one', (_, entry) => {
    const { stdout, status } = run(`
      class Conn extends Transport {
        type = 'conn';
        handle() {
          if (this.dying) return;
          this.dying = true;
          setTimeout(() => this.destroy(new Error('connection reset')), 30);
        }
      }
      const log = createLogger({ transports: [${entry}], diagnostics: false });
      log.info('a'); log.info('b'); log.info('c');
      await new Promise((resolve) => setTimeout(resolve, 300));
      log.info('after');
      const healthy = log.stats().targets[0].healthy;
      console.log(JSON.stringify({ ...counts(log), healthy }));
      console.log(JSON.stringify({ closed: await log.close() }));`);
    // Before: only reported; the three stayed pending until the end, and close() waited on them.
    expect(printed(stdout)).toEqual([
      { logged: 4, delivered: 0, failed: 4, dropped: 0, pending: 0, healthy: false },
      { closed: true },
    ]);
    expect(status).toBe(0);
  });

  it('a plugin with its own pending field inside buffered: its refusals are retried', () => {
    const { stdout, status } = run(`
      let calls = 0;
      class Flaky extends Transport {
        type = 'flaky';
        pending = new Set();
        handle(record) {
          const send = Promise.resolve().then(() => {
            this.pending.delete(send);
            if (calls++ < 10) this.settleFailed([record], new Error('busy'));
            else this.settleDelivered([record]);
          });
          this.pending.add(send);
        }
      }
      const log = createLogger({ transports: [{ type: 'buffered', batch: { maxRecords: 10, intervalMs: 5 },
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 10 }, target: new Flaky() }], diagnostics: false });
      for (let i = 0; i < 10; i++) log.info('r' + i);
      await log.flush();
      console.log(JSON.stringify(counts(log)));
      await log.close();`);
    // Before: buffered read the inner pending (a Set) as its count: every chunk looked done, none retried.
    expect(printed(stdout)).toEqual([{ logged: 10, delivered: 10, failed: 0, dropped: 0, pending: 0 }]);
    expect(status).toBe(0);
  });

  it('an async handle() whose send fails after a later one settled by count: the failed one fails', () => {
    const { stdout, status } = run(`
      const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      class Kafka extends Transport {
        type = 'kafka';
        async handle(record) {
          // A's send is refused after B's is answered: B's count takes A, the oldest held.
          if (record.msg === 'A') { await wait(60); throw new Error('refused'); }
          await wait(10);
          this.settleDelivered(1);
        }
      }
      const log = createLogger({ transports: [new Kafka()], exitTimeoutMs: 1000, diagnostics: false });
      const failures = [];
      log.on('deliveryFailed', (failure) => failures.push(failure.record.msg));
      log.info('A');
      log.info('B');
      const closed = await log.close();
      console.log(JSON.stringify({ closed, failures, ...counts(log) }));`);
    // Before: A counted delivered, B held until the close gave up on it and failed it (closed false).
    expect(printed(stdout)).toEqual([
      { closed: true, failures: ['A'], logged: 2, delivered: 1, failed: 1, dropped: 0, pending: 0 },
    ]);
    expect(status).toBe(0);
  });

  it('an async handle() or write() that rejects fails its record; the process lives on', () => {
    const { stdout, stderr, status } = run(`
      class Db extends Transport {
        type = 'db';
        async handle() { await null; throw new Error('insert failed'); }
      }
      const viaHandle = createLogger({ transports: [new Db()], diagnostics: false });
      const viaWrite = createLogger({ transports: [{ write: async () => { throw new Error('rejected'); } }],
        diagnostics: false });
      const okWrite = createLogger({ transports: [{ write: async () => {} }], diagnostics: false });
      for (const log of [viaHandle, viaWrite, okWrite]) log.info('hello');
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const log of [viaHandle, viaWrite, okWrite]) console.log(JSON.stringify(counts(log)));`);
    // Before: an unhandled rejection ended the process (exit 1), the write-only record counted delivered.
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(printed(stdout)).toEqual([
      { logged: 1, delivered: 0, failed: 1, dropped: 0, pending: 0 },
      { logged: 1, delivered: 0, failed: 1, dropped: 0, pending: 0 },
      { logged: 1, delivered: 1, failed: 0, dropped: 0, pending: 0 },
    ]);
  });

  it('a pending getter that throws, and a stats() that throws or gives null, throw nothing out of the logger', () => {
    const { stdout, status } = run(`
      class Lazy extends Transport {
        type = 'q';
        handle() { this.settleDelivered(1); }
        get pending() { return this.queue.size; }
        stats() { return this.client.metrics(); }
      }
      class Nothing extends Transport { type = 'n'; handle() { this.settleDelivered(1); } stats() { return null; } }
      const log = createLogger({ transports: [new Lazy(), new Nothing()], diagnostics: false });
      log.info('hello');
      const stats = log.stats();
      console.log(JSON.stringify(counts(log)));
      console.log(JSON.stringify(stats.targets.map((t) => [t.delivered, t.pending, typeof t.statsError])));
      console.log(JSON.stringify({ closed: await log.close() }));`);
    // Before: log.info() threw "Cannot read properties of undefined", and log.stats() threw too.
    expect(printed(stdout)).toEqual([{ logged: 1, delivered: 1, failed: 0, dropped: 0, pending: 0 }, { closed: true }]);
    expect(stdout).toContain('[[1,0,"string"],[1,0,"string"]]');
    expect(status).toBe(0);
  });
});
