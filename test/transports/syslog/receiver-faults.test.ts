import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { freePort } from '../../setup/free-port.js';
import { tempFolder } from '../http/receiver.js';
import { makeCertificates, sharedRsyslog, waitForMessages } from './rsyslog.js';

// Receivers that are not what a syslog sender over TCP expects: none yet at the port, a real
// rsyslog's RELP port given as a plain TCP one, and one that ends every connection it takes.

const rsyslog = sharedRsyslog();
const open: (Server | Socket | Logger)[] = [];
afterEach(async () => {
  for (const thing of open.splice(0)) {
    if ('stats' in thing) await thing.close({ timeoutMs: 2000 });
    else if ('destroy' in thing) thing.destroy();
    else thing.close();
  }
});

function logger(port: number, diagnostics: string[], extra: Record<string, unknown> = {}): Logger {
  const log = createLogger({
    exitFlush: false,
    base: null,
    diagnostics: (message) => diagnostics.push(message),
    transports: [{ type: 'syslog', port, retry: { baseMs: 20, maxMs: 50, maxAttempts: 100 }, ...extra }],
  });
  open.push(log);
  return log;
}

function listen(server: Server, port = 0): Promise<number> {
  open.push(server);
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

describe('a syslog receiver over TCP that refuses, answers or hangs up', () => {
  it('a refused connection sent nothing: records a later connection delivers are no possible duplicates', async () => {
    const port = await freePort();
    const received: Buffer[] = [];
    const log = logger(port, []);
    for (let i = 0; i < 5; i++) log.info({ i }, 'before the receiver listens');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await listen(
      createServer((socket) => {
        open.push(socket);
        socket.on('data', (data: Buffer) => received.push(data));
      }),
      port,
    );
    expect(await log.flush({ timeoutMs: 10_000 })).toBe(true);
    expect(log.stats().targets[0]).toMatchObject({ delivered: 5, failed: 0, possibleDuplicates: 0 });
    const arrived = () =>
      Buffer.concat(received)
        .toString()
        .match(/before the receiver listens/g)?.length ?? 0;
    const deadline = Date.now() + 5000;
    while (arrived() < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(arrived()).toBe(5);
  });

  it('a receiver that ends each connection it takes is said, as what went out on it counted delivered', async () => {
    const diagnostics: string[] = [];
    const port = await listen(
      createServer((socket) => {
        open.push(socket);
        socket.end();
      }),
    );
    const log = logger(port, diagnostics);
    log.info('into a closing connection');
    await log.flush({ timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(diagnostics.join('\n')).toContain(
      `syslog (tcp): the receiver at 127.0.0.1:${port} ended the connection; what went out`,
    );
  });

  it('over tls, a receiver that ends the connection is said without the hint about client certificates', async () => {
    const dir = tempFolder('syslog-tls-end');
    makeCertificates(dir);
    const server = createTlsServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
      (socket) => {
        open.push(socket);
        socket.end();
      },
    );
    const port = await listen(server);
    const diagnostics: string[] = [];
    const log = logger(port, diagnostics, { protocol: 'tls', tls: { ca: readFileSync(join(dir, 'ca.pem'), 'utf8') } });
    log.info('into a closing connection');
    await log.flush({ timeoutMs: 10_000 });
    const deadline = Date.now() + 5000;
    while (diagnostics.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(diagnostics).toEqual([
      `syslog#0: syslog (tls): the receiver at 127.0.0.1:${port} ended the connection; ` +
        'what went out on the connection just before counted delivered and may not have been read',
    ]);
  });

  it.skipIf(rsyslog?.relp === undefined)(
    "rsyslog's RELP port given as a plain TCP one: its answer is said, and nothing reaches rsyslog's output",
    async () => {
      const diagnostics: string[] = [];
      const app = `relp-port-${randomUUID().slice(0, 8)}`;
      const log = logger(rsyslog!.relp!, diagnostics, { appName: app });
      log.info('to the wrong port');
      await log.flush({ timeoutMs: 10_000 });
      const deadline = Date.now() + 5000;
      while (!diagnostics.some((d) => d.includes('sent data back')) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(diagnostics.join('\n')).toMatch(
        /the receiver at 127\.0\.0\.1:\d+ sent data back \(".*serverclose.*"\), which a syslog receiver/,
      );
      expect(await waitForMessages(rsyslog!.output, (m) => m.appname === app, 1, 300)).toEqual([]);
      // Its close after the answer is not said again.
      expect(diagnostics.filter((d) => d.includes('ended the connection'))).toEqual([]);
    },
  );
});
