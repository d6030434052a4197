import type { LoggerStats } from '../../../src/index.js';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIST_ESM, ROOT, requireBuild } from '../../built.js';
import {
  type CountingReceiver,
  countingReceiver,
  lastJson,
  PRINT_AT_EXIT,
  runChild,
  spooledLines,
  tempFolder,
} from '../../transports/http/receiver.js';

// Edges of the exit path found by attacking it (F1–F8 of the commit that fixed them): a
// user's listener that throws or exits, a signal listener removed long ago, work after a
// script's end, a stale lock taken over by many at once, a wall clock that jumps, and a
// rejection the application handles. Children are real processes against the build.

const receivers: CountingReceiver[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function receiver(mode: 'ok' | 'down' | 'stall'): Promise<CountingReceiver> {
  const r = await countingReceiver(mode);
  receivers.push(r);
  return r;
}

/** A receiver that answers every request with `status` (a 400 is bisected down to single records). */
async function answering(status: number): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
}

function folder(name: string): string {
  return tempFolder(`edges-${name}`);
}

/** What a child prints: the logger's stats, as JSON. */
type Counts = LoggerStats;

/** A logger config with one http target and a dead letter, for a child's script (a JS object literal). */
function config(url: string, dir: string, extra: Record<string, unknown> = {}, spool = false): string {
  return JSON.stringify({
    base: null,
    exitTimeoutMs: 2000,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'http',
        url,
        ...(spool ? { spool: { dir: join(dir, 'spool') } } : {}),
        batch: { intervalMs: 20, maxRecords: 100 },
        retry: { baseMs: 10, maxMs: 20, maxAttempts: 2 },
        timeoutMs: 10_000,
        ...extra,
      },
    ],
  });
}

/** Stats printed from an 'exit' listener added after the logger's, so they show the end state. */
/** The distinct `i` of the records in the dead letter. */
function deadIds(dir: string): Set<number> {
  const path = join(dir, 'dead.ndjson');
  if (!existsSync(path)) return new Set();
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return new Set(lines.map((line) => (JSON.parse(line) as { record: { i: number } }).record.i));
}

