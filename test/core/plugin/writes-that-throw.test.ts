import { describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { lastJson, runChild } from '../../transports/http/receiver.js';

// A Writable handed in as a transport (or made by a plugin) whose own _write or _writev throws,
// or calls back twice. Found by attacking plugins: a _writev that threw crashed the process
// (Node calls it from inside an earlier write's callback); a byte stream whose _write threw
// once held every later record for ever; one that called back twice destroyed itself, and
// every later record failed. Each runs in a child: a crash must fail the test, not the run.
type Outcome = LoggerStats & { flushed: boolean; diagnostics: string[] };

const LOG_3000 = 'for (let i = 0; i < 3000; i++) log.info({ i }, "rec");';
/** 3,000 records in 30 turns of the event loop: a write per turn. */
const LOG_30_TICKS = `for (let round = 0; round < 30; round++) {
  for (let i = 0; i < 100; i++) log.info({ i: round * 100 + i }, 'rec');
  await new Promise((resolve) => setImmediate(resolve));
}`;

function run(stream: string, logging = LOG_3000): ReturnType<typeof runChild> {
  return runChild(
    `const { Writable } = await import('node:stream');
     const diagnostics = [];
     const log = createLogger({ base: null, exitFlush: false, diagnostics: (m) => diagnostics.push(m),
       router: { health: { failureThreshold: 1000000 } }, transports: [${stream}] });
     ${logging}
     const flushed = await log.flush({ timeoutMs: 5000 });
     writeSync(1, JSON.stringify({ flushed, diagnostics, ...log.stats() }) + '\\n');
     await log.close({ timeoutMs: 2000 });`,
    { timeoutMs: 20_000 },
  );
}

describe("a Writable transport's own writes that misbehave", () => {
  it.each([
    ['an objectMode stream', 'true'],
    ['a byte stream', 'false'],
  ])('%s whose _writev throws: its records fail, counted and said; the process lives', async (_name, objectMode) => {
    const child = await run(
      `new Writable({ objectMode: ${objectMode}, write(chunk, encoding, callback) { setImmediate(callback); },
         writev(chunks, callback) { throw new Error('writev boom'); } })`,
    );
    expect(child.stderr).not.toMatch(/writev boom\n\s+at /);
    expect(child.code).toBe(0);
    const outcome = lastJson<Outcome>(child.stdout);
    expect(outcome).toMatchObject({ flushed: true, logged: 3000, pending: 0 });
    expect(outcome.failed).toBeGreaterThan(0);
    expect(outcome.delivered + outcome.failed).toBe(3000);
    expect(outcome.diagnostics.join('\n')).toContain("the stream's write threw: writev boom");
  });

  it('a byte stream whose _write throws once: that write fails, every later record is delivered', async () => {
    const child = await run(
      `(() => { let thrown = false; return new Writable({ write(chunk, encoding, callback) {
         if (!thrown) { thrown = true; throw new Error('once'); } setImmediate(callback); } }); })()`,
      LOG_30_TICKS,
    );
    expect(child.code).toBe(0);
    const outcome = lastJson<Outcome>(child.stdout);
    expect(outcome).toMatchObject({ flushed: true, logged: 3000, failed: 100, delivered: 2900, pending: 0 });
    expect(outcome.diagnostics.join('\n')).toContain("the stream's write threw: once");
  });

  // An `async _write` returns a promise Node's Writable ignores: one that rejected before it
  // called back ended the process with Node's unhandled rejection, and that write never ended.
  it('a byte stream whose async _write rejects once: that write fails, every later record is delivered', async () => {
    const child = await run(
      `(() => { let rejected = false; return new Writable({ async write(chunk, encoding, callback) {
         await new Promise((resolve) => setImmediate(resolve));
         if (!rejected) { rejected = true; throw new Error('async once'); } callback(); } }); })()`,
      LOG_30_TICKS,
    );
    expect(child.stderr).not.toMatch(/async once\n\s+at /);
    expect(child.code).toBe(0);
    const outcome = lastJson<Outcome>(child.stdout);
    expect(outcome).toMatchObject({ flushed: true, logged: 3000, failed: 100, delivered: 2900, pending: 0 });
    expect(outcome.diagnostics.join('\n')).toContain("the stream's write threw: async once");
  });

  it.each([
    ['an object with no prototype', 'Object.create(null)'],
    ['a revoked Proxy', '(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()'],
  ])('an async _write that rejects with %s: that write fails, the process lives', async (_name, value) => {
    const child = await run(
      `new Writable({ objectMode: true, async write(chunk, encoding, callback) { throw ${value}; } })`,
      'for (let i = 0; i < 5; i++) log.info({ i }, "rec");',
    );
    expect(child.code).toBe(0);
    expect(lastJson<Outcome>(child.stdout)).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
  });

  it('an objectMode stream whose async _write rejects after it called back: nothing fails, said', async () => {
    const child = await run(
      `new Writable({ objectMode: true, async write(chunk, encoding, callback) {
         callback(); await new Promise((resolve) => setImmediate(resolve)); throw new Error('late'); } })`,
      `${LOG_3000} await new Promise((resolve) => setTimeout(resolve, 50));`,
    );
    expect(child.stderr).not.toMatch(/late\n\s+at /);
    expect(child.code).toBe(0);
    const outcome = lastJson<Outcome>(child.stdout);
    expect(outcome).toMatchObject({ flushed: true, logged: 3000, delivered: 3000, failed: 0, pending: 0 });
    expect(outcome.diagnostics.join('\n')).toContain("the stream's write threw after it called back: late");
  });

  it('a byte stream that calls back twice: the second call is ignored, said once, and nothing fails', async () => {
    const child = await run(
      `new Writable({ write(chunk, encoding, callback) { callback(); setImmediate(callback); } })`,
      LOG_30_TICKS,
    );
    expect(child.code).toBe(0);
    const outcome = lastJson<Outcome>(child.stdout);
    expect(outcome).toMatchObject({ flushed: true, logged: 3000, delivered: 3000, failed: 0, pending: 0 });
    expect(outcome.diagnostics.filter((m) => m.includes('called back twice'))).toHaveLength(1);
  });
});

describe('a stream two loggers share', () => {
  it.each([
    ['a byte stream', false],
    ['an objectMode stream', true],
  ])("%s: a write that throws for one logger's record fails that one, said to it", async (_name, objectMode) => {
    // Each logger wrapped the stream again, so the first logger's guard caught the second's
    // throw: the second counted its record delivered; then both were told (found by reviews).
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../../../src/index.js');
    const stream = new Writable({
      objectMode,
      write(chunk, _encoding, callback) {
        const text = objectMode ? (chunk as { msg: string }).msg : String(chunk);
        if (text.includes('from-B')) throw new Error('refuse B');
        setImmediate(callback);
      },
    });
    const said: string[] = [];
    const a = createLogger({ exitFlush: false, diagnostics: (m) => said.push(`A ${m}`), transports: [stream] });
    const b = createLogger({ exitFlush: false, diagnostics: (m) => said.push(`B ${m}`), transports: [stream] });
    a.info('from-A');
    await a.flush();
    b.info('from-B');
    await b.flush();
    expect(a.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(b.stats()).toMatchObject({ delivered: 0, failed: 1 });
    const id = objectMode ? 'writable#0' : 'stream#0';
    expect(said.filter((m) => m.includes('write threw'))).toEqual([`B ${id}: the stream's write threw: refuse B`]);
  });
});
