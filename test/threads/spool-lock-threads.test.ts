import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by a helper attacking worker threads. Threads share a pid, so a sibling's spool lock
// was judged by its renewal time alone: a worker busy for over three minutes in synchronous
// work (what workers are for) had its live spool file taken by a logger starting in another
// thread, both then writing and replaying one file; and a worker that was terminate()d left its
// spool file to wait three minutes while a new logger in the process took the next name. A lock
// now names its OS thread (Linux: /proc), which is looked up directly.

/**
 * Worker A makes a logger whose http target (a refused port) parks 50 records in its spool, and
 * then waits, blocked, as in a long synchronous task. The main thread either ages A's lock past
 * three minutes (`busy`: as if A had been blocked that long) or terminates A (`terminated`), and
 * makes a logger with the same target. Prints the lock files before and after, and A's end.
 */
const script = (dir: string) => `
  import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
  import { existsSync, readFileSync, readdirSync, utimesSync } from 'node:fs';
  import { createLogger } from ${JSON.stringify(DIST_ESM)};
  const dir = ${JSON.stringify(dir)};
  const http = { type: 'http', url: 'http://127.0.0.1:1/', spool: { dir }, retry: { maxAttempts: 1 } };
  const config = { transports: [http] };
  const locks = () => Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.lock'))
    .map((f) => [f.replace(/^http-[0-9a-f]+/, 'http'), readFileSync(dir + '/' + f, 'utf8')]));
  if (isMainThread) {
    const mode = process.argv[2];
    const blocker = new Int32Array(new SharedArrayBuffer(4));
    const a = new Worker(new URL(import.meta.url), { workerData: { blocker }, argv: [] });
    a.on('error', (error) => { console.error(error); process.exit(3); });
    const spooled = await new Promise((resolve) => a.once('message', resolve));
    const before = locks();
    if (mode === 'busy') {
      const old = new Date(Date.now() - 4 * 60_000);
      for (const f of readdirSync(dir)) if (f.endsWith('.lock')) utimesSync(dir + '/' + f, old, old);
    } else await a.terminate();
    const log = createLogger(config);
    const after = locks();
    Atomics.store(blocker, 0, 1);
    Atomics.notify(blocker, 0);
    if (mode === 'busy') await new Promise((resolve) => a.once('exit', resolve));
    await log.close({ timeoutMs: 5000 });
    process.stdout.write(JSON.stringify({ spooled, before, after, pid: process.pid }));
  } else {
    const log = createLogger(config);
    for (let i = 0; i < 50; i++) log.info({ i }, 'a');
    // Parked records are not settled, so a flush would wait for the refused port: poll instead.
    while (log.stats().pendingDetail.spooled < 50) await new Promise((resolve) => setTimeout(resolve, 10));
    parentPort.postMessage(log.stats().pendingDetail.spooled);
    Atomics.wait(workerData.blocker, 0, 0);
    await log.close({ timeoutMs: 5000 });
  }
`;

interface Outcome {
  spooled: number;
  before: Record<string, string>;
  after: Record<string, string>;
  pid: number;
}

function run(mode: 'busy' | 'terminated'): Outcome {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-thread-spool-'));
  const file = join(dir, 'run.mjs');
  writeFileSync(file, script(join(dir, 'spool')));
  const result = spawnSync(process.execPath, [file, mode], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Outcome;
}

/** The OS thread a lock names (its fourth field, `<tid>/<start>`). */
const thread = (lock: string | undefined) => lock?.split(' ')[3]?.split('/')[0];

describe.runIf(existsSync('/proc/thread-self'))('spool locks of worker threads, one process', () => {
  it('a worker blocked past three minutes without renewing keeps its spool file: another logger takes the next', () => {
    const { spooled, before, after, pid } = run('busy');
    expect(spooled).toBe(50);
    expect(Object.keys(before)).toEqual(['http.ndjson.lock']);
    // Unchanged: still the worker's. Before, the main thread's logger took it over.
    expect(after['http.ndjson.lock']).toBe(before['http.ndjson.lock']);
    expect(thread(after['http.2.ndjson.lock'])).toBe(String(pid));
  });

  it("a terminated worker's spool file is taken over at once by the next logger in the process", () => {
    const { spooled, before, after, pid } = run('terminated');
    expect(spooled).toBe(50);
    expect(thread(before['http.ndjson.lock'])).not.toBe(String(pid));
    // The main thread's now, with the worker's 50 records. Before, it waited three minutes.
    expect(thread(after['http.ndjson.lock'])).toBe(String(pid));
    expect(after['http.2.ndjson.lock']).toBeUndefined();
  });
});