describe("F1: a transport's own deliveryFailed listener that throws", () => {
  it.each([
    ['503, retry maxAttempts 1', 'down'],
    ['400, bisected to single records', 400],
  ] as const)('failures at an http target (%s) are still counted failed and dead-lettered', async (_name, answer) => {
    const url = answer === 'down' ? (await receiver('down')).url : await answering(answer);
    const dir = folder('listener-throws');
    const child = await runChild(
      `const log = createLogger(${config(url, dir, { retry: { baseMs: 10, maxMs: 20, maxAttempts: 1 } })});
       log.transports[0].on('deliveryFailed', () => { throw new Error('buggy listener'); });
       for (let i = 0; i < 50; i++) log.info({ i }, 'refused');
       await log.close({ timeoutMs: 5000 });
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(0);
    const stats = lastJson<Counts>(child.stdout);
    // Before the fix: the throw kept the router from hearing, so all 50 counted delivered, none dead-lettered.
    expect(stats).toMatchObject({ logged: 50, delivered: 0, failed: 50, pending: 0, deadLettered: 50 });
    expect(stats.targets[0]).toMatchObject({ delivered: 0, failed: 50 });
    expect(deadIds(dir).size).toBe(50);
  });

  it('one that calls process.exit() once: every record is failed at the logger level and dead-lettered', async () => {
    const down = await receiver('down');
    const dir = folder('listener-exits');
    const child = await runChild(
      `const log = createLogger(${config(down.url, dir)});
       ${PRINT_AT_EXIT}
       let exiting = false;
       log.transports[0].on('deliveryFailed', () => { if (!exiting) { exiting = true; process.exit(3); } });
       for (let i = 0; i < 1000; i++) log.info({ i }, 'refused');
       setInterval(() => {}, 1000);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(3);
    const stats = lastJson<Counts>(child.stdout);
    // Before the fix: the first batch (100) counted delivered at the logger level, and missing from the dead letter.
    expect(stats).toMatchObject({ logged: 1000, delivered: 0, failed: 1000, pending: 0, deadLettered: 1000 });
    expect(deadIds(dir).size).toBe(1000);
  });
});

describe('F2: process.exit() from user code that hears of a failure', () => {
  it("from a logger 'deliveryFailed' listener: all 1,000 failed records reach the dead letter", async () => {
    const down = await receiver('down');
    const dir = folder('exit-deliveryfailed');
    const child = await runChild(
      `const log = createLogger(${config(down.url, dir)});
       ${PRINT_AT_EXIT}
       let exiting = false;
       log.on('deliveryFailed', () => { if (!exiting) { exiting = true; process.exit(3); } });
       for (let i = 0; i < 1000; i++) log.info({ i }, 'refused');
       setInterval(() => {}, 1000);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(3);
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 1000, failed: 1000, deadLettered: 1000 });
    // Before the fix: the rest of the first batch (records 1–99) was never dead-lettered.
    expect(deadIds(dir).size).toBe(1000);
  });

  it("from the diagnostics callback ('delivery stopped', continueOnError false): all are dead-lettered", async () => {
    const down = await receiver('down');
    const dir = folder('exit-diagnostic');
    const options = JSON.parse(config(down.url, dir)) as { router: Record<string, unknown> };
    options.router.continueOnError = false;
    const child = await runChild(
      `let exiting = false;
       const log = createLogger({ ...${JSON.stringify(options)},
         diagnostics: () => { if (!exiting) { exiting = true; process.exit(4); } } });
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'refused');
       setInterval(() => {}, 1000);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(4);
    const stats = lastJson<Counts>(child.stdout);
    expect(stats.failed).toBeGreaterThanOrEqual(100);
    // Before the fix: the diagnostic came after the first record's dead letter, so the rest of its batch was lost.
    expect(deadIds(dir).size).toBe(stats.failed);
    expect(stats.deadLettered).toBe(stats.failed);
  });

  // User code that exits on every call exits again from inside the exit path, where Node ends the process
  // at once (no more 'exit' listeners). On 97c6c83 dead letters still buffered then (the DeadLetterFile
  // gathers up to 64 KB before one write) were lost: about 770 of 1,000 reached the file from a logger
  // listener or diagnostics, none from a transport listener. Now every decided failure is on disk first.
  it.each([
    ["a logger 'deliveryFailed' listener", `log.on('deliveryFailed', () => process.exit(3));`],
    ['a diagnostics callback', `log.on('diagnostic', () => process.exit(3));`],
    ["a transport's own 'deliveryFailed' listener", `log.transports[0].on('deliveryFailed', () => process.exit(3));`],
  ])('process.exit() on every call from %s: all 1,000 failed records reach the dead letter', async (_name, hook) => {
    const down = await receiver('down');
    const dir = folder('exit-every-call');
    const child = await runChild(
      `const log = createLogger(${config(down.url, dir)});
       ${hook}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'refused');
       setInterval(() => {}, 1000);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(3);
    expect(deadIds(dir).size).toBe(1000);
  });
});

// process.exit() from a listener that hears of a failure inside the exit path ends the process
// at once. Listeners were told as each target's records failed, so the targets and loggers
// after the first failing one were never through their exit: found by attacking the exit path,
// 900 of 1,000 records of a second target, and all 1,000 of a second logger, were neither
// dead-lettered nor reported. Now every logger is through before any listener hears of it.
describe('F2b: a listener that exits inside the exit path, with more targets and loggers to go', () => {
  function target(id: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { id, type: 'http', url, batch: { intervalMs: 20, maxRecords: 100 }, timeoutMs: 60_000, ...extra };
  }

  it('one logger: the target after the failing one has all its records dead-lettered too', async () => {
    const [down, stall] = [await receiver('down'), await receiver('stall')];
    const dir = folder('exit-listener-targets');
    const options = {
      base: null,
      router: { strategy: 'all', deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
      transports: [target('alerts', down.url, { level: 'warn', retry: { maxAttempts: 1 } }), target('main', stall.url)],
    };
    const child = await runChild(
      `const log = createLogger(${JSON.stringify(options)});
       // Node runs no 'exit' listener after this one exits: the stats are printed here.
       log.on('deliveryFailed', () => { writeSync(1, JSON.stringify(log.stats()) + '\\n'); process.exit(3); });
       for (let i = 0; i < 1000; i++) i % 10 === 0 ? log.warn({ i }, 'w') : log.info({ i }, 'i');
       process.exit(0);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(3);
    expect(deadIds(dir).size).toBe(1000);
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 1000, failed: 1000, deadLettered: 1000 });
  });

  it('a listener that logs for each failure at exit is told once, as at run time: its record is quiet', async () => {
    // Held, the event ran after the report that marks what its listener logs as quiet: the
    // listener was told of its own record's failure too, and logged again (a review found it).
    const dir = folder('exit-listener-quiet');
    const child = await runChild(
      `const { Writable } = await import('node:stream');
       const stalled = new Writable({ objectMode: true, write() {} });
       const log = createLogger({ base: null, router: { deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))} },
         transports: [stalled] });
       let heard = 0;
       log.on('deliveryFailed', () => { heard++; log.warn({ i: 1 }, 'listener saw a failure'); });
       process.on('exit', () => writeSync(1, JSON.stringify({ heard, ...log.stats() }) + '\\n'));
       log.info({ i: 0 }, 'first');
       setTimeout(() => process.exit(0), 50);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(0);
    expect(lastJson<Counts & { heard: number }>(child.stdout)).toMatchObject({ heard: 1, logged: 2, failed: 2 });
    expect(deadIds(dir)).toEqual(new Set([0, 1]));
  });

  it('two loggers: the second logger has all its records dead-lettered and counted', async () => {
    const [down, stall] = [await receiver('down'), await receiver('stall')];
    const [dirA, dirB] = [folder('exit-listener-a'), folder('exit-listener-b')];
    const options = (dir: string, url: string) => ({
      base: null,
      router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
      transports: [target('only', url, { retry: { maxAttempts: 1 } })],
    });
    const child = await runChild(
      `const a = createLogger(${JSON.stringify(options(dirA, down.url))});
       const log = createLogger(${JSON.stringify(options(dirB, stall.url))});
       a.on('deliveryFailed', () => { writeSync(1, JSON.stringify(log.stats()) + '\\n'); process.exit(3); });
       for (let i = 0; i < 1000; i++) { a.info({ i }, 'a'); log.info({ i }, 'b'); }
       process.exit(0);`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(3);
    expect(deadIds(dirA).size).toBe(1000);
    expect(deadIds(dirB).size).toBe(1000);
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 1000, failed: 1000, deadLettered: 1000 });
  });
});

/**
 * A child that runs `body` against the build and is sent `signal` once it prints 'ready'.
 * It ends itself with code 7 after 4 s, so a signal it ignores shows as that, never as a hang.
 */
function signalled(body: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> {
  requireBuild();
  const source = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
    import { writeSync } from 'node:fs';
    setTimeout(() => process.exit(7), 4000);
    ${body}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      cwd: ROOT,
      timeout: 15_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && stdout.includes('ready')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code, signalled) => resolve({ code, signal: signalled }));
  });
}

const CONSOLE_LOGGER = `const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });`;

describe('F3: signals and application listeners', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s ends the process when the app removed its own listener long before',
    async (signal) => {
      const result = await signalled(
        `${CONSOLE_LOGGER}
       const listener = () => {};
       process.on('${signal}', listener);
       process.off('${signal}', listener);
       log.info('up');
       setTimeout(() => writeSync(1, 'ready\\n'), 100);
       setInterval(() => {}, 1000);`,
        signal,
      );
      // Before the fix: any listener ever added counted as the app handling the signal: it lived on (code 7).
      expect(result).toEqual({ code: null, signal });
    },
  );

  it("after a listener removed long before, an app's process.once('SIGTERM') runs its async shutdown", async () => {
    // Not a duplicate of exit-hooks.test.ts (a once handler alone): the removal must not make streamlog kill it.
    const result = await signalled(
      `const removed = () => {};
       process.on('SIGTERM', removed);
       process.off('SIGTERM', removed);
       await new Promise((resolve) => setTimeout(resolve, 100));
       process.once('SIGTERM', async () => {
         await new Promise((resolve) => setTimeout(resolve, 200));
         log.info('graceful shutdown done');
         await log.close();
         process.exit(0);
       });
       ${CONSOLE_LOGGER}
       writeSync(1, 'ready\\n');
       setInterval(() => {}, 1000);`,
      'SIGTERM',
    );
    expect(result).toEqual({ code: 0, signal: null });
  });
});

describe('a signal that comes during the last synchronous step of a script', () => {
  // Our listener replaced Node's default (terminate), and a listener only runs when the event loop
  // polls; an empty loop does not, so Node ended the process with code 0, the signal unheard: a job
  // its supervisor stopped reported success. The child spins until the parent has sent the signal.
  it.each([
    ['SIGTERM', `{ type: 'file', path: join(tmpdir(), 'streamlog-last-step-' + process.pid + '.log') }`],
    ['SIGINT', `{ type: 'console' }`],
  ] as const)('%s still ends the process by it', async (signal, target) => {
    requireBuild();
    const marker = join(folder('last-step'), 'signal-sent');
    const source = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
      import { existsSync, writeSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join } from 'node:path';
      const log = createLogger({ transports: [${target}] });
      log.info('job start');
      writeSync(1, 'ready\\n');
      const until = Date.now() + 10_000;
      while (!existsSync(${JSON.stringify(marker)}) && Date.now() < until);
      log.info('job done');`;
    const result = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
        cwd: ROOT,
        timeout: 20_000,
        killSignal: 'SIGKILL',
      });
      child.stdout.on('data', (d: Buffer) => {
        if (!d.toString().includes('ready')) return;
        child.kill(signal);
        writeFileSync(marker, '');
      });
      child.on('close', (code, signalled) => resolve({ code, signal: signalled }));
    });
    expect(result).toEqual({ code: null, signal });
  });
});

