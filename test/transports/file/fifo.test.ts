import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A reader of `fifo` that takes 4 KiB about every millisecond, copying to `out`; prints "open" once open. */
const SLOW_READER = `
  const fs = require('node:fs');
  const [fifo, out] = process.argv.slice(1);
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const copy = fs.openSync(out, 'w');
  const buffer = Buffer.alloc(4096);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  process.stdout.write('open\\n');
  let seen = false;
  for (;;) {
    let n = -1;
    try {
      n = fs.readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
    if (n === 0 && seen) break;
    if (n > 0) { seen = true; fs.writeSync(copy, buffer, 0, n); }
    Atomics.wait(pause, 0, 0, 1);
  }
`;

describe('file transport on a FIFO', () => {
  // Writes to a full pipe stop part-way, often inside a character: the rest must follow from that byte on.
  it('a slow reader: partial writes and EAGAIN are waited out, every line arrives whole, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fifo-'));
    dirs.push(dir);
    const fifo = join(dir, 'pipe.log');
    const out = join(dir, 'copy.log');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn(process.execPath, ['-e', SLOW_READER, fifo, out], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => reader.once('exit', resolve));
    await new Promise((resolve) => reader.stdout.once('data', resolve));
    const log = createLogger({ exitFlush: false, transports: [{ type: 'file', path: fifo, bufferSize: 200_000 }] });
    const messages: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      messages.push(`${i} ${'😀'.repeat(i % 9)}${'é'.repeat(i % 31)}`);
      log.info(messages[i]!);
      if (i % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await log.close();
    expect(await exited).toBe(0);
    expect(log.stats()).toMatchObject({ logged: 20_000, delivered: 20_000, failed: 0 });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(messages);
  });

  it('a line its reader stopped taking part-way through is ended before the next, not glued to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fifo-'));
    dirs.push(dir);
    const fifo = join(dir, 'pipe.log');
    const out = join(dir, 'copy.log');
    execFileSync('mkfifo', [fifo]);
    const go = join(dir, 'go');
    // Reads nothing until told (the file "go"): the write of the long line gives up after 10 s
    // without progress, its first 64 KiB in the pipe. Told, not timed: on a loaded machine the
    // give-up comes later than 10 s of wall time.
    const stalled = SLOW_READER.replace(
      "process.stdout.write('open\\n');",
      (open) => `${open} while (!fs.existsSync(${JSON.stringify(go)})) Atomics.wait(pause, 0, 0, 20);`,
    );
    expect(stalled).not.toBe(SLOW_READER);
    const reader = spawn(process.execPath, ['-e', stalled, fifo, out], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => reader.once('exit', resolve));
    await new Promise((resolve) => reader.stdout.once('data', resolve));
    const log = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [{ type: 'file', path: fifo }] });
    log.info('x'.repeat(100_000));
    await log.flush();
    expect(log.stats()).toMatchObject({ logged: 1, failed: 1 });
    writeFileSync(go, '');
    // A reader given up on is not waited for again until it takes bytes: 'after' goes once it has.
    while (!existsSync(out) || statSync(out).size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    log.info('after');
    await log.close();
    expect(await exited).toBe(0);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 1, failed: 1 });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    // The torn line stays (a FIFO cannot be cut), alone: the record after it reaches the reader whole.
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBeLessThan(100_000);
    expect((JSON.parse(lines[1]!) as { msg: string }).msg).toBe('after');
  }, 60_000);
});
