import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import {
  expectAddsUp,
  lastJson,
  lineCount,
  PRINT_AT_EXIT,
  runChild,
  spooledLines,
  tempFolder,
} from '../http/receiver.js';

// A process that ends (SIGTERM, process.exit()) while its RELP session is still opening: the
// receiver accepted the connection and never answers `open`. Nothing was sent, so nothing is
// delivered: the records wait in the spool or fail, dead-lettered, and the process ends.

const servers: Server[] = [];
const sockets: Socket[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A receiver that takes connections and reads, but never answers. */
async function mute(): Promise<{ port: number; opened: () => number }> {
  let opened = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes(' open ')) opened++;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, opened: () => opened };
}

function script(port: number, dir: string, spool: boolean): string {
  const config = {
    base: null,
    exitTimeoutMs: 500,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'syslog',
        protocol: 'relp',
        port,
        connectTimeoutMs: 60_000,
        timeoutMs: 60_000,
        batch: { intervalMs: 10 },
        ...(spool ? { spool: { dir: join(dir, 'spool') } } : {}),
      },
    ],
  };
  return `const log = createLogger(${JSON.stringify(config)});
    ${PRINT_AT_EXIT}
    process.on('SIGUSR2', () => process.exit(3));
    for (let i = 0; i < 10; i++) log.info({ i }, 'session opening');
    writeSync(1, 'ready\\n');
    setInterval(() => {}, 1000);`;
}

async function endWhileOpening(port: number, opened: () => number, text: string, signal: NodeJS.Signals) {
  let kill: ((s: NodeJS.Signals) => void) | undefined;
  const child = runChild(text, {
    timeoutMs: 30_000,
    onStdout: (out, killer) => {
      if (out.includes('ready')) kill = killer;
    },
  });
  for (let i = 0; i < 2000 && (kill === undefined || opened() === 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (kill === undefined || opened() === 0) throw new Error(`the child never opened a session on ${port}`);
  kill(signal);
  return child;
}

describe('relp: the process ends while its session is opening', () => {
  it('process.exit(): the records fail, dead-lettered, none delivered; stats add up', async () => {
    const dir = tempFolder('relp-exit-opening');
    folders.push(dir);
    const { port, opened } = await mute();
    const child = await endWhileOpening(port, opened, script(port, dir, false), 'SIGUSR2');
    expect(child.code).toBe(3);
    const stats = lastJson<LoggerStats>(child.stdout);
    expect(stats).toMatchObject({ logged: 10, delivered: 0, failed: 10, pending: 0 });
    expectAddsUp(stats);
    expect(stats.targets[0]).toMatchObject({ possibleDuplicates: 0 });
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(10);
  }, 40_000);

  it('SIGTERM with a spool: all ten wait on disk, none delivered, none dead-lettered', async () => {
    const dir = tempFolder('relp-sigterm-opening');
    folders.push(dir);
    const { port, opened } = await mute();
    const child = await endWhileOpening(port, opened, script(port, dir, true), 'SIGTERM');
    // The signal is raised again once the records are safe: the process ends by it, no exit event.
    expect(child.signal).toBe('SIGTERM');
    expect(spooledLines(dir)).toBe(10);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);
  }, 40_000);
});