describe('two installed copies of streamlog in one process (two versions, a library of its own)', () => {
  /** A second copy of the built package, as another install would be, for a child to load. */
  function secondCopy(): string {
    const dir = folder('second-copy');
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    return join(dir, 'dist', 'esm', 'index.js');
  }

  it('SIGTERM still ends the process by it (each copy took the other for the application)', async () => {
    requireBuild();
    const other = secondCopy();
    const result = await signalled(
      `const second = await import(${JSON.stringify(other)});
       ${CONSOLE_LOGGER}
       const log2 = second.createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
       log.info('one');
       log2.info('two');
       writeSync(1, 'ready\\n');
       setInterval(() => {}, 1000);`,
      'SIGTERM',
    );
    expect(result).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('a script that returns ends (the copies took turns asking for one more turn of the loop, for ever)', () => {
    requireBuild();
    const other = secondCopy();
    const source = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'console' }] });
      let once = false;
      process.on('beforeExit', () => {
        if (once) return;
        once = true;
        setTimeout(async () => (await import(${JSON.stringify(other)})).createLogger({}).info('final report'), 10);
      });
      log.info('work done');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('final report');
  });
});

describe("the application's own beforeExit listener", () => {
  it('runs once, as without a logger (the turn taken to read a late signal made Node call it twice)', () => {
    requireBuild();
    const source = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
      import { closeSync, openSync, writeSync } from 'node:fs';
      const log = createLogger({ transports: [{ type: 'console' }] });
      const fd = openSync('/dev/null', 'w');
      process.on('beforeExit', () => {
        writeSync(2, 'beforeExit\\n');
        closeSync(fd);
      });
      log.info('work done');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { encoding: 'utf8' });
    expect(result.stderr).toBe('beforeExit\n');
    expect(result.status).toBe(0);
  });
});

