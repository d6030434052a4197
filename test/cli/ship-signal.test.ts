import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
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

describe('ship stopped while requests are out', () => {
  it('says how many records were out with no answer: the destination may have them', async () => {
    // The receiver reads each request and answers none: what it read may be stored there.
    let read = 0;
    server = createServer(async (req) => {
      read += (await readBody(req)).split('\n').filter(Boolean).length;
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const dir = tempFolder('cli-ship-unanswered');
    const config = join(dir, 'streamlog.json');
    writeFileSync(config, JSON.stringify({ transports: [{ type: 'http', url, batch: { maxRecords: 100 } }] }));
    writeFileSync(join(dir, 'a.log'), producerLines(5000));
    const result = await streamlog(['ship', '-c', config, '--signal-timeout', '300', join(dir, 'a.log')], {
      timeoutMs: 30_000,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (read === 0) return;
          clearInterval(poll);
          child.kill('SIGTERM');
        }, 10);
      },
    });
    expect(result.code).toBe(1);
    const out = Number(/\n(\d+) were out with no answer when the run stopped/.exec(result.stderr)?.[1]);
    expect(out).toBeGreaterThanOrEqual(read);
    expect(out).toBeGreaterThan(0);
    expect(result.stderr).toContain(`streamlog: ${out} of them were out with no answer: the destination may have them`);
  });
});

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0 && existsSync('/proc/self/status');

/** Whether the process has a SIGTERM handler (its SigCgt mask on Linux holds signal 15). */
function catchesSigterm(pid: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

describe.skipIf(!hasMkfifo)('ship of a FIFO stopped by a signal', () => {
  /** ship of a FIFO into out.log; `prepare` may open it as a writer; SIGTERM once `lines` are in. */
  async function shipFifo(name: string, prepare: (fifo: string) => number | undefined, lines: number) {
    const dir = tempFolder(name);
    const config = join(dir, 'streamlog.json');
    const out = join(dir, 'out.log');
    writeFileSync(config, JSON.stringify({ transports: [{ type: 'file', path: out }] }));
    const fifo = join(dir, 'app.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = prepare(fifo);
    const started = Date.now();
    try {
      const result = await streamlog(['ship', '-q', '-c', config, fifo], {
        timeoutMs: 8_000,
        onSpawn: (child) => {
          const poll = setInterval(() => {
            // Something catches SIGTERM (the logger's exit hook does first: a signal that comes
            // before the run's own handler ends the process by it), and the lines are in.
            if (!catchesSigterm(child.pid!)) return;
            if (!existsSync(out) || readFileSync(out, 'utf8').split('\n').length <= lines) return;
            clearInterval(poll);
            // The run's handler comes within the same turn, but a loaded machine may not run it for a while.
            setTimeout(() => child.kill('SIGTERM'), 500);
          }, 20);
        },
      });
      return { result, ms: Date.now() - started, out };
    } finally {
      if (writer !== undefined) closeSync(writer);
    }
  }

  it('no writer yet: the run ends (exit 1, the FIFO named), not waiting for ever in open()', async () => {
    const run = await shipFifo('cli-ship-fifo-none', () => undefined, 0);
    expect(run.result.signal).toBeNull();
    expect(run.result.stderr).toMatch(/reading stopped: .*app\.fifo: stopped by a signal before its end\n/);
    expect(run.result.code).toBe(1);
    expect(run.ms).toBeLessThan(6_000);
  });

  it('an idle writer: what it wrote is delivered, and the run ends without waiting for its next line', async () => {
    const run = await shipFifo(
      'cli-ship-fifo-idle',
      (fifo) => {
        // Read and write, so the open neither waits for a reader nor is one the command waits for.
        const fd = openSync(fifo, constants.O_RDWR);
        writeSync(fd, producerLines(2));
        return fd;
      },
      2,
    );
    expect(run.result.signal).toBeNull();
    expect(run.result.code).toBe(1);
    expect(run.ms).toBeLessThan(6_000);
    const indexes = readFileSync(run.out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { i: number }).i);
    expect(indexes).toEqual([0, 1]);
  });
});
