import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/index.js';
import { MAX_TXNR } from '../../../src/transports/syslog/relp.js';
import { sessionSeam } from '../../../src/transports/syslog/relp-sender.js';
import { answer, type FakeRelp, fakeRelp } from './fake-relp.js';
import { relpLogger as relpTestLogger } from './relp-logger.js';

// protocol relp against hostile receivers and configs: answers cut byte by byte, out of order,
// twice, for txnr 0; frames cut short; sessions never opened or reset at once; two batches on one
// session; windows of 1 and 100,000; a session at the end of its transaction numbers. A record
// counts delivered only on its rsp 200, and stats add up at every 5 ms check.

const servers: FakeRelp[] = [];
const raw: Server[] = [];
const loggers: Logger[] = [];
const folders: string[] = [];
const intervals: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const interval of intervals.splice(0)) clearInterval(interval);
  await Promise.all(loggers.splice(0).map((log) => log.close({ timeoutMs: 1000 })));
  for (const server of servers.splice(0)) server.close();
  for (const server of raw.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function server(onSyslog: Parameters<typeof fakeRelp>[0], open?: string): Promise<FakeRelp> {
  const fake = await fakeRelp(onSyslog, open);
  servers.push(fake);
  return fake;
}

const state = { loggers, intervals, folders };
const relpLogger = (port: number, extra: Record<string, unknown> = {}) =>
  relpTestLogger(state, 'relp-hostile', port, extra);

const indexOf = (message: string) => (JSON.parse(message.slice(message.indexOf('{'))) as { i: number }).i;

async function trickle(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text)) {
    if (socket.destroyed) return;
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('relp hostile: answers', () => {
  it('answers cut byte by byte, out of order: each delivered once on its own 200', async () => {
    const held: { socket: Socket; txnr: number }[] = [];
    const fake = await server(({ socket, txnr }) => {
      held.push({ socket, txnr });
      if (held.length % 5 === 0) {
        const group = held.splice(0).reverse();
        void trickle(socket, group.map((h) => `${h.txnr} rsp 6 200 OK\n`).join(''));
      }
    });
    const { log, addedUp } = relpLogger(fake.port, { relpWindow: 5 });
    for (let i = 0; i < 20; i++) log.info({ i }, 'trickled');
    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, failed: 0, pending: 0 });
    expect(fake.messages).toHaveLength(20);
    addedUp();
  }, 30_000);

  it('an rsp with txnr 0 and an rsp given twice: none delivered twice, none without its 200', async () => {
    const fake = await server(({ socket, txnr, connection }) => {
      socket.write('0 rsp 6 200 OK\n');
      answer(socket, txnr, '200 OK');
      if (connection === 1 && txnr === 3) answer(socket, txnr, '200 OK');
    });
    const { log, addedUp } = relpLogger(fake.port);
    for (let i = 0; i < 6; i++) log.info({ i }, 'twice');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 6, delivered: 6, failed: 0, pending: 0 });
    addedUp();
  }, 30_000);

  it('an rsp 200 followed by garbage in one packet: that record delivered once, not sent again', async () => {
    const fake = await server(({ socket, txnr, connection, seen }) => {
      if (connection === 1 && seen === 5) socket.write(`${txnr} rsp 6 200 OK\nthis is not relp\n`);
      else answer(socket, txnr, '200 OK');
    });
    const { log, diagnostics, addedUp } = relpLogger(fake.port, { batch: { maxRecords: 100, intervalMs: 10 } });
    for (let i = 0; i < 5; i++) log.info({ i }, 'then garbage');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 5, failed: 0, pending: 0 });
    expect(diagnostics.filter((d) => d.includes('not RELP'))).toHaveLength(1);
    // Acknowledged before the garbage: not sent again, not a possible duplicate.
    expect(fake.messages.map(indexOf)).toEqual([0, 1, 2, 3, 4]);
    expect(log.stats().targets[0]).toMatchObject({ possibleDuplicates: 0 });
    addedUp();
  }, 30_000);

  it('a header with a DATALEN beyond what follows, then a close: sent again, delivered once', async () => {
    const fake = await server(({ socket, txnr, connection }) => {
      if (connection === 1) {
        socket.write(`${txnr} rsp 50 200 OK`);
        socket.end();
      } else answer(socket, txnr, '200 OK');
    });
    const { log, addedUp } = relpLogger(fake.port);
    for (let i = 0; i < 3; i++) log.info({ i }, 'short');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 3, failed: 0, pending: 0 });
    addedUp();
  }, 30_000);
});