describe("F4: work after a script's end", () => {
  it('an app beforeExit handler logs on: a spooled http target retries again, all delivered there', async () => {
    const rx = await receiver('ok');
    const dir = folder('beforeexit-continue');
    let phase2 = false;
    const child = await runChild(
      `const log = createLogger(${config(rx.url, dir, { retry: { baseMs: 20, maxMs: 100 } }, true)});
       ${PRINT_AT_EXIT}
       let round = 0;
       process.on('beforeExit', () => {
         if (round++ > 0) return;
         writeSync(1, 'phase 2\\n');
         let i = 100;
         const more = setInterval(() => {
           for (let k = 0; k < 10; k++) log.info({ i: i++ }, 'phase 2');
           if (i >= 300) clearInterval(more);
         }, 100);
         setTimeout(() => {}, 3000);
       });
       for (let i = 0; i < 100; i++) log.info({ i }, 'phase 1');`,
      {
        timeoutMs: 20_000,
        onStdout: (out) => {
          if (phase2 || !out.includes('phase 2')) return;
          phase2 = true;
          // The receiver is down for 600 ms while phase 2 logs.
          setTimeout(() => {
            rx.mode = 'down';
          }, 300);
          setTimeout(() => {
            rx.mode = 'ok';
          }, 900);
        },
      },
    );
    expect(child.code).toBe(0);
    const stats = lastJson<Counts>(child.stdout);
    // Before the fix: the first beforeExit left the transport in close mode: failures parked, never replayed.
    expect(stats).toMatchObject({ logged: 300, delivered: 300, failed: 0, pending: 0 });
    expect(stats.pendingDetail.spooled).toBe(0);
    expect(rx.distinct()).toBe(300);
    expect(spooledLines(dir)).toBe(0);
  });
});

