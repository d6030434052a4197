import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type SyslogStats } from '../../../src/index.js';

// A connection dropped in the middle of a batch: what the socket had not taken is not counted
// delivered, and goes out on the next connection. A fake receiver (fault injection): the
// first connection is never read and then reset; the second reads everything.

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** The record indexes in octet-counted frames ("LEN SP MSG", MSG ending in the JSON line). */
function frames(buffer: Buffer): { indexes: number[]; rest: Buffer } {
  const indexes: number[] = [];
  let at = 0;
  for (;;) {
    const space = buffer.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(buffer.subarray(at, space).toString());
    if (space + 1 + length > buffer.length) break;
    const message = buffer.subarray(space + 1, space + 1 + length).toString();
    indexes.push((JSON.parse(message.slice(message.indexOf('{'))) as { i: number }).i);
    at = space + 1 + length;
  }
  return { indexes, rest: buffer.subarray(at) };
}

describe('a connection reset in the middle of a batch', () => {
  it('records the socket had not taken are not delivered until a new connection takes them', async () => {
    const first: Socket[] = [];
    const received: number[] = [];
    let connections = 0;
    const server = createServer((socket) => {
      if (++connections === 1) {
        // Never read: the client's writes back up until the kernel's buffers are full.
        socket.pause();
        first.push(socket);
        return;
      }
      let pending: Buffer = Buffer.alloc(0);
      socket.on('data', (data: Buffer) => {
        const { indexes, rest } = frames(Buffer.concat([pending, data]));
        received.push(...indexes);
        pending = rest;
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };

    const count = 20_000;
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        {
          type: 'syslog',
          port,
          appName: 'drop',
          retry: { baseMs: 20, maxMs: 100, maxAttempts: 1000 },
          maxQueue: { records: count, bytes: '100MB' },
        },
      ],
    });
    const pad = 'x'.repeat(1000);
    for (let i = 0; i < count; i++) log.info({ i, pad }, 'm');
    // Let the writes fill the buffers and stall.
    let before = -1;
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = log.stats().delivered;
      if (now === before && now > 0) break;
      before = now;
    }
    const delivered = log.stats().delivered;
    // The kernel took a few MB; 20 MB did not fit: most records are not delivered yet.
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(count);
    first[0]!.resetAndDestroy();

    expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
    const stats = log.stats().targets[0] as unknown as SyslogStats & { delivered: number; failed: number };
    expect(stats).toMatchObject({ delivered: count, failed: 0, drops: 1, connects: 2 });
    // Delivered means handed to the kernel: the receiver reads the last few MB a moment later.
    for (let i = 0; i < 200 && !received.includes(count - 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Records settle in order: every one not counted delivered at the reset came on the new connection.
    const seen = new Set(received);
    const missing = [];
    for (let i = delivered; i < count; i++) if (!seen.has(i)) missing.push(i);
    expect(missing).toEqual([]);
    await log.close();
  });
});
