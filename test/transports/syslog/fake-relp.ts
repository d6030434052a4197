import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

// A RELP server on 127.0.0.1 for faults a real rsyslogd does not make: it answers `open` (with
// rsyslog's offers) and `close` itself, and hands each `syslog` command to the test, which
// answers it, or not, or breaks the connection. Its frame reader is its own, written from
// librelp's doc/relp.md, so it does not trust the transport's. Given a certificate and key, it
// speaks RELP over TLS (as imrelp with tls="on").

export interface SyslogCommand {
  socket: Socket;
  /** The connection's number, from 1. */
  connection: number;
  txnr: number;
  message: string;
  /** Every syslog command received so far, this one included, over all connections. */
  seen: number;
}

export interface FakeRelp {
  port: number;
  /** Every syslog command's message, in arrival order. */
  messages: string[];
  /** Connections made, and open commands received. */
  connections: number;
  opens: number;
  close(): void;
}

/** Writes `TXNR rsp LEN DATA LF`. */
export function answer(socket: Socket, txnr: number, data: string): void {
  const bytes = Buffer.from(data);
  socket.write(`${txnr} rsp ${bytes.length} ${data}\n`);
}

/**
 * `open`: the data of the answer to open (default: 200 and rsyslog's offers). `txnrs`: check
 * transaction numbers as librelp's receiver does, the first after open being `txnrs.first`:
 * each must be the one expected, the next expected being one more, however many digits it has
 * (librelp expects 1,000,000,000 after 999,999,999); any other breaks the session (serverclose).
 * `tls`: the server's certificate and key (PEM); connections are then TLS, counted once secured.
 */
export async function fakeRelp(
  onSyslog: (command: SyslogCommand) => void,
  open = '200 OK\nrelp_version=0\nrelp_software=fake\ncommands=syslog',
  txnrs?: { first: number; broken: number },
  tls?: { cert: string; key: string },
): Promise<FakeRelp> {
  const sockets: Socket[] = [];
  const state = { messages: [] as string[], connections: 0, opens: 0 };
  const onConnection = (socket: Socket): void => {
    sockets.push(socket);
    const connection = ++state.connections;
    let pending = Buffer.alloc(0);
    let expected = 1;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const head = /^(\d{1,9}) ([A-Za-z]{1,32}) (\d{1,9})/.exec(pending.toString('latin1', 0, 60));
        if (head === null) return;
        const [whole, txnr, command, length] = head;
        const size = Number(length);
        const dataStart = whole!.length + (size > 0 ? 1 : 0);
        if (pending.length < dataStart + size + 1) return;
        if (pending[dataStart + size] !== 0x0a) throw new Error(`fake RELP server: bad frame ${pending.toString()}`);
        const data = pending.toString('utf8', dataStart, dataStart + size);
        pending = pending.subarray(dataStart + size + 1);
        if (txnrs !== undefined) {
          if (Number(txnr) !== expected) {
            txnrs.broken++;
            socket.end('0 serverclose 0\n');
            socket.destroy();
            return;
          }
          expected = command === 'open' ? txnrs.first : expected > 999_999_999 ? 1 : expected + 1;
        }
        if (command === 'open') {
          state.opens++;
          answer(socket, Number(txnr), open);
        } else if (command === 'close') {
          answer(socket, Number(txnr), '200 OK');
          socket.end();
        } else if (command === 'syslog') {
          state.messages.push(data);
          onSyslog({ socket, connection, txnr: Number(txnr), message: data, seen: state.messages.length });
        }
        if (socket.destroyed) return;
      }
    });
  };
  const server: Server = tls === undefined ? createServer(onConnection) : createTlsServer(tls, onConnection);
  // A handshake refused (an untrusting client) is no test's business.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get messages() {
      return state.messages;
    },
    get connections() {
      return state.connections;
    },
    get opens() {
      return state.opens;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