describe("F4b: a record logged by the application's beforeExit listener added after the logger's", () => {
  it('each of the 5 reaches a live receiver, none failed as if the process had exited under it', async () => {
    const rx = await receiver('ok');
    const dir = folder('beforeexit-after');
    const child = await runChild(
      `const log = createLogger(${config(rx.url, dir)});
       ${PRINT_AT_EXIT}
       let n = 0;
       // Added after the logger's own: it runs once the logger has looked for work.
       process.on('beforeExit', () => { if (n < 5) log.info({ i: n++ }, 'from beforeExit'); });
       log.info({ i: 100 }, 'main');`,
    );
    expect(child.code).toBe(0);
    // Before, the second record (i 1) waited in the transport with nothing keeping the process
    // alive: Node ended it, and the record failed ("process exited before the records were sent").
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 6, delivered: 6, failed: 0, pending: 0 });
    expect(rx.distinct()).toBe(6);
    expect(deadIds(dir).size).toBe(0);
  });
});

describe('F4c: an uncaught exception while close() is under way', () => {
  it('is logged as fatal to the transports still open, not dropped as a record after close()', async () => {
    const rx = await receiver('stall');
    const dir = folder('crash-while-closing');
    const file = join(dir, 'app.log');
    const both = JSON.parse(config(rx.url, dir)) as { transports: unknown[] };
    both.transports.push({ type: 'file', path: file });
    const child = await runChild(
      `const log = createLogger(${JSON.stringify(both)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 10; i++) log.info({ i }, 'before');
       // The close waits for the stalled receiver; the crash comes meanwhile.
       void log.close();
       setTimeout(() => { throw new Error('crash during shutdown'); }, 100);`,
    );
    expect(child.code).toBe(1);
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Before, the fatal record was counted in droppedAfterClose and written nowhere.
    expect(lines.at(-1)).toMatchObject({
      level: 60,
      msg: 'uncaught exception',
      err: { message: 'crash during shutdown' },
    });
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 11, pending: 0, droppedAfterClose: 0 });
    // The ten and the crash's record (no i), which the stalled receiver never took.
    expect(deadIds(dir)).toEqual(new Set([...Array.from({ length: 10 }, (_, i) => i), undefined]));
  });
});

