import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 nothing listens on now (a server may take it, or it refuses). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
