import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { Spool } from '../../../src/core/io/spool.js';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';
import { ControlledTransport } from '../../helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamlog-spool-'));
}

describe('Spool', () => {
  it('gives lines back oldest first, in bounded reads, and empties its file once all is committed', () => {
    const path = join(tempDir(), 'nested', 't.ndjson');
    const spool = new Spool(path);
    expect(spool.empty).toBe(true);
    const long = 'x'.repeat(200_000);
    for (let i = 0; i < 5; i++) spool.append(`{"i":${i}}\n`);
    spool.append(`{"long":"${long}"}\n`);
    expect(spool.count).toBe(6);
    expect(spool.read(2)).toEqual(['{"i":0}\n', '{"i":1}\n']);
    spool.append('{"i":5}\n');
    expect(spool.read(10).map((l) => l.length)).toEqual([8, 8, 8, long.length + 12, 8]);
    expect(spool.empty).toBe(true);
    // Read is not settled: until the target settles what it got, the lines stay on disk.
    expect(readFileSync(path, 'utf8')).toContain('{"i":5}');
    spool.commit(spool.position);
    expect(readFileSync(path, 'utf8')).toBe('');
    spool.close();
    expect(existsSync(path)).toBe(false);
  });

  it('a file mostly settled is cut down for the next owner, not left to grow a read at each start', () => {
    // A replay moved to the end, marked, at every start against a destination that never
    // answers committed its old place each time: the settled start of the file was never cut.
    const path = join(tempDir(), 't.ndjson');
    const spool = new Spool(path);
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 100; i++) spool.append(line);
    spool.read(100);
    const read = spool.position;
    for (let i = 0; i < 20; i++) spool.append(` ${line}`);
    spool.commit(read);
    spool.close();
    expect(readFileSync(path, 'utf8')).toBe(` ${line}`.repeat(20));
    expect(new Spool(path).read(500)).toHaveLength(20);
  });

  it('a new Spool on a file left behind counts its lines and keeps a torn last line out', () => {
    const path = join(tempDir(), 't.ndjson');
    const first = new Spool(path);
    first.append('{"a":1}\n');
    first.append('{"a":2}\n');
    first.close();
    const again = new Spool(path);
    expect(again.count).toBe(2);
    expect(again.read(5)).toEqual(['{"a":1}\n', '{"a":2}\n']);
  });
});

describe('block with a spool folder', () => {
  it('keeps memory bounded against a stalled target, then delivers everything in order', () => {
    requireBuild();
    const spoolDir = tempDir();
    const script = `
      import { createLogger, Transport, registerTransport } from ${JSON.stringify(DIST_ESM)};
      import { z } from 'zod';
      class Gate extends Transport {
        type = 'gate'; open = false; held = 0; seen = [];
        handle(record) {
          this.seen.push(record.toObject().i);
          if (this.open) this.settleDelivered(1); else this.held++;
        }
        release() { this.open = true; const n = this.held; this.held = 0; this.settleDelivered(n); }
      }
      registerTransport('gate', { schema: z.strictObject({}), create: () => new Gate() });
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'gate', overflow: 'block', maxQueue: { maxRecords: 1000 } }] });
      const gate = log.transports[0];
      global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 300_000; i++) log.info({ i, pad: 'x'.repeat(60) }, 'spool me');
      global.gc(); const after = process.memoryUsage().heapUsed;
      const spooled = log.stats().targets[0].spooled;
      gate.release();
      const settled = await log.flush({ timeoutMs: 60_000 });
      const inOrder = gate.seen.every((v, k) => v === k);
      const stats = log.stats();
      await log.close();
      const growthMiB = (after - before) / 1048576;
      const { failed, dropped } = stats;
      const seen = gate.seen.length;
      process.stdout.write(JSON.stringify({ growthMiB, spooled, settled, seen, inOrder, failed, dropped }));
    `;
    const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, number | boolean>;
    expect(out.spooled).toBe(300_000 - 500); // all but the transport's window went to disk
    expect(out.growthMiB as number).toBeLessThan(64);
    expect(out).toMatchObject({ settled: true, seen: 300_000, inOrder: true, failed: 0, dropped: 0 });
    expect(existsSync(join(spoolDir, 'gate.ndjson'))).toBe(false);
  });

  it('records left in the spool by one logger are replayed first by the next one', async () => {
    const spoolDir = tempDir();
    const stalled = new ControlledTransport({ mode: 'stall', id: 'sink' });
    const first = createLogger({
      exitFlush: false,
      base: null,
      router: { spool: { dir: spoolDir } },
      transports: [{ transport: stalled, overflow: 'block', maxQueue: { maxRecords: 4 } }],
    });
    for (let i = 0; i < 10; i++) first.info({ i }, 'before restart');
    expect(first.stats().targets[0]).toMatchObject({ spooled: 8, spooledTotal: 8 });
    expect(await first.close({ timeoutMs: 20 })).toBe(false); // two were inside the stalled transport
    expect(first.stats().targets[0]!.abandoned).toBe(2);
    expect(readFileSync(join(spoolDir, 'sink.ndjson'), 'utf8').trim().split('\n')).toHaveLength(8);

    const sink = new MemoryTransport({ id: 'sink' });
    const second = createLogger({
      exitFlush: false,
      base: null,
      router: { spool: { dir: spoolDir } },
      transports: [{ transport: sink, overflow: 'block' }],
    });
    second.info({ i: 100 }, 'after restart');
    await second.flush();
    expect(sink.objects().map((o) => o.i)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 100]);
    expect(sink.objects()[0]).toEqual({ level: 30, time: expect.any(Number), i: 2, msg: 'before restart' });
    await second.close();
    expect(existsSync(join(spoolDir, 'sink.ndjson'))).toBe(false);
  });
});

