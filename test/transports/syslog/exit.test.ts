import type { LoggerStats } from '../../../src/index.js';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deadPort,
  expectAddsUp,
  lastJson,
  lineCount,
  PRINT_AT_EXIT,
  runChild,
  spooledLines,
  tempFolder as makeFolder,
} from '../http/receiver.js';
import { type Parsed, Rsyslog, RSYSLOGD, sharedRsyslog, waitForMessages } from './rsyslog.js';

// Every way a process ends with records held by a syslog target: each record reaches
// rsyslog, waits in the spool for the next start, or fails counted (and dead-lettered).
// Children are real processes; rsyslogd is real.

const servers: Rsyslog[] = [];
const folders: string[] = [];

function tempFolder(name: string): string {
  const dir = makeFolder(name);
  folders.push(dir);
  return dir;
}

const stalls: { server: Server; sockets: Socket[] }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const { server, sockets } of stalls.splice(0)) {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A config with one syslog target (and a dead letter), as JSON for a child's script. */
function config(port: number, dir: string, extra: Record<string, unknown> = {}, spool = true): string {
  return JSON.stringify({
    base: null,
    exitTimeoutMs: 2000,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'syslog',
        port,
        appName: 'exit',
        ...(spool ? { spool: { dir: join(dir, 'spool') } } : {}),
        batch: { intervalMs: 20 },
        retry: { baseMs: 20, maxMs: 100, maxAttempts: 1000 },
        ...extra,
      },
    ],
  });
}

describe.skipIf(RSYSLOGD === undefined)('SIGTERM with rsyslog down', () => {
  it('with a spool: all 1,000 wait on disk, counted; the next start delivers them to rsyslog', async () => {
    const dir = tempFolder('syslog-sigterm');
    const server = await Rsyslog.create(join(dir, 'rsyslog'));
    servers.push(server);
    const child = await runChild(
      `const log = createLogger(${config(server.ports.tcp, dir)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'before the orchestrator stops us');
       setTimeout(() => writeSync(1, 'ready\\n'), 300);
       setInterval(() => {}, 1000);`,
      { onStdout: (out, kill) => out.includes('ready') && kill('SIGTERM') },
    );
    expect(child.signal).toBe('SIGTERM');
    expect(child.stderr).toBe('');
    // It died by the signal (no 'exit' listener runs then): the spool and dead letter tell.
    expect(spooledLines(dir)).toBe(1000);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);

    // rsyslog comes back at the same address: the next start sends what waited.
    await server.start();
    const next = await runChild(
      `const log = createLogger(${config(server.ports.tcp, dir)});
       while (log.stats().targets[0].replayed < 1000) await new Promise((r) => setTimeout(r, 50));
       await log.close();`,
      { timeoutMs: 30_000 },
    );
    expect(next.stderr).toBe('');
    const got = await waitForMessages(server.output, (m) => m.appname === 'exit', 1000);
    expect(new Set(got.map((m) => (JSON.parse(m.msg) as { i: number }).i)).size).toBe(1000);
    expect(spooledLines(dir)).toBe(0);
  }, 60_000);

  it('without a spool: all 1,000 fail, counted, and reach the dead letter', async () => {
    const dir = tempFolder('syslog-sigterm-nospool');
    const child = await runChild(
      `const log = createLogger(${config(await deadPort(), dir, {}, false)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'before the orchestrator stops us');
       setTimeout(() => writeSync(1, 'ready\\n'), 300);
       setInterval(() => {}, 1000);`,
      { onStdout: (out, kill) => out.includes('ready') && kill('SIGTERM') },
    );
    expect(child.signal).toBe('SIGTERM');
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(1000);
  }, 30_000);

  it('process.exit() with a spool: all 1,000 wait on disk', async () => {
    const dir = tempFolder('syslog-exit-call');
    const child = await runChild(
      `const log = createLogger(${config(await deadPort(), dir)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'then exit()');
       setTimeout(() => process.exit(3), 200);`,
    );
    expect(child.code).toBe(3);
    const stats = lastJson<LoggerStats>(child.stdout);
    expect(stats).toMatchObject({ logged: 1000, delivered: 0, failed: 0, pending: 1000 });
    expect(stats.targets[0]).toMatchObject({ parked: 1000 });
    expectAddsUp(stats);
    expect(spooledLines(dir)).toBe(1000);
  }, 30_000);
});

describe('close({ timeoutMs }) never hangs', () => {
  it('a TLS receiver that never finishes the handshake: close resolves false in time, all 1,000 failed', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stalls.push({ server, sockets });
    const { port } = server.address() as { port: number };
    const dir = tempFolder('syslog-close-stall');
    const child = await runChild(
      `const log = createLogger(${config(port, dir, { protocol: 'tls', connectTimeoutMs: 60_000 }, false)});
       for (let i = 0; i < 1000; i++) log.info({ i }, 'held by a stalled handshake');
       await new Promise((r) => setTimeout(r, 200));
       const started = Date.now();
       const closed = await log.close({ timeoutMs: 500 });
       writeSync(1, JSON.stringify({ closed, ms: Date.now() - started, stats: log.stats() }) + '\\n');`,
      { timeoutMs: 20_000 },
    );
    // The failure is said once on stderr (no diagnostics handler in the child), and only that.
    expect(child.stderr).toMatch(
      /^streamlog: 1000 record\(s\) failed \(syslog#0: not delivered before close\(\) timed out\)\n$/,
    );
    expect(child.code).toBe(0);
    const { closed, stats } = lastJson<{ closed: boolean; ms: number; stats: LoggerStats }>(child.stdout);
    // Not a timing assertion: the child's own 20 s timeout is what a hang would hit.
    expect(closed).toBe(false);
    expect(stats).toMatchObject({ logged: 1000, delivered: 0, failed: 1000, pending: 0 });
    expectAddsUp(stats);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(1000);
  }, 30_000);
});

