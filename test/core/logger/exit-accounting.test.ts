import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';
import { freePort } from '../../setup/free-port.js';

// Ends of a process where records were left neither written nor failed: each child logs to
// files, ends, and prints its loggers' stats from an exit listener added after theirs.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Counts {
  logged: number;
  delivered: number;
  failed: number;
  dropped: number;
  pending: number;
}

interface Ended {
  dir: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stats: Counts[];
}

/** Runs `body` (with `createLogger`, `writeSync` and `DIR` in scope) in a child, file size and time bounded. */
function run(body: string, fileBlocks = 8192): Ended {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-exit-accounting-'));
  dirs.push(dir);
  const script = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
    import { writeSync } from 'node:fs';
    const DIR = ${JSON.stringify(dir)};
    const printAtExit = (log) => process.on('exit', () => writeSync(1, JSON.stringify(log.stats()) + '\\n'));
    ${body}`;
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -f ${fileBlocks} && exec "$0" --input-type=module -e "$1"`, process.execPath, script],
    {
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    },
  );
  const stats = result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Counts);
  return { dir, status: result.status, signal: result.signal, stderr: result.stderr, stats };
}

function lines(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('every record accounted at the end of the process', () => {
  it('process.exit() right after logging through a buffered file target: every line written', () => {
    const { dir, status, stderr, stats } = run(`
      const target = { type: 'file', path: DIR + '/app.log' };
      const log = createLogger({ base: null, transports: [{ type: 'buffered', batch: { intervalMs: 5000 }, target }] });
      printAtExit(log);
      for (let i = 0; i < 20000; i++) log.info({ i, pad: 'x'.repeat(50) }, 'line');
      process.exit(0);`);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    const written = lines(join(dir, 'app.log'));
    expect(written.map((l) => l.i)).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({ logged: 20000, delivered: 20000, failed: 0, dropped: 0, pending: 0 });
  });

  it("a logger made in an 'exit' listener writes its lines before the process ends", () => {
    const { dir, status, stderr, stats } = run(`
      const log = createLogger({ base: null, transports: [{ type: 'file', path: DIR + '/app.log' }] });
      log.info('main');
      process.on('exit', () => {
        const late = createLogger({ base: null, transports: [{ type: 'file', path: DIR + '/late.log' }] });
        for (let i = 0; i < 100; i++) late.info({ i }, 'from the exit listener');
        writeSync(1, JSON.stringify(late.stats()) + '\\n');
      });
      process.exit(0);`);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(lines(join(dir, 'app.log'))).toHaveLength(1);
    expect(lines(join(dir, 'late.log')).map((l) => l.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(stats[0]).toMatchObject({ logged: 100, delivered: 100, pending: 0 });
  });

  it("a logger made in an 'exit' listener after every other logger closed writes its lines too", () => {
    const { dir, status, stats } = run(`
      const log = createLogger({ base: null, transports: [{ type: 'file', path: DIR + '/app.log' }] });
      log.info('main');
      process.on('exit', () => {
        log.close();
        const late = createLogger({ base: null, transports: [{ type: 'file', path: DIR + '/late.log' }] });
        for (let i = 0; i < 100; i++) late.info({ i }, 'from the exit listener');
        writeSync(1, JSON.stringify(late.stats()) + '\\n');
      });
      process.exit(0);`);
    expect(status).toBe(0);
    expect(lines(join(dir, 'late.log'))).toHaveLength(100);
    expect(stats[0]).toMatchObject({ logged: 100, delivered: 100, pending: 0 });
  });

  it.each([
    ['process.exit()', 'process.exit(0);'],
    ['the script returning', ''],
  ])("the first logger made in an 'exit' listener writes its lines too, after %s", (_end, end) => {
    const { dir, status, stats } = run(`
      process.on('exit', () => {
        const late = createLogger({ base: null, transports: [{ type: 'file', path: DIR + '/late.log' }] });
        for (let i = 0; i < 100; i++) late.info({ i }, 'from the exit listener');
        writeSync(1, JSON.stringify(late.stats()) + '\\n');
      });
      ${end}`);
    expect(status).toBe(0);
    // Before, with no logger made before it, its 100 lines stayed buffered: none written, all pending.
    expect(lines(join(dir, 'late.log')).map((l) => l.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(stats[0]).toMatchObject({ logged: 100, delivered: 100, pending: 0 });
  });

  it('process.exit(), 3,000 records held for a dead backend: stderr says all 3,000 failed, in one line', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const { dir, status, stderr, stats } = run(`
      const log = createLogger({ base: null, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, retry: { baseMs: 60000 } }] });
      printAtExit(log);
      for (let i = 0; i < 3000; i++) log.info({ i }, 'line');
      setTimeout(() => process.exit(0), 200);`);
    expect(status).toBe(0);
    expect(stats[0]).toMatchObject({ logged: 3000, delivered: 0, failed: 3000, dropped: 0, pending: 0 });
    expect(lines(join(dir, 'dead.ndjson'))).toHaveLength(3000);
    // Neither a first 1,024 with the rest held back as a repeat, nor the target called unhealthy for our exit.
    expect(stderr).toBe('streamlog: 3000 record(s) failed (http#0: process exited before the records were sent)\n');
  });

  it('close({ timeoutMs }) gives up 3,000 records for a dead backend: stderr says all failed, one line', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const { dir, status, stderr, stats } = run(`
      const log = createLogger({ base: null, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, retry: { baseMs: 60000 } }] });
      for (let i = 0; i < 3000; i++) log.info({ i }, 'line');
      const closed = await log.close({ timeoutMs: 300 });
      writeSync(1, JSON.stringify({ ...log.stats(), closed }) + '\\n');`);
    expect(status).toBe(0);
    expect(stats[0]).toMatchObject({ closed: false, logged: 3000, failed: 3000, pending: 0 });
    expect(lines(join(dir, 'dead.ndjson'))).toHaveLength(3000);
    expect(stderr).toBe('streamlog: 3000 record(s) failed (http#0: not delivered before close() timed out)\n');
  });

  it('a dead letter cut short by a file size limit at exit holds whole lines, and counts only those', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const { dir, stats } = run(
      `const log = createLogger({ base: null, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, retry: { baseMs: 60000 } }] });
      printAtExit(log);
      for (let i = 0; i < 500; i++) log.info({ i, pad: 'p'.repeat(100) }, 'line');
      setTimeout(() => process.exit(0), 200);`,
      64, // 32 KiB: room for about 160 of the 500 lines
    );
    const text = readFileSync(join(dir, 'dead.ndjson'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const written = lines(join(dir, 'dead.ndjson'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(500);
    const counts = stats[0] as Counts & { deadLettered: number; deadLetterFailed: number };
    expect(counts).toMatchObject({ logged: 500, failed: 500, deadLettered: written.length });
    expect(counts.deadLetterFailed).toBe(500 - written.length);
  });

  it('process.exit() with a dead letter that cannot be opened by then: stderr says all 500 unwritten', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const { dir, status, stderr, stats } = run(`
      const { rmSync, writeFileSync } = await import('node:fs');
      const log = createLogger({ base: null, router: { deadLetter: DIR + '/dl/dead.ndjson' },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, retry: { baseMs: 60000 } }] });
      printAtExit(log);
      for (let i = 0; i < 500; i++) log.info({ i }, 'line');
      // Its folder becomes a file after the logger was made: the open fails at the exit.
      rmSync(DIR + '/dl', { recursive: true, force: true });
      writeFileSync(DIR + '/dl', 'not a folder');
      setTimeout(() => process.exit(0), 200);`);
    expect(status).toBe(0);
    expect(stats[0]).toMatchObject({ logged: 500, failed: 500, pending: 0, deadLettered: 0, deadLetterFailed: 500 });
    // Before, "348 record(s) could not be written": the first 64 KiB chunk's, the rest held back as a repeat.
    expect(stderr).toBe(
      `streamlog: 500 record(s) could not be written to the dead-letter file ${join(dir, 'dl', 'dead.ndjson')}: ` +
        `ENOTDIR: not a directory, open '${join(dir, 'dl', 'dead.ndjson')}'\n` +
        'streamlog: 500 record(s) failed (http#0: process exited before the records were sent)\n',
    );
  });

  it('SIGHUP with records held for a dead backend: dies by it, every record failed, dead-lettered', async () => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const { dir, signal, stderr } = run(`
      const log = createLogger({ base: null, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [{ type: 'http', url: ${JSON.stringify(url)}, retry: { baseMs: 60000 } }] });
      for (let i = 0; i < 2000; i++) log.info({ i }, 'line');
      setTimeout(() => process.kill(process.pid, 'SIGHUP'), 200);
      setInterval(() => {}, 1000);`);
    expect(signal).toBe('SIGHUP');
    expect(lines(join(dir, 'dead.ndjson')).map((l) => (l.record as { i: number }).i)).toEqual(
      Array.from({ length: 2000 }, (_, i) => i),
    );
    expect(stderr).toBe('streamlog: 2000 record(s) failed (http#0: process exited before the records were sent)\n');
  });

  it.each([
    ['buffered', 'process.exit()', `setTimeout(() => process.exit(0), 100);`],
    ['buffered', 'the script returning', ''],
    ['validating', 'process.exit()', `setTimeout(() => process.exit(0), 100);`],
  ])('%s around http to a dead backend, then %s: every record failed and dead-lettered', async (type, _end, end) => {
    const url = `http://127.0.0.1:${await freePort()}/ingest`;
    const inner = { type: 'http', url, retry: { baseMs: 60_000 } };
    const entry =
      type === 'buffered'
        ? { type, batch: { intervalMs: 5000 }, target: inner }
        : { type, schema: { type: 'object' }, target: inner };
    const { dir, status, stats } = run(`
      const log = createLogger({ base: null, exitTimeoutMs: 500, diagnostics: false,
        router: { deadLetter: DIR + '/dead.ndjson' }, transports: [${JSON.stringify(entry)}] });
      printAtExit(log);
      for (let i = 0; i < 3000; i++) log.info({ i }, 'line');
      ${end}`);
    expect(status).toBe(0);
    expect(stats[0]).toMatchObject({ logged: 3000, delivered: 0, failed: 3000, dropped: 0, pending: 0 });
    expect(lines(join(dir, 'dead.ndjson'))).toHaveLength(3000);
  });

  it('a deliveryFailed listener that logs, then calls process.exit(): its record is written and counted', () => {
    const { dir, status, stats } = run(`
      const target = { type: 'file', path: DIR + '/app.log' };
      const log = createLogger({ base: null, diagnostics: false, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [{ type: 'validating', schema: { required: ['userId'] }, target }] });
      printAtExit(log);
      log.on('deliveryFailed', () => {
        log.fatal({ userId: 0 }, 'cannot deliver: shutting down');
        process.exit(3);
      });
      log.info('no userId');`);
    expect(status).toBe(3);
    // The listener's record waited for the report to end, which process.exit() never lets happen.
    expect(lines(join(dir, 'app.log')).map((l) => l.msg)).toEqual(['cannot deliver: shutting down']);
    expect(lines(join(dir, 'dead.ndjson')).map((l) => (l.record as { msg: string }).msg)).toEqual(['no userId']);
    expect(stats[0]).toMatchObject({ logged: 2, delivered: 1, failed: 1, pending: 0, deliveries: 1 });
  });

  it("a record an 'exit' listener logs to an asynchronous plugin is failed and dead-lettered, not left pending", () => {
    const { dir, status, stats } = run(`
      const { Transport } = await import(${JSON.stringify(DIST_ESM)});
      // Settles a little later; at the exit it fails what it holds, as plugins are told to.
      class Later extends Transport {
        type = 'later';
        held = [];
        handle(record) {
          this.held.push(record);
          setTimeout(() => this.held.shift() && this.settleDelivered(1), 10);
        }
        giveUpSync(reason) {
          const held = this.held.splice(0);
          if (held.length > 0) this.settleFailed(held, reason);
        }
      }
      const log = createLogger({ base: null, diagnostics: false, router: { deadLetter: DIR + '/dead.ndjson' },
        transports: [new Later()] });
      log.info('before the exit');
      process.on('exit', () => log.info('from an exit listener'));
      printAtExit(log);
      process.exit(0);`);
    expect(status).toBe(0);
    expect(lines(join(dir, 'dead.ndjson')).map((l) => (l.record as { msg: string }).msg)).toEqual([
      'before the exit',
      'from an exit listener',
    ]);
    expect(stats[0]).toMatchObject({ logged: 2, delivered: 0, failed: 2, pending: 0, deadLettered: 2 });
  });
});
