import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/index.js';
import { lineCount, tempFolder } from '../http/receiver.js';
import { answer, type FakeRelp, fakeRelp } from './fake-relp.js';
import { relpLogger as relpTestLogger } from './relp-logger.js';
import { makeCertificates } from './rsyslog.js';

// protocol relp against a RELP server that misbehaves: a record is delivered only on its
// `rsp 200`, whatever the connection did with its bytes. Stats add up at every moment.

const servers: FakeRelp[] = [];
const loggers: Logger[] = [];
const folders: string[] = [];
const intervals: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const interval of intervals.splice(0)) clearInterval(interval);
  await Promise.all(loggers.splice(0).map((log) => log.close({ timeoutMs: 1000 })));
  for (const server of servers.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function server(
  onSyslog: Parameters<typeof fakeRelp>[0],
  open?: string,
  tls?: { cert: string; key: string },
): Promise<FakeRelp> {
  const fake = await fakeRelp(onSyslog, open, undefined, tls);
  servers.push(fake);
  return fake;
}

const state = { loggers, intervals, folders };
const relpLogger = (port: number, extra: Record<string, unknown> = {}) =>
  relpTestLogger(state, 'relp-faults', port, extra);

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A test CA's server certificate (for the fake receiver) and the client's settings that trust it. */
function tlsFiles() {
  const dir = tempFolder('relp-faults-tls');
  folders.push(dir);
  makeCertificates(dir);
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { server: { cert: read('server.pem'), key: read('server.key') }, client: { ca: read('ca.pem') } };
}

const indexOf = (message: string) => (JSON.parse(message.slice(message.indexOf('{'))) as { i: number }).i;

describe('relp: a receiver that never acknowledges', () => {
  it('records it took stay pending, then fail at the retry deadline, never delivered', async () => {
    const fake = await server(() => {});
    const { log, reasons, deadLetter, addedUp } = relpLogger(fake.port, {
      timeoutMs: 200,
      retry: { baseMs: 10, maxMs: 20, maxAttempts: 1000, deadlineMs: 1000 },
    });
    for (let i = 0; i < 20; i++) log.info({ i }, 'never answered');
    await until('the receiver to hold all 20', () => fake.messages.length >= 20);
    // Written to the socket and read by the receiver: over tcp these would count delivered.
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 0, failed: 0, pending: 20 });
    await until('the records to settle', () => log.stats().pending === 0);
    expect(log.stats()).toMatchObject({ logged: 20, delivered: 0, failed: 20, dropped: 0, pending: 0 });
    // Failures are reported (and dead-lettered) on the tick after they are counted.
    await until('the failures to be reported', () => reasons().length >= 20);
    expect(reasons()).toHaveLength(20);
    for (const reason of reasons()) expect(reason).toMatch(/^gave up after \d+ attempt\(s\): no answer within 200 ms/);
    await until('the dead letter to hold them', () => lineCount(deadLetter) >= 20);
    expect(lineCount(deadLetter)).toBe(20);
    // Each attempt after the first went on a new session, opened again.
    expect(fake.connections).toBeGreaterThan(1);
    expect(fake.opens).toBe(fake.connections);
    expect(new Set(fake.messages.map(indexOf)).size).toBe(20);
    addedUp();
  }, 30_000);
});

describe('relp: a receiver that acknowledges half and holds the rest', () => {
  it('the acknowledged count delivered as their answers come; the held stay pending, not delivered', async () => {
    const fake = await server(({ socket, txnr, seen }) => {
      if (seen <= 20) answer(socket, txnr, '200 OK');
    });
    const { log, addedUp } = relpLogger(fake.port, { timeoutMs: 60_000 });
    for (let i = 0; i < 40; i++) log.info({ i }, 'half held');
    await until('the acknowledged to count', () => log.stats().delivered === 20);
    await until('the receiver to hold all 40', () => fake.messages.length === 40);
    expect(log.stats()).toMatchObject({ logged: 40, delivered: 20, failed: 0, pending: 20 });
    addedUp();
  }, 30_000);
});

