import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, SyslogTransport } from '../../../src/index.js';

// A connectTimeoutMs from code past what a Node timer holds (Infinity: "no bound") must not
// become a 1 ms timer that fails every connection.

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function receiver(): Promise<{ port: number; received: (what: string) => Promise<string> }> {
  let text = '';
  const waiting: (() => void)[] = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      for (const wake of waiting.splice(0)) wake();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  /** The text received once it holds `what` (or what came within 5 s). */
  const received = async (what: string): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (!text.includes(what) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return text;
  };
  return { port: (server.address() as { port: number }).port, received };
}

describe('syslog connectTimeoutMs from code that no timer holds', () => {
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['past 24.8 days', 3_000_000_000],
  ])('%s: the record is delivered over tcp, not failed as a connection too slow', async (_name, connectTimeoutMs) => {
    const server = await receiver();
    const transport = new SyslogTransport({
      port: server.port,
      connectTimeoutMs,
      batch: { intervalMs: 10 },
      retry: { maxAttempts: 1 },
    });
    const log = createLogger({ exitFlush: false, base: null, transports: [transport] });
    const failures: string[] = [];
    log.on('deliveryFailed', (failure) => failures.push(failure.reasons[0]!.error.message));
    log.info('over a connection with no bound');
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    // Before: "could not connect to 127.0.0.1:<port> within Infinity ms", the record failed.
    expect(failures).toEqual([]);
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1, failed: 0 });
    await log.close();
    expect(await server.received('over a connection with no bound')).toContain('over a connection with no bound');
  });
});