/** A receiver that takes connections and reads `bytesPerTick` every 100 ms (0: never reads). */
async function slowReceiver(bytesPerTick: number): Promise<{ port: number; received: () => string }> {
  const sockets: Socket[] = [];
  const pieces: Buffer[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.pause();
    if (bytesPerTick === 0) return;
    const timer = setInterval(() => {
      const piece = socket.read(Math.min(bytesPerTick, socket.readableLength)) as Buffer | null;
      if (piece !== null) pieces.push(piece);
    }, 100);
    socket.on('close', () => clearInterval(timer));
    socket.on('end', () => {
      for (let piece = socket.read() as Buffer | null; piece !== null; piece = socket.read() as Buffer | null) {
        pieces.push(piece);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stalls.push({ server, sockets });
  return { port: (server.address() as { port: number }).port, received: () => Buffer.concat(pieces).toString() };
}

// A write the receiver does not read stayed pending in libuv, and that kept the event loop alive
// on an unref'd socket: the script's end was not seen until the attempt's timeoutMs (here 10
// minutes) aborted it. Enough is logged to fill the kernel's buffers on both sides (about 6 MB).
describe('a script that returns while the receiver reads slowly or not at all', () => {
  const options = (port: number, dir: string, exitTimeoutMs: number): string =>
    JSON.stringify({ ...JSON.parse(config(port, dir, { timeoutMs: 600_000 }, false)), exitTimeoutMs });
  const script = (port: number, dir: string, records: number, exitTimeoutMs = 2000) =>
    `const log = createLogger(${options(port, dir, exitTimeoutMs)});
     ${PRINT_AT_EXIT}
     const pad = 'p'.repeat(1000);
     for (let i = 0; i < ${records}; i++) log.info({ i, pad }, 'at the end of the script');`;

  it('a receiver that stopped reading: the exit path bounds the wait, what was not sent fails', async () => {
    const { port } = await slowReceiver(0);
    const dir = tempFolder('syslog-return-stalled');
    const child = await runChild(script(port, dir, 20_000), { timeoutMs: 30_000, killSignal: 'SIGKILL' });
    // Not a timing assertion: the child's own 30 s timeout is what a wait for timeoutMs would hit.
    expect(child.signal).toBeNull();
    expect(child.code).toBe(0);
    const failure = /^streamlog: \d+ record\(s\) failed \(syslog#0: not sent within exitTimeoutMs \(2000 ms\) as the/;
    expect(child.stderr).toMatch(new RegExp(`${failure.source} process ended\\)\\n$`));
    const stats = lastJson<LoggerStats>(child.stdout);
    expectAddsUp(stats);
    expect(stats.pending).toBe(0);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.delivered + stats.failed).toBe(20_000);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(stats.failed);
  }, 40_000);

  it('while the application still has work (a timer), records wait; then the exit path decides', async () => {
    const { port } = await slowReceiver(0);
    const dir = tempFolder('syslog-return-busy');
    const child = await runChild(
      `${script(port, dir, 20_000)}
       setTimeout(() => writeSync(1, JSON.stringify(log.stats()) + '\\n'), 2000);`,
      { timeoutMs: 30_000, killSignal: 'SIGKILL' },
    );
    expect(child.code).toBe(0);
    const [busy, atExit] = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LoggerStats);
    // Two seconds of a receiver that reads nothing while the timer ran: held, nothing failed.
    expect(busy!.pending).toBeGreaterThan(0);
    expect(busy!.failed).toBe(0);
    expect(atExit!.failed).toBeGreaterThan(0);
    expect(atExit!.delivered + atExit!.failed).toBe(20_000);
    expectAddsUp(atExit!);
  }, 40_000);

  it('a receiver that reads slowly is waited for within exitTimeoutMs: every record arrives, once', async () => {
    const receiver = await slowReceiver(256 * 1024);
    const dir = tempFolder('syslog-return-slow');
    const child = await runChild(script(receiver.port, dir, 10_000, 25_000), {
      timeoutMs: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(child.code).toBe(0);
    expect(child.stderr).toBe('');
    const stats = lastJson<LoggerStats>(child.stdout);
    expect(stats).toMatchObject({ logged: 10_000, delivered: 10_000, failed: 0, pending: 0, possibleDuplicates: 0 });
    const arrived = () => receiver.received().match(/at the end of the script/g)?.length;
    await expect.poll(arrived, { timeout: 20_000 }).toBe(10_000);
  }, 40_000);
});

const shared = sharedRsyslog();

describe.skipIf(shared === undefined)('a script that returns with rsyslog up', () => {
  it('every record arrives: the exit path sends what the unref’d socket holds', async () => {
    const app = `ret-${randomUUID().slice(0, 8)}`;
    const dir = tempFolder('syslog-return');
    const child = await runChild(
      `const log = createLogger(${config(shared!.tcp, dir, { appName: app }, false)});
       ${PRINT_AT_EXIT}
       for (let i = 0; i < 1000; i++) log.info({ i }, 'and the script ends');`,
    );
    expect(child.code).toBe(0);
    expect(child.stderr).toBe('');
    expect(lastJson<LoggerStats>(child.stdout)).toMatchObject({ logged: 1000, delivered: 1000, pending: 0 });
    const got = await waitForMessages(shared!.output, (m: Parsed) => m.appname === app, 1000);
    expect(got).toHaveLength(1000);
  }, 30_000);
});
