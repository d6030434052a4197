import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createLogger } from '../../../src/index.js';

const servers: Server[] = [];
const peers: Socket[] = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server on 127.0.0.1 and a socket connected to it; `onSocket` decides what the server does. */
async function socketTo(onSocket: (socket: Socket) => void, allowHalfOpen = false): Promise<Socket> {
  const server = createServer({ allowHalfOpen }, (peer) => {
    peers.push(peer);
    onSocket(peer);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

describe('streams handed in: closed, given up on, shared, or handed back', () => {
  it('a byte stream with no close after end() (autoDestroy off): close() is true, the stream finished', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      autoDestroy: false,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const log = createLogger({ exitFlush: false, transports: [stream] });
    log.info('one');
    expect(await log.close()).toBe(true);
    expect(stream.writableFinished).toBe(true);
    expect(chunks.join('')).toContain('"msg":"one"');
    expect(log.stats()).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
  });

  it('a socket whose peer keeps its half open: close() resolves true and lets the socket go', async () => {
    let received = '';
    const socket = await socketTo((peer) => peer.on('data', (data) => (received += data)), true);
    const log = createLogger({ exitFlush: false, transports: [socket] });
    log.info('to the half-open peer');
    expect(await log.close()).toBe(true);
    expect(socket.destroyed).toBe(true);
    for (let waited = 0; waited < 2000 && !received.includes('\n'); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received).toContain('to the half-open peer');
  });

  it('a close that gives up on a stalled socket destroys it: no handle holds the process open', async () => {
    const socket = await socketTo((peer) => peer.pause());
    const log = createLogger({ exitFlush: false, exitTimeoutMs: 1000, transports: [socket] });
    const line = 'x'.repeat(1024);
    for (let i = 0; i < 20_000; i++) log.info(line);
    expect(await log.close({ timeoutMs: 300 })).toBe(false);
    expect(socket.destroyed).toBe(true);
    const s = log.stats();
    expect(s.failed).toBeGreaterThan(0);
    expect(s.delivered + s.failed).toBe(20_000);
  });

  it('one of two loggers gives up on a shared stream: the last close still ends it', async () => {
    const slow = new Writable({
      write(_chunk, _encoding, callback) {
        setTimeout(callback, 300);
      },
    });
    const first = createLogger({ exitFlush: false, transports: [slow] });
    const second = createLogger({ exitFlush: false, transports: [slow] });
    first.info('a');
    second.info('b');
    expect(await first.close({ timeoutMs: 50 })).toBe(false);
    expect(slow.destroyed).toBe(false);
    expect(await second.close()).toBe(true);
    expect(slow.writableEnded).toBe(true);
  });

  it('a logger that fails to build hands the streams it was given back untouched', async () => {
    const objects = new PassThrough({ objectMode: true });
    const bytes = new PassThrough();
    expect(() => createLogger({ exitFlush: false, transports: [objects, bytes, { type: 'consle' } as never] })).toThrow(
      ConfigError,
    );
    expect(objects.destroyed).toBe(false);
    expect(bytes.destroyed).toBe(false);
    const log = createLogger({ exitFlush: false, transports: [objects, bytes] });
    log.info('after the failed one');
    expect(await log.close()).toBe(true);
    expect((objects.read() as { msg: string }).msg).toBe('after the failed one');
    expect(String(bytes.read())).toContain('after the failed one');
    expect(log.stats()).toMatchObject({ delivered: 1, failed: 0 });
    // The last holder's close ends them: the failed logger held neither any more.
    expect(objects.writableEnded).toBe(true);
    expect(bytes.writableEnded).toBe(true);
  });

  it('twelve loggers on one object-mode stream add one listener per event, no MaxListeners warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    const sink = new Writable({ objectMode: true, write: (_record, _encoding, callback) => callback() });
    const alone = new Writable({ objectMode: true, write: (_record, _encoding, callback) => callback() });
    const one = createLogger({ exitFlush: false, transports: [alone] });
    const loggers = Array.from({ length: 12 }, () => createLogger({ exitFlush: false, transports: [sink] }));
    expect(sink.listenerCount('error')).toBe(alone.listenerCount('error'));
    expect(sink.listenerCount('close')).toBe(alone.listenerCount('close'));
    await one.close();
    for (const log of loggers) log.info('x');
    for (const log of loggers) await log.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(sink.writableEnded).toBe(true);
  });
  it('a stream whose end fails: close() resolves, and the failure is said', async () => {
    const said: string[] = [];
    const stream = new Writable({
      write: (_chunk, _encoding, callback) => callback(),
      final: (callback) => callback(new Error('final failed')),
    });
    const log = createLogger({ exitFlush: false, diagnostics: (m) => said.push(m), transports: [stream] });
    log.info('one');
    expect(await log.close()).toBe(true);
    expect(said.join('\n')).toContain('the stream failed as it ended: final failed');
    expect(log.stats()).toMatchObject({ delivered: 1, failed: 0 });
  });
});