describe('relp: the connection ends after half the records are acknowledged', () => {
  const endings = {
    'the receiver ends the connection': (socket: import('node:net').Socket) => socket.end(),
    'the receiver sends serverclose, then ends': (socket: import('node:net').Socket) => {
      socket.write('0 serverclose 0\n');
      socket.end();
    },
  };
  const cases = [
    ...Object.entries(endings).map(([how, end]) => ({ how, end, tls: false })),
    // RELP over TLS: the same, the receiver's TLS connection ended.
    { how: 'over TLS, the receiver ends the connection', end: endings['the receiver ends the connection'], tls: true },
  ];
  for (const { how, end, tls } of cases) {
    it(`${how}: the rest are sent again on a new session and delivered, each counted once`, async () => {
      const count = 40;
      const certificates = tls ? tlsFiles() : undefined;
      const fake = await server(
        ({ socket, connection, txnr, seen }) => {
          if (connection === 1 && seen > count / 2) {
            if (seen === count / 2 + 1) end(socket);
            return;
          }
          answer(socket, txnr, '200 OK');
        },
        undefined,
        certificates?.server,
      );
      const { log, reasons, addedUp } = relpLogger(fake.port, tls ? { tls: certificates!.client } : {});
      for (let i = 0; i < count; i++) log.info({ i }, 'half and half');
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: count, delivered: count, failed: 0, pending: 0 });
      expect(reasons()).toEqual([]);
      // The second half went twice: once unanswered, once on the new session (possibly a duplicate).
      const times = new Map<number, number>();
      for (const message of fake.messages) times.set(indexOf(message), (times.get(indexOf(message)) ?? 0) + 1);
      for (let i = 0; i < count; i++) expect(times.get(i), `record ${i}`).toBe(i < count / 2 ? 1 : 2);
      expect(fake.connections).toBe(2);
      expect(log.stats().targets[0]).toMatchObject({ connects: 2, drops: 1, possibleDuplicates: count / 2 });
      addedUp();
    }, 30_000);
  }
});

describe('relp: a receiver that refuses one record', () => {
  it('rsp 500 fails that record (reported, dead-lettered); the others are delivered; none sent twice', async () => {
    const fake = await server(({ socket, txnr, message }) => {
      answer(socket, txnr, indexOf(message) === 3 ? '500 refused by the test' : '200 OK');
    });
    const { log, failures, reasons, deadLetter, addedUp } = relpLogger(fake.port);
    for (let i = 0; i < 10; i++) log.info({ i }, 'one is refused');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 9, failed: 1, pending: 0 });
    expect(failures.map((f) => f.record.fields?.i)).toEqual([3]);
    expect(reasons()).toEqual(['the receiver refused it: 500 refused by the test']);
    const dead = readFileSync(deadLetter, 'utf8').trim().split('\n');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toContain('"i":3');
    expect(fake.messages).toHaveLength(10);
    expect(fake.connections).toBe(1);
    addedUp();
  }, 30_000);
});

describe('relp: a receiver that answers what is not RELP', () => {
  const garbage: [string, (socket: import('node:net').Socket, txnr: number) => void, RegExp][] = [
    ['plain text', (socket) => socket.write('hello, this is not relp\n'), /not RELP \(a bad transaction number\)/],
    ['an rsp with no status', (socket, txnr) => answer(socket, txnr, 'OK'), /an answer that is not RELP: "OK"/],
    ['an rsp to a transaction not sent', (socket, txnr) => answer(socket, txnr + 500, '200 OK'), /not open/],
    ['a frame of 900 MB', (socket, txnr) => socket.write(`${txnr} rsp 900000000 `), /data of 900000000 bytes/],
    ['a command', (socket, txnr) => socket.write(`${txnr} syslog 2 hi\n`), /a "syslog" command/],
  ];
  for (const [what, send, why] of garbage) {
    it(`${what}: reported, the connection dropped; the records fail at the last attempt, none delivered`, async () => {
      const fake = await server(({ socket, txnr }) => send(socket, txnr));
      const { log, reasons, diagnostics, addedUp } = relpLogger(fake.port, {
        timeoutMs: 2000,
        retry: { baseMs: 10, maxMs: 20, maxAttempts: 3 },
      });
      for (let i = 0; i < 5; i++) log.info({ i }, 'answered with garbage');
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 5, delivered: 0, failed: 5, pending: 0 });
      for (const reason of reasons()) expect(reason).toMatch(/^gave up after 3 attempt\(s\): /);
      expect(reasons()[0]).toMatch(why);
      expect(diagnostics.some((d) => why.test(d) && d.includes('the connection is dropped'))).toBe(true);
      expect(fake.connections).toBe(3);
      addedUp();
    }, 30_000);
  }

  it('garbage on the first session only: the records go again on the next and are delivered', async () => {
    const fake = await server(({ socket, connection, txnr }) => {
      if (connection === 1) socket.write('garbage\n');
      else answer(socket, txnr, '200 OK');
    });
    const { log, diagnostics, addedUp } = relpLogger(fake.port);
    for (let i = 0; i < 5; i++) log.info({ i }, 'garbage, then fine');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5, delivered: 5, failed: 0, pending: 0 });
    expect(diagnostics.filter((d) => d.includes('not RELP'))).toHaveLength(1);
    addedUp();
  }, 30_000);
});

