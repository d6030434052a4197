import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody, tempFolder } from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A receiver that takes every record, each request answered after `delayMs` (a slow destination). */
async function slowReceiver(delayMs: number): Promise<{ url: string; received: number[] }> {
  const received: number[] = [];
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    setTimeout(() => {
      for (const line of body.split('\n')) if (line) received.push((JSON.parse(line) as { i: number }).i);
      res.writeHead(200);
      res.end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, received };
}

describe('ship stopped by a signal', () => {
  it('a file not read to its end (and the files after it) are named, exit 1: not "done"', async () => {
    const receiver = await slowReceiver(50);
    const dir = tempFolder('cli-ship-sigterm');
    const config = join(dir, 'streamlog.json');
    const http = { type: 'http', id: 'central', url: receiver.url, batch: { intervalMs: 20, maxRecords: 500 } };
    writeFileSync(config, JSON.stringify({ transports: [http] }));
    writeFileSync(join(dir, 'big.log'), producerLines(100_000));
    writeFileSync(join(dir, 'next.log'), producerLines(10, 100_000));
    const result = await streamlog(['ship', '-q', '-c', config, join(dir, 'big.log'), join(dir, 'next.log')], {
      timeoutMs: 30_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (receiver.received.length === 0) return;
          clearInterval(poll);
          child.kill('SIGTERM');
        }, 10);
      },
    });
    // What was read is delivered, once each; the rest of big.log and next.log were never read.
    expect(receiver.received.length).toBeGreaterThan(0);
    expect(receiver.received.length).toBeLessThan(100_000);
    expect(new Set(receiver.received).size).toBe(receiver.received.length);
    expect(result.stderr).toMatch(
      /^streamlog: reading stopped: .*big\.log: stopped by a signal before its end \(1 file after it not read\)$/m,
    );
    expect(result.code).toBe(1);
  });
});
