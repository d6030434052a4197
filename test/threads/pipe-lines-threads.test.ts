import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

// Found by a helper attacking worker threads. Each thread loads its own copy of the library, so
// each writes stdout (or a FIFO named as a file's path) itself, as each process of a cluster
// does. A pipe keeps a write whole only up to PIPE_BUF (4 KiB on Linux): a tick's 64 KiB of
// lines written at once into a full pipe went in part, and another thread's lines came in
// between, mid-line (about 600 torn lines in 250,000 from five threads). Lines now go to a pipe
// in writes of whole lines no longer than that.

/**
 * Five threads (the main one and four workers) each log 20,000 short records to `target`; to
 * `dead letter`, each to a file that cannot be opened, so every record goes to the dead
 * letter, which is stdout.
 */
const script = (target: 'console' | 'dead letter' | string) => `
  import { Worker, isMainThread, threadId } from 'node:worker_threads';
  import { createLogger } from ${JSON.stringify(DIST_ESM)};
  const config = ${JSON.stringify(
    target === 'console'
      ? { transports: [{ type: 'console' }] }
      : target === 'dead letter'
        ? { transports: [{ type: 'file', path: '/dev/null/cannot' }], router: { deadLetter: '/dev/stdout' } }
        : { transports: [{ type: 'file', path: target }] },
  )};
  async function run() {
    const log = createLogger(config);
    for (let i = 0; i < 20000; i++) {
      log.info({ thread: threadId, i, pad: 'p'.repeat(i % 90) }, 'record');
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
  }
  if (isMainThread) {
    const workers = Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url));
      worker.on('error', reject);
      worker.on('exit', resolve);
    }));
    await run();
    await Promise.all(workers);
  } else await run();
`;

/** Reads the child's stdout slowly (a pause now and then, so the pipe fills) and sorts its lines. */
function readLines(child: ReturnType<typeof spawn>, stream: NodeJS.ReadableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    let chunks = 0;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      if (++chunks % 4 === 0) {
        stream.pause();
        setImmediate(() => stream.resume());
      }
    });
    stream.on('end', () => resolve(text.split('\n')));
    child.on('error', reject);
  });
}

function tally(lines: string[]): { whole: number; torn: string[] } {
  let whole = 0;
  const torn: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    try {
      const parsed = JSON.parse(line);
      if ((parsed.record ?? parsed).msg === 'record') whole++;
      else torn.push(line);
    } catch {
      torn.push(line.slice(0, 200));
    }
  }
  return { whole, torn };
}

describe('five threads writing one pipe: no line cut by another thread’s', () => {
  it('the console, stdout a pipe', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-pipe-threads-'));
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script('console'));
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
    const lines = await readLines(child, child.stdout!);
    const { whole, torn } = tally(lines);
    expect(torn).toEqual([]);
    expect(whole).toBe(100_000);
  });

  // Found by a reviewer: the dead letter wrote a tick's lines at once, as the console did.
  // Node hands a child's stdout over as a socket: `/dev/stdout` cannot be opened by name then.
  it('the dead letter, stdout a pipe', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-pipe-threads-'));
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script('dead letter'));
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 120_000 });
    const lines = await readLines(child, child.stdout!);
    const { whole, torn } = tally(lines);
    expect(torn).toEqual([]);
    expect(whole).toBe(100_000);
  });

  it('a file transport whose path is a FIFO', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fifo-threads-'));
    const fifo = join(dir, 'app.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script(fifo));
    // Held open (reading and writing) by the test, the FIFO has a reader when the logger opens it
    // (else its open fails at once) and a writer until the run ends (else cat stops at the first
    // thread's close).
    const held = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
    const lines = readLines(reader, reader.stdout!);
    const child = spawn(process.execPath, [file], { stdio: 'inherit', timeout: 120_000 });
    const status = await new Promise((resolve) => child.on('close', resolve));
    closeSync(held);
    expect(status).toBe(0);
    const { whole, torn } = tally(await lines);
    expect(torn).toEqual([]);
    expect(whole).toBe(100_000);
  });
});
