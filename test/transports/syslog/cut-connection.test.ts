import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { type Parsed, parsedMessages, sharedRsyslog, waitForMessages } from './rsyslog.js';

// A connection cut in the middle of a message, between us and a real rsyslogd: a proxy
// passes the first connection's bytes up to a point inside a frame, then resets both sides;
// later connections pass whole. Under octet-counting rsyslog drops the incomplete frame, so
// nothing garbled reaches its output and the next connection's frames read as they were
// written. (Under lf rsyslog can take the piece it holds at a close as a message: see the docs.)

const rsyslog = sharedRsyslog();

const open: (Server | Socket)[] = [];
afterEach(() => {
  for (const thing of open.splice(0)) 'destroy' in thing ? thing.destroy() : thing.close();
});

function cuttingProxy(upstreamPort: number, cutAt: number): Promise<number> {
  let first = true;
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    open.push(client, upstream);
    if (!first) {
      client.pipe(upstream);
      return;
    }
    first = false;
    let passed = 0;
    client.on('data', (data: Buffer) => {
      if (passed >= cutAt) return;
      const part = data.subarray(0, cutAt - passed);
      passed += part.length;
      upstream.write(part);
      if (passed >= cutAt) {
        upstream.end();
        client.resetAndDestroy();
      }
    });
  });
  open.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

describe.skipIf(rsyslog === undefined)('a connection cut inside a message (octet-counting)', () => {
  it('rsyslog gets no piece of a message, and every frame after the reconnection whole', async () => {
    const app = `cut-${randomUUID().slice(0, 8)}`;
    // 50,003 bytes in: well inside some frame of the first batch.
    const port = await cuttingProxy(rsyslog!.tcp, 50_003);
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'syslog', port, appName: app, retry: { baseMs: 10, maxMs: 50, maxAttempts: 100 } }],
    });
    const count = 400;
    const pad = 'y'.repeat(500);
    // The first half goes out on the connection that is cut (TCP has no acknowledgement: what
    // the proxy took and dropped is lost, counted delivered); the second after it is noticed.
    for (let i = 0; i < count / 2; i++) log.info({ i, pad }, 'm');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    const target = () => log.stats().targets[0] as unknown as { drops: number; connects: number };
    for (let i = 0; i < 100 && target().drops === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(target().drops).toBe(1);
    for (let i = count / 2; i < count; i++) log.info({ i, pad }, 'm');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: count, delivered: count, failed: 0, pending: 0 });
    expect(target().connects).toBe(2);
    await log.close();
    const last = (m: Parsed) => m.appname === app && m.msg.includes(`"i":${count - 1},`);
    expect(await waitForMessages(rsyslog!.output, last, 1)).toHaveLength(1);
    const mine = parsedMessages(rsyslog!.output).filter((m) => m.appname === app);
    // Every message is a whole JSON line with its pad: none was cut, none merged with the next.
    const broken = mine.filter((m) => {
      try {
        return (JSON.parse(m.msg) as { pad?: string }).pad !== pad;
      } catch {
        return true;
      }
    });
    expect(broken.map((m) => m.msg.slice(0, 80))).toEqual([]);
    const seen = new Set(mine.map((m) => (JSON.parse(m.msg) as { i: number }).i));
    expect(seen.has(0)).toBe(true);
    for (let i = count / 2; i < count; i++) expect(seen.has(i), String(i)).toBe(true);
  });
});