describe('F5: a stale pid lock taken over by another process at the same time', () => {
  const PID_LOCK = join(dirname(DIST_ESM), 'core', 'io', 'pid-lock.js');

  /**
   * One process tries a lock naming a dead pid. With `interleave`, another process (this
   * child's parent, alive) takes the stale lock over just between our check and our own
   * take-over: fs.renameSync and fs.unlinkSync of the lock are hooked to do that first.
   */
  function takeOver(interleave: boolean): { got: boolean; owner: string; child: number; parent: number } {
    requireBuild();
    const dir = folder('lock');
    const path = join(dir, 'spool.ndjson.lock');
    writeFileSync(path, String(spawnSync(process.execPath, ['-e', '']).pid)); // a pid that just ended
    const code = `import fs from 'node:fs';
      import { syncBuiltinESMExports } from 'node:module';
      const path = ${JSON.stringify(path)};
      const { openSync, unlinkSync } = fs;
      let done = !${interleave};
      // Another process completes its own takeover (stale lock removed, its lock made) just
      // after we found the lock stale and before we act on it: when we go for the takeover file.
      const otherTakesOver = (target) => {
        if (done || target !== path + '.takeover') return;
        done = true;
        unlinkSync(path);
        fs.writeFileSync(path, String(process.ppid), { flag: 'wx' });
      };
      fs.openSync = (target, ...rest) => { otherTakesOver(target); return openSync(target, ...rest); };
      syncBuiltinESMExports();
      const { tryLock } = await import(${JSON.stringify(PID_LOCK)});
      const got = tryLock(path) !== undefined;
      process.stdout.write(JSON.stringify({ got, owner: fs.readFileSync(path, 'utf8'), child: process.pid,
        parent: process.ppid }));`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { got: boolean; owner: string; child: number; parent: number };
  }

  it('alone, it takes the stale lock over', () => {
    const result = takeOver(false);
    expect(result.got).toBe(true);
    expect(result.owner.split(' ')[0]).toBe(String(result.child));
  });

  it('when another takes it over between our check and ours, the other keeps it and we do not get it', () => {
    const result = takeOver(true);
    // Before the fix (check, remove, create): we removed the other's live lock and made our own: two holders.
    // Now the stale lock is removed only under <lock>.takeover, after checking again there.
    expect(result.got).toBe(false);
    expect(result.owner).toBe(String(result.parent));
  });

  /** One process: waits for a byte on stdin (all are released together), tries the lock, holds it 300 ms. */
  const contender = (path: string) => `
    import { tryLock } from ${JSON.stringify(PID_LOCK)};
    import { readSync, writeSync } from 'node:fs';
    writeSync(1, 'ready\\n');
    const buffer = Buffer.alloc(1);
    for (;;) {
      try { if (readSync(0, buffer, 0, 1, null) > 0) break; }
      catch (error) { if (error.code !== 'EAGAIN') throw error; }
    }
    writeSync(1, (tryLock(${JSON.stringify(path)}) ? 'GOT' : 'no') + '\\n');
    setTimeout(() => {}, 300);`;

  async function round(path: string, processes: number): Promise<string[]> {
    const children = Array.from({ length: processes }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', contender(path)], {
        timeout: 15_000,
        killSignal: 'SIGKILL',
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<string>((resolve) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.stderr.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.on('close', () => resolve(out));
        }),
    );
    const ready = children.map(
      (child) =>
        new Promise<void>((resolve) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('ready')) resolve();
          });
          child.on('close', () => resolve());
        }),
    );
    await Promise.all(ready);
    for (const child of children) child.stdin.write('g');
    return (await Promise.all(outputs)).map((out) => out.replace('ready', '').trim());
  }

  // Opt-in (STREAMLOG_LOCK_STRESS=1). On a9e140e (check, remove, create) about one round in four had two or
  // three holders (23 of 100 rounds), so 8 rounds failed in ~9 runs of 10. Takeovers now run under
  // <lock>.takeover and remove only a lock that is there with a dead owner (a lock gone in the meantime was
  // removed as "dead" after another made it again); test/transports/file/rotation-lock-race.test.ts runs the
  // same race between processes and between threads on every run.
  it.skipIf(!process.env.STREAMLOG_LOCK_STRESS)(
    '12 processes at once against a lock naming a dead pid: exactly one holds it, in every one of 8 rounds',
    async () => {
      requireBuild();
      const dir = folder('lockrace');
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
      const winners: number[] = [];
      for (let r = 0; r < 8; r++) {
        const path = join(dir, `r${r}.ndjson.lock`);
        writeFileSync(path, String(deadPid));
        const answers = await round(path, 12);
        expect(answers.every((a) => a === 'GOT' || a === 'no')).toBe(true);
        winners.push(answers.filter((a) => a === 'GOT').length);
      }
      expect(winners).toEqual(Array(8).fill(1));
    },
    60_000,
  );
});

/** Replaces Date.now in a child before the logger exists; `skew` moves the wall clock. */
const PATCHED_CLOCK = `const realNow = Date.now; let skew = 0; Date.now = () => realNow() + skew;`;

