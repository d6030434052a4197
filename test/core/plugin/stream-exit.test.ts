import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerStats } from '../../../src/index.js';
import { lastJson, runChild, tempFolder } from '../../transports/http/receiver.js';

// A Writable handed to the logger as a transport queues writes of its own, which never run
// once the process ends. Those records must end counted and dead-lettered, not pending and
// gone. Children are real processes against the build.

const COUNT = 20_000;

/** The distinct `i` of the lines of an NDJSON file (a dead letter's keep theirs under `record`). */
function ids(path: string, dead = false): Set<number> {
  if (!existsSync(path)) return new Set();
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return new Set(
    lines.map((line) => {
      const parsed = JSON.parse(line) as { i: number; record?: { i: number } };
      return dead ? parsed.record!.i : parsed.i;
    }),
  );
}

/** A child that logs COUNT records to fs.createWriteStream(out), dead letter beside it, then runs `ending`. */
function streamChild(dir: string, ending: string): ReturnType<typeof runChild> {
  return runChild(
    `import { createWriteStream } from 'node:fs';
     const log = createLogger({ base: null, router: { deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))} },
       transports: [createWriteStream(${JSON.stringify(join(dir, 'out.log'))})] });
     process.on('exit', () => writeSync(1, JSON.stringify(log.stats()) + '\\n'));
     for (let i = 0; i < ${COUNT}; i++) log.info({ i }, 'queued in the stream');
     ${ending}`,
    { timeoutMs: 30_000 },
  );
}

/** Every record is in the file or in the dead letter; returns how many are in the file. */
function expectEveryRecordSomewhere(dir: string): number {
  const written = ids(join(dir, 'out.log'));
  const lettered = ids(join(dir, 'dead.ndjson'), true);
  for (let i = 0; i < COUNT; i++) if (!written.has(i) && !lettered.has(i)) expect.fail(`record ${i} is nowhere`);
  return written.size;
}

describe('a Writable transport whose own queue is not written when the process ends', () => {
  it('fs.createWriteStream, ended by process.exit(): every record on disk or dead-lettered, none pending', async () => {
    const dir = tempFolder('stream-exit');
    const child = await streamChild(dir, 'setImmediate(() => process.exit(0));');
    const stats = lastJson<LoggerStats>(child.stdout);
    // Before the fix: the stream's queue stayed pending, unwritten and not dead-lettered.
    expect(stats).toMatchObject({ logged: COUNT, pending: 0 });
    expect(stats.delivered + stats.failed).toBe(COUNT);
    expect(stats.deadLettered).toBe(stats.failed);
    expect(expectEveryRecordSomewhere(dir)).toBeGreaterThanOrEqual(stats.delivered);
  });

  it("a line logged in the application's own exit listener, after the queue was given up, is written", async () => {
    const dir = tempFolder('stream-exit-listener');
    const child = await runChild(
      `import { createWriteStream } from 'node:fs';
       import { once } from 'node:events';
       const stream = createWriteStream(${JSON.stringify(join(dir, 'out.log'))});
       await once(stream, 'open');
       const log = createLogger({ base: null, transports: [stream], router: {
         deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))}, health: { failureThreshold: 1000000 } } });
       process.on('exit', () => {
         log.info({ i: -1 }, 'goodbye from the exit listener');
         writeSync(1, JSON.stringify(log.stats()) + '\\n');
       });
       for (let i = 0; i < ${COUNT}; i++) log.info({ i }, 'queued in the stream');
       setImmediate(() => process.exit(0));`,
      { timeoutMs: 30_000 },
    );
    const stats = lastJson<LoggerStats>(child.stdout);
    // Before: the line went into the stream's queue behind writes that never happen, pending for good.
    expect(stats).toMatchObject({ logged: COUNT + 1, pending: 0 });
    expect(stats.delivered + stats.failed).toBe(COUNT + 1);
    expectEveryRecordSomewhere(dir);
    expect(ids(join(dir, 'out.log')).has(-1)).toBe(true);
  });

  it('fs.createWriteStream, ended by SIGTERM: every record on disk or dead-lettered', async () => {
    const dir = tempFolder('stream-exit-signal');
    const child = await streamChild(dir, "setImmediate(() => process.kill(process.pid, 'SIGTERM'));");
    expect(child.signal).toBe('SIGTERM');
    expectEveryRecordSomewhere(dir);
  });

  it('an objectMode Writable slower than the loop, ended by process.exit(): its queue is dead-lettered', async () => {
    const dir = tempFolder('stream-exit-objects');
    const dead = join(dir, 'dead.ndjson');
    const child = await runChild(
      `import { Writable } from 'node:stream';
       let taken = 0;
       const slow = new Writable({ objectMode: true, write(_record, _enc, done) { taken++; setTimeout(done, 1); } });
       const log = createLogger({ base: null, router: { deadLetter: ${JSON.stringify(dead)} }, transports: [slow] });
       process.on('exit', () => writeSync(1, JSON.stringify({ ...log.stats(), taken }) + '\\n'));
       for (let i = 0; i < 1000; i++) log.info({ i }, 'queued in the stream');
       setTimeout(() => process.exit(0), 30);`,
      { timeoutMs: 30_000 },
    );
    const stats = lastJson<LoggerStats & { taken: number }>(child.stdout);
    expect(stats).toMatchObject({ logged: 1000, pending: 0 });
    expect(stats.delivered).toBeLessThan(1000);
    expect(stats.delivered + stats.failed).toBe(1000);
    expect(stats.deadLettered).toBe(stats.failed);
    expect(ids(dead, true).size).toBe(stats.failed);
  });
});

