import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';

/**
 * UDP: one datagram per message, sent when the socket's send callback says so. Nothing
 * tells whether a datagram arrived; a refused one (a send error) is tried again.
 */
export class DatagramSender {
  private socket: Socket | undefined;
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends each message; resolves with the indexes of those the socket refused, and why the first was. */
  send(messages: readonly Buffer[]): Promise<{ refused: number[]; error?: Error }> {
    if (this.closed) return Promise.reject(new Error('sender closed'));
    const socket = this.open();
    return new Promise((resolve) => {
      const refused: number[] = [];
      let why: Error | undefined;
      let answered = 0;
      if (messages.length === 0) resolve({ refused });
      messages.forEach((message, index) => {
        socket.send(message, this.port, this.host, (error) => {
          if (error) {
            refused.push(index);
            why ??= error;
          }
          if (++answered < messages.length) return;
          refused.sort((a, b) => a - b);
          resolve(why === undefined ? { refused } : { refused, error: why });
        });
      });
    });
  }

  private open(): Socket {
    if (this.socket !== undefined) return this.socket;
    const socket = createSocket(isIP(this.host) === 6 ? 'udp6' : 'udp4');
    socket.unref();
    // Errors reach each send's callback; an 'error' event must not crash the process.
    socket.on('error', () => {
      if (this.socket === socket) this.socket = undefined;
      socket.close();
    });
    this.socket = socket;
    return socket;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = undefined;
  }
}
