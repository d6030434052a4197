import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, TLSSocket, connect as tlsConnect } from 'node:tls';
import { writeSync } from 'node:fs';

export interface StreamSenderOptions {
  host: string;
  port: number;
  /** TLS settings; absent for plain TCP. */
  tls: ConnectionOptions | undefined;
  connectTimeoutMs: number;
  /** A connection that failed under us: said, as what was written on it counted delivered. */
  report(message: string, error: Error): void;
}

/** How far a write went: chunks handed to the socket, and why the rest were not. */
export interface WriteResult {
  written: number;
  error?: Error;
}

/**
 * One TCP or TLS connection, made when first needed and again after a drop. A chunk counts as
 * written when the socket's write callback says so (handed to the kernel): syslog over TCP has
 * no acknowledgement, so that is as far as delivery can be known. The socket never keeps the
 * process alive on its own: the exit path decides what happens to records still held.
 */
export class StreamSender {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private closed = false;
  connects = 0;
  drops = 0;

  constructor(private readonly options: StreamSenderOptions) {}

  /** Writes the chunks in order; stops counting at the first that fails (the connection dropped). */
  async write(chunks: readonly string[], signal: AbortSignal): Promise<WriteResult> {
    const socket = await this.connected(signal);
    const fd = descriptorOf(socket);
    return fd === undefined
      ? writeThroughSocket(socket, chunks, signal)
      : writeToDescriptor(socket, fd, chunks, signal);
  }