describe('close({ timeoutMs }) with a Writable transport that never calls back', () => {
  it('fails and dead-letters what the stream holds instead of leaving it pending', async () => {
    const dir = tempFolder('stream-stalled');
    const stalled = new Writable({ write() {} });
    const deadLetter = join(dir, 'dead.ndjson');
    const log = createLogger({ base: null, exitFlush: false, router: { deadLetter }, transports: [stalled] });
    for (let i = 0; i < 1000; i++) log.info({ i }, 'stuck in the stream');
    expect(await log.close({ timeoutMs: 200 })).toBe(false);
    // Before: counted as abandoned, pending for good; the reason now says close() timed out.
    expect(log.stats()).toMatchObject({ logged: 1000, delivered: 0, failed: 1000, pending: 0, deadLettered: 1000 });
    expect(ids(join(dir, 'dead.ndjson'), true).size).toBe(1000);
    expect(readFileSync(join(dir, 'dead.ndjson'), 'utf8')).toContain('close() timed out');
  });
});

// A stream has no deadline of its own: a close() without a timeout waited for its callbacks for
// ever, so a service's `await log.close(); process.exit(0)` on SIGTERM hung until SIGKILL
// (found by attacking the exit path). Now such a close gives up a stream that settles nothing
// for exitTimeoutMs (at least a second).
describe('close() without a timeout, with a Writable transport that has stalled', () => {
  it.each([
    ['an objectMode Writable that never calls back', 'object'],
    ['a socket to a peer that stopped reading', 'socket'],
  ])('%s: gives up after a second without progress (false), its records failed, dead-lettered', async (_name, kind) => {
    const dir = tempFolder(`stream-close-${kind}`);
    const child = await runChild(
      `const { Writable } = await import('node:stream');
       const net = await import('node:net');
       let stream;
       if (${JSON.stringify(kind)} === 'object') stream = new Writable({ objectMode: true, write() {} });
       else {
         const held = [];
         const peer = net.createServer((s) => { held.push(s); s.pause(); });
         await new Promise((resolve) => peer.listen(0, '127.0.0.1', resolve));
         stream = net.connect(peer.address().port, '127.0.0.1');
         await new Promise((resolve) => stream.once('connect', resolve));
       }
       const log = createLogger({ base: null, exitTimeoutMs: 300,
         router: { deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))} }, transports: [stream] });
       const pad = 'p'.repeat(1000);
       for (let i = 0; i < 20000; i++) log.info({ i, pad }, 'x');
       await new Promise((resolve) => setTimeout(resolve, 100));
       const closed = await log.close();
       writeSync(1, JSON.stringify({ closed, ...log.stats() }) + '\\n');
       process.exit(0);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(0);
    const stats = lastJson<LoggerStats & { closed: boolean }>(child.stdout);
    expect(stats).toMatchObject({ closed: false, logged: 20000, pending: 0 });
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.delivered + stats.failed).toBe(20000);
    expect(ids(join(dir, 'dead.ndjson'), true).size).toBe(stats.failed);
    const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8');
    const id = kind === 'object' ? 'writable#0' : 'stream#0';
    expect(dead).toContain(`${id} settled none of its records for 1000 ms at close()`);
  });
});

describe('close() without a timeout, with a healthy Writable transport', () => {
  it('exitTimeoutMs 0 gives up nothing that moves: a file stream and a slow stream deliver every record', async () => {
    // With the stream's wait taken as exitTimeoutMs itself, 0 failed all 1,000 records of a
    // stream that had written every one (found by a review of that change).
    const dir = tempFolder('stream-close-healthy');
    const path = join(dir, 'app.log');
    const slow = new Writable({ write: (_chunk, _encoding, callback) => setTimeout(callback, 300) });
    for (const stream of [createWriteStream(path), slow]) {
      const log = createLogger({ base: null, exitFlush: false, exitTimeoutMs: 0, transports: [stream] });
      for (let i = 0; i < 1000; i++) log.info({ i }, 'healthy');
      expect(await log.close()).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 1000, delivered: 1000, failed: 0, pending: 0 });
    }
    expect(ids(path).size).toBe(1000);
  });
});

describe('close() of a byte stream that emits no close at all (emitClose off)', () => {
  it('resolves, and the code after it runs: the wait for the close holds the process', async () => {
    const child = await runChild(
      `const { Writable } = await import('node:stream');
       const stream = new Writable({ emitClose: false, write: (_c, _e, callback) => callback() });
       const log = createLogger({ transports: [stream] });
       log.info('one');
       const closed = await log.close();
       writeSync(1, JSON.stringify({ closed, delivered: log.stats().delivered }) + '\\n');`,
    );
    expect(child.code).toBe(0);
    expect(lastJson(child.stdout)).toEqual({ closed: true, delivered: 1 });
  });
});
