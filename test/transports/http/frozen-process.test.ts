import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// A process frozen while its request is out (a serverless function's instance between
// invocations, a container paused, a laptop asleep) finds, once thawed, both the answer in
// its socket and its timeouts long past. Node runs expired timers before it reads sockets:
// the attempt was given up as unanswered and the batch sent again, every record twice.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The receiver's view: lines received, requests, and the child's last stdout line (its stats). */
async function freezeWhileOut(
  timeoutMs: number,
): Promise<{ lines: number; requests: number; stats: Record<string, number> }> {
  requireBuild();
  let lines = 0;
  let requests = 0;
  let child: ReturnType<typeof spawn> | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      lines += body.split('\n').filter((line) => line !== '').length;
      if (requests > 1) {
        res.end('ok');
        return;
      }
      // The first request: the sender is frozen before its answer goes, and thawed once every
      // timeout it set has passed; the answer waits in its socket meanwhile.
      child?.kill('SIGSTOP');
      setTimeout(() => res.end('ok'), 100);
      setTimeout(() => child?.kill('SIGCONT'), 100 + 3 * timeoutMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const log = createLogger({ transports: [{ type: 'http', url: ${JSON.stringify(url)}, timeoutMs: ${timeoutMs},
      batch: { intervalMs: 10 } }] });
    for (let i = 0; i < 10; i++) log.info({ i }, 'handled');
    await log.flush();
    const { logged, delivered, failed, pending, possibleDuplicates } = log.stats();
    await log.close();
    process.stdout.write(JSON.stringify({ logged, delivered, failed, pending, possibleDuplicates }) + '\\n');
  `;
  child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const killer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
  await new Promise((resolve) => child?.on('exit', resolve));
  clearTimeout(killer);
  // Let a resend that raced the child's end reach the receiver's count.
  await sleep(50);
  server.close();
  expect(stderr).toBe('');
  return { lines, requests, stats: JSON.parse(stdout.trim().split('\n').at(-1) as string) };
}

describe('a process frozen while a request is out', () => {
  it('thawed with the answer waiting: the batch counts delivered once, not sent again', async () => {
    const { lines, requests, stats } = await freezeWhileOut(500);
    expect(stats).toEqual({ logged: 10, delivered: 10, failed: 0, pending: 0, possibleDuplicates: 0 });
    expect({ lines, requests }).toEqual({ lines: 10, requests: 1 });
  }, 40_000);
});
