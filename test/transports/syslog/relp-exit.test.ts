import type { LoggerStats } from '../../../src/index.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChildResult,
  expectAddsUp,
  lastJson,
  lineCount,
  PRINT_AT_EXIT,
  runChild,
  spooledLines,
  tempFolder,
} from '../http/receiver.js';
import { answer, type FakeRelp, fakeRelp } from './fake-relp.js';
import { makeCertificates } from './rsyslog.js';

// A process that ends (SIGTERM, process.exit()) while a RELP receiver holds records it has not
// acknowledged: those are never counted delivered. They wait in the spool, or fail counted and
// dead-lettered; the acknowledged ones are delivered. Children are real processes.

const servers: FakeRelp[] = [];
const folders: string[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const COUNT = 50;

/** The client's tls settings (RELP over TLS), or none. */
type ClientTls = { ca: string } | undefined;

/**
 * A receiver that acknowledges the first `acked` records and holds the rest unanswered; with
 * `tls`, over TLS with a test CA's certificate, and the client settings that trust it.
 */
async function receiver(acked: number, dir: string, tls = false): Promise<{ fake: FakeRelp; client: ClientTls }> {
  let certificates: { cert: string; key: string } | undefined;
  if (tls) {
    makeCertificates(dir);
    certificates = {
      cert: readFileSync(join(dir, 'server.pem'), 'utf8'),
      key: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
  }
  const fake = await fakeRelp(
    ({ socket, txnr, seen }) => {
      if (seen <= acked) answer(socket, txnr, '200 OK');
    },
    undefined,
    undefined,
    certificates,
  );
  servers.push(fake);
  return { fake, client: tls ? { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') } : undefined };
}

function config(port: number, dir: string, spool: boolean, tls?: ClientTls): string {
  return JSON.stringify({
    base: null,
    exitTimeoutMs: 500,
    router: { deadLetter: join(dir, 'dead.ndjson'), health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'syslog',
        protocol: 'relp',
        port,
        appName: 'relp-exit',
        timeoutMs: 60_000,
        batch: { intervalMs: 10 },
        ...(spool ? { spool: { dir: join(dir, 'spool') } } : {}),
        ...(tls === undefined ? {} : { tls }),
      },
    ],
  });
}

/**
 * Runs the child until it says "ready" (it logged COUNT records and saw `acked` delivered) and
 * the receiver holds all COUNT, then sends it `signal`.
 */
async function endWhileHeld(fake: FakeRelp, script: string, signal: NodeJS.Signals): Promise<ChildResult> {
  let kill: ((s: NodeJS.Signals) => void) | undefined;
  const child = runChild(script, {
    timeoutMs: 30_000,
    onStdout: (out, killer) => {
      if (out.includes('ready')) kill = killer;
    },
  });
  for (let i = 0; i < 2000 && (kill === undefined || fake.messages.length < COUNT); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (kill === undefined) throw new Error('the child never saw its acknowledged records delivered');
  expect(fake.messages).toHaveLength(COUNT);
  kill(signal);
  return child;
}

function script(dir: string, port: number, acked: number, spool: boolean, tls?: ClientTls): string {
  return `const log = createLogger(${config(port, dir, spool, tls)});
    ${PRINT_AT_EXIT}
    process.on('SIGUSR2', () => process.exit(3));
    for (let i = 0; i < ${COUNT}; i++) log.info({ i }, 'held by the receiver');
    while (log.stats().delivered < ${acked}) await new Promise((r) => setTimeout(r, 10));
    writeSync(1, 'ready\\n');
    setInterval(() => {}, 1000);`;
}

describe('relp: the process ends with records the receiver has not acknowledged', () => {
  for (const tls of [false, true]) {
    const over = tls ? ' (RELP over TLS)' : '';
    const title = `SIGTERM without a spool${over}: the unacknowledged fail, dead-lettered; only the acknowledged count`;
    it(title, async () => {
      const dir = tempFolder('relp-sigterm');
      folders.push(dir);
      const { fake, client } = await receiver(COUNT / 2, dir, tls);
      const child = await endWhileHeld(fake, script(dir, fake.port, COUNT / 2, false, client), 'SIGTERM');
      expect(child.signal).toBe('SIGTERM');
      expect(lineCount(join(dir, 'dead.ndjson'))).toBe(COUNT / 2);
      expect(child.stderr).toContain(`${COUNT / 2} record(s) failed`);
      expect(fake.connections).toBe(1);
    }, 40_000);
  }

  it('SIGTERM with a spool: all wait on disk, none counted delivered; the next start delivers them', async () => {
    const dir = tempFolder('relp-sigterm-spool');
    folders.push(dir);
    let acknowledge = false;
    const fake = await fakeRelp(({ socket, txnr }) => {
      if (acknowledge) answer(socket, txnr, '200 OK');
    });
    servers.push(fake);
    const child = await endWhileHeld(fake, script(dir, fake.port, 0, true), 'SIGTERM');
    expect(child.signal).toBe('SIGTERM');
    expect(spooledLines(dir)).toBe(COUNT);
    expect(lineCount(join(dir, 'dead.ndjson'))).toBe(0);
    // The receiver acknowledges now: the next start sends what waited, each settled on its answer.
    acknowledge = true;
    const next = await runChild(
      `const log = createLogger(${config(fake.port, dir, true)});
       while (log.stats().targets[0].replayed < ${COUNT}) await new Promise((r) => setTimeout(r, 20));
       writeSync(1, JSON.stringify(log.stats()) + '\\n');
       await log.close();`,
      { timeoutMs: 30_000 },
    );
    expect(next.stderr).toBe('');
    expect(lastJson<LoggerStats>(next.stdout).targets[0]).toMatchObject({ replayed: COUNT, replayFailed: 0 });
    expect(fake.messages).toHaveLength(2 * COUNT);
    expect(spooledLines(dir)).toBe(0);
  }, 40_000);

  for (const tls of [false, true]) {
    const over = tls ? ' (RELP over TLS)' : '';
    it(`process.exit() without a spool${over}: acknowledged delivered, the rest failed, stats add up`, async () => {
      const dir = tempFolder('relp-exit-call');
      folders.push(dir);
      const { fake, client } = await receiver(COUNT / 2, dir, tls);
      const child = await endWhileHeld(fake, script(dir, fake.port, COUNT / 2, false, client), 'SIGUSR2');
      expect(child.code).toBe(3);
      const stats = lastJson<LoggerStats>(child.stdout);
      expect(stats).toMatchObject({ logged: COUNT, delivered: COUNT / 2, failed: COUNT / 2, pending: 0 });
      expectAddsUp(stats);
      expect(lineCount(join(dir, 'dead.ndjson'))).toBe(COUNT / 2);
    }, 40_000);
  }
});