/** A gate transport and a logger spooling to `spoolDir`, in the script of a child process. */
const GATE = `
  import { createLogger, Transport, registerTransport } from ${JSON.stringify(DIST_ESM)};
  import { z } from 'zod';
  class Gate extends Transport {
    type = 'gate'; open = false; held = []; seen = [];
    handle(record) {
      if (!this.open) return void this.held.push(record);
      this.seen.push(record.toObject());
      this.settleDelivered(1);
    }
    release() {
      this.open = true;
      const held = this.held.splice(0);
      for (const r of held) this.seen.push(r.toObject());
      this.settleDelivered(held.length);
    }
  }
  registerTransport('gate', { schema: z.strictObject({}), create: () => new Gate() });
`;

function child(body: string, timeout = 30_000) {
  requireBuild();
  return spawnSync(process.execPath, ['--input-type=module', '-e', GATE + body], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
  });
}

describe('a spool has one owner', () => {
  it("two loggers in one process built from one config never read each other's records", async () => {
    const spoolDir = tempDir();
    const config = (who: string) => ({
      exitFlush: false,
      base: { who },
      router: { spool: { dir: spoolDir } },
      transports: [
        {
          type: 'controlled' as const,
          mode: 'stall' as const,
          id: 'audit',
          overflow: 'block' as const,
          maxQueue: { maxRecords: 4 },
        },
      ],
    });
    const a = createLogger(config('a'));
    const b = createLogger(config('b'));
    for (let i = 0; i < 500; i++) {
      a.info({ i }, 'from a');
      b.info({ i }, 'from b');
    }
    const [ta, tb] = [a.transports[0] as ControlledTransport, b.transports[0] as ControlledTransport];
    ta.mode = 'ok';
    tb.mode = 'ok';
    ta.release();
    tb.release();
    await Promise.all([a.flush(), b.flush()]);
    expect(new Set(ta.received.map((r) => r.toObject().who))).toEqual(new Set(['a']));
    expect(new Set(tb.received.map((r) => r.toObject().who))).toEqual(new Set(['b']));
    expect(ta.received.map((r) => r.toObject().i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    await Promise.all([a.close(), b.close()]);
  });

  it("four processes sharing a spool folder: none loses or takes another's records", async () => {
    const spoolDir = tempDir();
    const body = (w: number) => `
      const log = createLogger({ exitFlush: false, base: { w: ${w} },
        router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'shared', overflow: 'block', maxQueue: { maxRecords: 100 } }] });
      for (let i = 0; i < 5000; i++) log.info({ i }, 'spooled');
      await new Promise((resolve) => setTimeout(resolve, 50));
      log.transports[0].release();
      await log.flush({ timeoutMs: 20000 });
      const gate = log.transports[0];
      await log.close();
      const ws = [...new Set(gate.seen.map((r) => r.w))];
      process.stdout.write(JSON.stringify({ ws, is: gate.seen.map((r) => r.i) }));
    `;
    const { spawn } = await import('node:child_process');
    const runs = [0, 1, 2, 3].map(
      (w) =>
        new Promise<string>((resolve) => {
          const proc = spawn(process.execPath, ['--input-type=module', '-e', GATE + body(w)], {
            cwd: ROOT,
            timeout: 60_000,
          });
          let out = '';
          proc.stdout.on('data', (d) => (out += d));
          proc.on('close', () => resolve(out));
        }),
    );
    requireBuild();
    const outputs = await Promise.all(runs);
    outputs.forEach((output, w) => {
      const { ws, is } = JSON.parse(output) as { ws: number[]; is: number[] };
      expect(ws).toEqual([w]);
      expect(is).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    });
  }, 90_000);

  it('a dead owner’s spool is adopted by the next process; after SIGKILL at most one batch is replayed twice', () => {
    const spoolDir = tempDir();
    const first = child(`
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'sink', overflow: 'block', maxQueue: { maxRecords: 20 } }] });
      for (let i = 0; i < 1000; i++) log.info({ i }, 'left behind');
      process.kill(process.pid, 'SIGKILL');
    `);
    expect(first.signal).toBe('SIGKILL');
    const second = child(`
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'sink', overflow: 'block', maxQueue: { maxRecords: 20 } }] });
      const gate = log.transports[0];
      // Deliver slowly, one record a tick, and die mid-replay.
      gate.open = true;
      gate.handle = function (record) {
        setImmediate(() => { this.seen.push(record.toObject()); this.settleDelivered(1); });
      };
      while (gate.seen.length < 300) await new Promise((resolve) => setImmediate(resolve));
      process.stdout.write(JSON.stringify(gate.seen.map((r) => r.i)));
      process.kill(process.pid, 'SIGKILL');
    `);
    expect(second.signal).toBe('SIGKILL');
    const beforeKill = JSON.parse(second.stdout) as number[];
    // 10 records were inside the first process's transport when it died; the rest were on disk.
    expect(beforeKill.slice(0, 300)).toEqual(Array.from({ length: 300 }, (_, k) => k + 10));
    const third = child(`
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'sink', overflow: 'block', maxQueue: { maxRecords: 20 } }] });
      const gate = log.transports[0];
      gate.release();
      await log.flush({ timeoutMs: 20000 });
      await log.close();
      process.stdout.write(JSON.stringify(gate.seen.map((r) => r.i)));
    `);
    const afterRestart = JSON.parse(third.stdout) as number[];
    // Nothing lost: every record from 10 on arrived in one run or the other...
    expect(new Set([...beforeKill, ...afterRestart])).toEqual(new Set(Array.from({ length: 990 }, (_, k) => k + 10)));
    // ...and what arrived twice is at most one batch (the target's window of 10).
    const twice = afterRestart.filter((i) => beforeKill.includes(i));
    expect(twice.length).toBeLessThanOrEqual(10);
    expect(afterRestart).toEqual([...afterRestart].sort((x, y) => x - y));
    expect(existsSync(join(spoolDir, 'sink.ndjson'))).toBe(false);
  });

  it('close({ timeoutMs }) with records still spooled: the process exits normally, no busy loop', () => {
    const spoolDir = tempDir();
    const result = child(
      `
      const log = createLogger({ exitFlush: false, base: null, router: { spool: { dir: ${JSON.stringify(spoolDir)} } },
        transports: [{ type: 'gate', id: 'stuck', overflow: 'block', maxQueue: { maxRecords: 10 } }] });
      for (let i = 0; i < 1000; i++) log.info({ i }, 'stuck');
      const before = process.cpuUsage();
      const settled = await log.close({ timeoutMs: 100 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const cpu = process.cpuUsage(before);
      process.stdout.write(JSON.stringify({ settled, cpuMs: (cpu.user + cpu.system) / 1000 }));
    `,
      20_000,
    );
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    const out = JSON.parse(result.stdout) as { settled: boolean; cpuMs: number };
    expect(out.settled).toBe(false);
    // Idle, not spinning: 400 ms of wall time spent mostly asleep.
    expect(out.cpuMs).toBeLessThan(300);
  });

  it('an unwritable spool folder counts the records as failed, never silently', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'file');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(blocker, 'not a folder');
    const diagnostics: string[] = [];
    const log = createLogger({
      exitFlush: false,
      base: null,
      diagnostics: (m) => diagnostics.push(m),
      router: { spool: { dir: join(blocker, 'spool') } },
      transports: [{ type: 'controlled', mode: 'stall', id: 'sink', overflow: 'block', maxQueue: { maxRecords: 4 } }],
    });
    for (let i = 0; i < 100; i++) log.info({ i }, 'x');
    await new Promise((resolve) => setImmediate(resolve));
    const target = log.stats().targets[0]!;
    expect(target.spoolFailed).toBe(98);
    expect(log.stats().failed).toBe(98);
    await log.close({ timeoutMs: 20 });
  });
});