  private connected(signal: AbortSignal): Promise<Socket> {
    if (this.closed) return Promise.reject(new Error('sender closed'));
    const socket = this.socket;
    if (socket !== undefined && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    this.connecting ??= this.connect(signal).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private connect(signal: AbortSignal): Promise<Socket> {
    const { host, port, tls, connectTimeoutMs } = this.options;
    return new Promise<Socket>((resolve, reject) => {
      const { socket, ready } = openSocket(host, port, tls);
      socket.unref();
      // No connection, nothing written: the batch's next try is no possible duplicate.
      const fail = (error: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(Object.assign(error, { outcomeUnknown: false }));
      };
      const onAbort = (): void => fail(abortReason(signal));
      const timer = setTimeout(
        () => fail(new Error(`could not connect to ${host}:${port} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once(ready, () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        if (this.closed) {
          socket.destroy();
          reject(new Error('sender closed'));
          return;
        }
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  /** The live connection: forgotten as soon as it ends, so the next write connects again. */
  private adopt(socket: Socket): void {
    this.connects++;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // Receivers send nothing: whatever comes is read and dropped so the socket sees its end, and
    // said, as bytes back mean another kind of service (a RELP port, which answers and then
    // closes): what was written there counted delivered.
    let answered = false;
    socket.on('data', (data: Buffer) => {
      if (answered || this.socket !== socket) return;
      answered = true;
      this.note(
        `sent data back (${describeBytes(data)}), which a syslog receiver never does: is it another service's port?`,
      );
    });
    // A receiver that ends the connection (restarted, or closing what it will not read): what
    // went out just before may not have been read. Said once per connection, and not after data
    // back, which already said what is wrong.
    socket.on('end', () => {
      if (this.socket === socket && !answered) this.note('ended the connection');
    });
    const forget = (): void => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.drops++;
      socket.destroy();
    };
    socket.on('error', (error) => {
      if (this.socket === socket) this.report(error);
      forget();
    });
    socket.on('end', forget);
    socket.on('close', forget);
  }

  /**
   * Over TLS 1.3 the client's handshake ends before the receiver has judged our certificate, so a
   * receiver that wants one (RFC 5425's mutual authentication) or refuses ours says so after the
   * socket took the first batch: with an alert (OpenSSL), or a reset (rsyslog's gtls). Those
   * records count delivered, as TCP has no acknowledgement; the reason must at least be said.
   */
  private report(error: Error): void {
    const { host, port, tls } = this.options;
    const hint = tls === undefined ? '' : HINT;
    this.options.report(
      `syslog (${tls === undefined ? 'tcp' : 'tls'}): the connection to ${host}:${port} failed: ` +
        `${error.message}${hint}`,
      error,
    );
  }

  /** Something the receiver did that is no failure of ours, but leaves what was written on it unsure. */
  private note(what: string): void {
    const { host, port, tls } = this.options;
    const error = new Error(`the receiver ${what}`);
    this.options.report(
      `syslog (${tls === undefined ? 'tcp' : 'tls'}): the receiver at ${host}:${port} ${what}; ` +
        'what went out on the connection just before counted delivered and may not have been read',
      error,
    );
  }

  /** Ends the connection once what was written is sent (`force`: at once). */
  close(force = false): void {
    this.closed = true;
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    if (force) socket.destroy();
    else {
      socket.end();
      // A peer that never reads must not hold the socket open.
      setTimeout(() => socket.destroy(), 5_000).unref();
    }
  }
}

const HINT =
  '; a receiver that wants a client certificate, or refuses ours, ends the connection this way after the ' +
  'handshake (what was written on it counted delivered)';

/**
 * A TCP connection, or a TLS one when `tls` is given (protocol tls, and relp with tls), and the
 * event that says it is ready for our bytes: for TLS, the end of the handshake, so one that never
 * ends is still within the caller's connect timeout.
 */
export function openSocket(
  host: string,
  port: number,
  tls: ConnectionOptions | undefined,
): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  if (tls === undefined) return { socket: tcpConnect({ host, port }), ready: 'connect' };
  // An IP address is no server name (RFC 6066): the certificate is checked against the IP.
  const socket = tlsConnect({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tls });
  return { socket, ready: 'secureConnect' };
}

/** The first bytes a peer sent, printable, for a diagnostic. */
function describeBytes(data: Buffer): string {
  const text = data
    .subarray(0, 40)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(data.length > 40 ? `${text}…` : text);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/**
 * Plain TCP's descriptor, written with `writeSync` rather than `socket.write`: a write the kernel
 * cannot take at once stays a pending request in libuv, and a pending request keeps the event
 * loop alive even on an unref'd socket, so a script that returned while the receiver had stopped
 * reading never reached its `beforeExit` (where the exit path bounds the wait by exitTimeoutMs)
 * until the attempt's own timeout, 30 s by default. The descriptor is non-blocking: what the
 * kernel does not take is tried again on an unref'd timer. None for TLS (the socket encrypts).
 */
function descriptorOf(socket: Socket): number | undefined {
  if (socket instanceof TLSSocket) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The kernel's buffer is full (or a signal came first): the write is tried again. */
const TRY_AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);
/** The longest wait between tries while the kernel's buffer stays full. */
const FULL_WAIT_MAX_MS = 50;

function writeToDescriptor(
  socket: Socket,
  fd: number,
  chunks: readonly string[],
  signal: AbortSignal,
): Promise<WriteResult> {
  return new Promise<WriteResult>((resolve) => {
    const buffers = chunks.map((chunk) => Buffer.from(chunk));
    let written = 0;
    let offset = 0;
    let waitMs = 1;
    let timer: NodeJS.Timeout | undefined;
    // A connection that fails under the batch may lose what the kernel took of it (a reset
    // discards what the receiver had not read): the batch goes again whole, as a corked write
    // through the socket does, its records counted as possible duplicates rather than delivered.
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(error === undefined ? { written } : { written: 0, error });
    };
    const onClose = (): void => finish(new Error('connection closed during the write'));
    const onAbort = (): void => {
      socket.destroy();
      finish(abortReason(signal));
    };
    const step = (): void => {
      timer = undefined;
      // A socket destroyed meanwhile has given its descriptor back: its number may be a file's now.
      if (socket.destroyed) {
        finish(new Error('connection closed during the write'));
        return;
      }
      while (written < buffers.length) {
        const buffer = buffers[written]!;
        try {
          offset += writeSync(fd, buffer, offset);
        } catch (error) {
          if (TRY_AGAIN.has((error as NodeJS.ErrnoException).code ?? '')) {
            timer = setTimeout(step, waitMs);
            timer.unref();
            waitMs = Math.min(waitMs * 2, FULL_WAIT_MAX_MS);
            return;
          }
          // The connection failed under the write: said as the socket's own errors are.
          socket.destroy(error as Error);
          finish(error as Error);
          return;
        }
        waitMs = 1;
        if (offset === buffer.length) {
          written++;
          offset = 0;
        }
      }
      finish();
    };
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    step();
  });
}

/** TLS: through the socket, which encrypts; each chunk counted when its callback comes. */
function writeThroughSocket(socket: Socket, chunks: readonly string[], signal: AbortSignal): Promise<WriteResult> {
  return new Promise<WriteResult>((resolve) => {
    let written = 0;
    let answered = 0;
    let error: Error | undefined;
    const done = (): void => {
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(error === undefined ? { written } : { written, error });
    };
    // A socket destroyed under a write calls back with an error; 'close' is the backstop.
    const onClose = (): void => {
      error ??= new Error('connection closed during the write');
      done();
    };
    const onAbort = (): void => {
      error ??= abortReason(signal);
      socket.destroy();
    };
    socket.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.cork();
    for (const chunk of chunks) {
      socket.write(chunk, (problem) => {
        // Node calls back without an error for a write the kernel never took when the socket
        // was destroyed meanwhile (a reset seen on the read side): not written, then.
        if (problem || socket.destroyed) error ??= problem ?? new Error('connection closed during the write');
        else if (error === undefined) written++;
        if (++answered === chunks.length) done();
      });
    }
    socket.uncork();
  });
}