describe('F7: the wall clock jumps', () => {
  it('a year forward while records are in retry: all delivered once the receiver recovers, none given up', async () => {
    const rx = await receiver('down');
    const dir = folder('clock-forward');
    let jumped = false;
    const child = await runChild(
      `${PATCHED_CLOCK}
       const log = createLogger(${config(rx.url, dir, {
         retry: { baseMs: 50, maxMs: 200, maxAttempts: 100, deadlineMs: 60_000 },
       })});
       for (let i = 0; i < 300; i++) log.info({ i }, 'waits out the outage');
       setTimeout(() => { skew = 365 * 24 * 3600e3; writeSync(1, 'jumped\\n'); }, 300);
       const until = performance.now() + 8000;
       const settled = () => log.stats().delivered + log.stats().failed >= 300;
       while (!settled() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
       await log.close({ timeoutMs: 2000 });
       writeSync(1, JSON.stringify(log.stats()) + '\\n');`,
      {
        timeoutMs: 20_000,
        onStdout: (out) => {
          if (jumped || !out.includes('jumped')) return;
          jumped = true;
          setTimeout(() => {
            rx.mode = 'ok';
          }, 300);
        },
      },
    );
    expect(child.code).toBe(0);
    // Before the fix: the retry deadline was measured by the wall clock: every record failed at the jump.
    expect(lastJson<Counts>(child.stdout)).toMatchObject({ logged: 300, delivered: 300, failed: 0, pending: 0 });
    expect(rx.distinct()).toBe(300);
  });

  it('an hour back while the circuit is open: it still probes after its cooldown, and closes again', async () => {
    const rx = await receiver('down');
    const dir = folder('clock-back');
    // One attempt each: the records in flight when the circuit opens fail before the receiver recovers,
    // so only a probe can close it again.
    const retry = { baseMs: 10, maxMs: 20, maxAttempts: 1 };
    const options = JSON.parse(config(rx.url, dir, { batch: { intervalMs: 10, maxRecords: 10 }, retry })) as {
      router: Record<string, unknown>;
    };
    options.router.health = { failureThreshold: 3, cooldownMs: 300 };
    let recovering = false;
    const child = await runChild(
      `${PATCHED_CLOCK}
       const log = createLogger(${JSON.stringify(options)});
       let healthy = false;
       log.on('targetUnhealthy', () => { skew = -3600e3; writeSync(1, 'open, clock set back\\n'); });
       log.on('targetHealthy', () => { healthy = true; });
       let i = 0;
       const steady = setInterval(() => log.info({ i: i++ }, 'steady'), 10);
       const until = performance.now() + 3000;
       while (!healthy && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
       const after = i;
       await new Promise((resolve) => setTimeout(resolve, 200));
       clearInterval(steady);
       await log.close({ timeoutMs: 2000 });
       writeSync(1, JSON.stringify({ healthy, after, ...log.stats() }) + '\\n');`,
      {
        timeoutMs: 20_000,
        onStdout: (out) => {
          if (recovering || !out.includes('clock set back')) return;
          recovering = true;
          setTimeout(() => {
            rx.mode = 'ok';
          }, 150);
        },
      },
    );
    expect(child.code).toBe(0);
    const result = lastJson<Counts & { healthy: boolean; after: number }>(child.stdout);
    // Before the fix: the cooldown was measured by the wall clock: an hour to wait, no probe, the circuit stayed open.
    expect(result.healthy).toBe(true);
    expect(result.targets[0]!.healthy).toBe(true);
    expect(rx.received.filter((i) => i >= result.after).length).toBeGreaterThan(0);
  });
});

describe('F8: an unhandled rejection the application handles', () => {
  it("with an app 'uncaughtException' listener: the process lives on, and no fatal record is logged", () => {
    requireBuild();
    const code = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
      ${CONSOLE_LOGGER}
      process.on('uncaughtException', (error) => log.warn('handled: ' + error.message));
      Promise.reject(new Error('nobody awaits this'));
      setTimeout(() => { log.info('still alive'); process.exit(0); }, 200);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('handled: nobody awaits this');
    expect(result.stdout).toContain('still alive');
    // Before the fix: a fatal "unhandled promise rejection" record, though the process went on.
    expect(result.stdout).not.toContain('"level":60');
    expect(result.stdout).not.toContain('unhandled promise rejection');
  });
});

describe('process.exit() from a listener while a record is handed to its targets', () => {
  // A sync file target reports its write while the record is being handed out; the listener
  // ends the process there. The targets after it must still get that record (they write at
  // exit), as every target gets every record the process logged before it ended.
  it.each([
    ['a sync file before a buffered one', `{ type: 'file', path: A, sync: true }, { type: 'file', path: B }`],
    ['a sync file before a sync one', `{ type: 'file', path: A, sync: true }, { type: 'file', path: B, sync: true }`],
  ])('%s: the record is in both files, counted delivered', async (_name, targets) => {
    const dir = folder('exit-mid-hand');
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    const child = await runChild(
      `const A = ${JSON.stringify(a)}, B = ${JSON.stringify(b)};
       const log = createLogger({ base: null, timestamp: false, transports: [${targets}] });
       ${PRINT_AT_EXIT}
       log.info('before');
       log.transports[0].on('progress', () => process.exit(0));
       log.info('handed');`,
      { timeoutMs: 20_000 },
    );
    expect(child.code).toBe(0);
    const messages = (path: string) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages(a)).toEqual(['before', 'handed']);
    expect(messages(b)).toEqual(['before', 'handed']);
    expect(lastJson<LoggerStats>(child.stdout)).toMatchObject({ logged: 2, delivered: 2, pending: 0 });
  });
});