async function rawServer(onConnection: (socket: Socket) => void): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const sockets: Socket[] = [];
  const srv = createServer((socket) => {
    connections++;
    sockets.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  srv.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  raw.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const origClose = srv.close.bind(srv);
  srv.close = ((cb?: () => void) => {
    for (const socket of sockets) socket.destroy();
    return origClose(cb);
  }) as typeof srv.close;
  return { port: (srv.address() as { port: number }).port, connections: () => connections };
}

describe('relp hostile: sessions', () => {
  it('open never answered: each attempt times out, nothing sent, no possible duplicate', async () => {
    const srv = await rawServer(() => {});
    const { log, reasons, addedUp } = relpLogger(srv.port, {
      connectTimeoutMs: 100,
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 3 },
    });
    for (let i = 0; i < 4; i++) log.info({ i }, 'no open');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 0, failed: 4, pending: 0 });
    expect(reasons()[0]).toMatch(/could not open a RELP session/);
    expect(srv.connections()).toBe(3);
    expect(log.stats().targets[0]).toMatchObject({ possibleDuplicates: 0 });
    addedUp();
  }, 30_000);

  it('a receiver that resets every session at once: one connection per attempt, not a storm', async () => {
    const srv = await rawServer((socket) => socket.resetAndDestroy());
    const { log, addedUp } = relpLogger(srv.port, { retry: { baseMs: 10, maxMs: 20, maxAttempts: 5 } });
    for (let i = 0; i < 4; i++) log.info({ i }, 'reset');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 0, failed: 4, pending: 0 });
    expect(srv.connections()).toBeLessThanOrEqual(5);
    addedUp();
  }, 30_000);

  it('a receiver that resets after the open answer: one connection per attempt, nothing delivered', async () => {
    const fake = await server(({ socket }) => socket.resetAndDestroy());
    const { log, addedUp } = relpLogger(fake.port, { retry: { baseMs: 10, maxMs: 20, maxAttempts: 5 } });
    for (let i = 0; i < 4; i++) log.info({ i }, 'reset');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 4, delivered: 0, failed: 4, pending: 0 });
    expect(fake.connections).toBeLessThanOrEqual(5);
    addedUp();
  }, 30_000);

  it('concurrency 2 on one session: a batch timed out takes the other down; each counted once', async () => {
    const fake = await server(({ socket, txnr, connection, message }) => {
      if (connection === 1 && indexOf(message) < 5) return;
      answer(socket, txnr, '200 OK');
    });
    const { log, addedUp } = relpLogger(fake.port, {
      concurrency: 2,
      timeoutMs: 300,
      batch: { maxRecords: 5, intervalMs: 10 },
    });
    for (let i = 0; i < 20; i++) log.info({ i }, 'shared');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 20, failed: 0, pending: 0 });
    const times = new Map<number, number>();
    for (const m of fake.messages) times.set(indexOf(m), (times.get(indexOf(m)) ?? 0) + 1);
    const twice = [...times.values()].filter((n) => n > 1).length;
    expect(log.stats().targets[0]!.possibleDuplicates).toBe(twice);
    addedUp();
  }, 30_000);
});

describe('relp hostile: windows', () => {
  for (const relpWindow of [1, 100_000]) {
    it(`a window of ${relpWindow} with 50,000 records: each delivered once`, async () => {
      const fake = await server(({ socket, txnr }) => answer(socket, txnr, '200 OK'));
      const { log, addedUp } = relpLogger(fake.port, { relpWindow, batch: { maxRecords: 50_000, intervalMs: 50 } });
      for (let i = 0; i < 50_000; i++) log.info({ i }, 'many');
      expect(await log.flush({ timeoutMs: 60_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 50_000, delivered: 50_000, failed: 0, pending: 0 });
      expect(fake.messages).toHaveLength(50_000);
      addedUp();
    }, 90_000);
  }
});

describe('relp hostile: transaction numbers at their end', () => {
  afterEach(() => {
    sessionSeam.firstTxnr = 2;
  });

  for (const concurrency of [1, 2]) {
    const title = `concurrency ${concurrency}: a session near txnr 999,999,999 closes, the next starts at 1`;
    it(`${title}; none lost or resent`, async () => {
      sessionSeam.firstTxnr = MAX_TXNR - 10;
      const txnrs = { first: MAX_TXNR - 10, broken: 0 };
      const fake = await fakeRelp(({ socket, txnr }) => answer(socket, txnr, '200 OK'), undefined, txnrs);
      servers.push(fake);
      const { log, reasons, addedUp } = relpLogger(fake.port, {
        concurrency,
        relpWindow: 4,
        batch: { maxRecords: 4, intervalMs: 5 },
      });
      for (let i = 0; i < 40; i++) log.info({ i }, 'near the end');
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 40, delivered: 40, failed: 0, pending: 0 });
      expect(reasons()).toEqual([]);
      expect(txnrs.broken).toBe(0);
      expect(fake.messages.map(indexOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(log.stats().targets[0]).toMatchObject({ drops: 0, possibleDuplicates: 0 });
      expect(fake.connections).toBeGreaterThan(1);
      addedUp();
    }, 30_000);
  }
});

describe('relp hostile: close() while the session is opening', () => {
  it('open never answered: close({ timeoutMs }) resolves, the records fail, none delivered', async () => {
    let connected = 0;
    const srv = await rawServer(() => {
      connected++;
    });
    const { log, reasons, addedUp } = relpLogger(srv.port, { connectTimeoutMs: 60_000, timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) log.info({ i }, 'opening');
    while (connected === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await log.close({ timeoutMs: 300 })).toBe(false);
    expect(log.stats()).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
    for (let i = 0; i < 100 && reasons().length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reasons()).toHaveLength(3);
    expect(log.stats().targets[0]).toMatchObject({ possibleDuplicates: 0 });
    addedUp();
  }, 30_000);
});

describe('relp hostile: a receiver that stops reading', () => {
  it('the window fills, the attempt times out, the records go again and fail at the deadline', async () => {
    const srv = await rawServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        const txnr = Number(chunk.toString('latin1').split(' ')[0]);
        socket.write(`${txnr} rsp 46 200 OK\nrelp_version=0\ncommands=syslog\n`);
        socket.pause();
      });
    });
    const { log, reasons, addedUp } = relpLogger(srv.port, {
      timeoutMs: 200,
      relpWindow: 8,
      maxMessageBytes: 65_536,
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 3 },
    });
    for (let i = 0; i < 40; i++) log.info({ i, pad: 'x'.repeat(60_000) }, 'unread');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 40, delivered: 0, failed: 40, pending: 0 });
    for (let i = 0; i < 100 && reasons().length < 40; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reasons()).toHaveLength(40);
    for (const reason of reasons()) expect(reason).toMatch(/^gave up after 3 attempt\(s\): no answer within 200 ms/);
    addedUp();
  }, 30_000);
});