describe('relp: a receiver that refuses the session', () => {
  const opens: [string, string, RegExp][] = [
    ['answers open with 500', '500 not now', /the receiver refused the RELP session: 500 not now/],
    ['offers no syslog command', '200 OK\nrelp_version=0\ncommands=', /does not take the syslog command/],
    ['offers no relp_version', '200 OK\ncommands=syslog', /offered no relp_version/],
  ];
  for (const [what, open, why] of opens) {
    it(`${what}: nothing is sent, reported; the records fail at the last attempt`, async () => {
      const fake = await server(() => {}, open);
      const { log, reasons, diagnostics, addedUp } = relpLogger(fake.port, {
        retry: { baseMs: 10, maxMs: 20, maxAttempts: 2 },
      });
      for (let i = 0; i < 3; i++) log.info({ i }, 'no session');
      expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
      expect(log.stats()).toMatchObject({ logged: 3, delivered: 0, failed: 3, pending: 0 });
      expect(reasons()[0]).toMatch(/^gave up after 2 attempt\(s\): /);
      expect(reasons()[0]).toMatch(why);
      expect(diagnostics.some((d) => why.test(d))).toBe(true);
      expect(fake.messages).toEqual([]);
      expect(fake.opens).toBe(2);
      // Nothing was sent: the records are not possible duplicates of anything.
      expect(log.stats().targets[0]).toMatchObject({ possibleDuplicates: 0, connects: 0 });
      addedUp();
    }, 30_000);
  }
});

describe('relp: close() while the receiver holds records unanswered', () => {
  it('close({ timeoutMs }) resolves false in time; the unanswered fail, the answered stay delivered', async () => {
    const fake = await server(({ socket, txnr, seen }) => {
      if (seen <= 5) answer(socket, txnr, '200 OK');
    });
    const { log, reasons, deadLetter, addedUp } = relpLogger(fake.port, { timeoutMs: 60_000 });
    for (let i = 0; i < 10; i++) log.info({ i }, 'held at close');
    await until('the answered to count', () => log.stats().delivered === 5 && fake.messages.length === 10);
    // Not a timing assertion: the test's own timeout is what a hang would hit.
    expect(await log.close({ timeoutMs: 300 })).toBe(false);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 5, failed: 5, pending: 0 });
    // The receiver read them (fake.messages): it may have them, and the reason says so.
    const unanswered =
      'sent, and not answered before delivery was given up (a close that timed out, or the process ending): ' +
      'the destination may have them';
    expect(reasons()).toEqual(Array(5).fill(unanswered));
    expect(log.stats().targets[0]).toMatchObject({ unanswered: 5 });
    expect(lineCount(deadLetter)).toBe(5);
    addedUp();
  }, 30_000);

  it('with a spool: the unanswered are parked for the next start, not delivered', async () => {
    const fake = await server(({ socket, txnr, seen }) => {
      if (seen <= 5) answer(socket, txnr, '200 OK');
    });
    const dir = tempFolder('relp-close-spool');
    folders.push(dir);
    const { log, addedUp } = relpLogger(fake.port, { timeoutMs: 60_000, spool: { dir } });
    for (let i = 0; i < 10; i++) log.info({ i }, 'held at close');
    await until('the answered to count', () => log.stats().delivered === 5 && fake.messages.length === 10);
    await log.close({ timeoutMs: 300 });
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 5, failed: 0 });
    expect(log.stats().targets[0]).toMatchObject({ parked: 5 });
    addedUp();
  }, 30_000);
});
