import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-removed-'));
  dirs.push(dir);
  return dir;
}

function messages(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

function fileLogger(path: string): { log: Logger; diagnostics: string[] } {
  const diagnostics: string[] = [];
  const log = createLogger({
    exitFlush: false,
    diagnostics: (m) => diagnostics.push(m),
    transports: [{ type: 'file', path }],
  });
  return { log, diagnostics };
}

async function logEach(log: Logger, label: string, count: number): Promise<void> {
  // A file that does not rotate has its path looked at before a write at most once a millisecond.
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < count; i++) log.info(`${label} ${i}`);
  await log.flush();
}

/** Every line logged was delivered (the test checks they are on disk where a reader looks). */
function expectAddsUp(log: Logger, lines: number): void {
  const { logged, delivered, failed, dropped, pending } = log.stats();
  expect({ logged, delivered, failed, dropped, pending }).toEqual({
    logged: lines,
    delivered: lines,
    failed: 0,
    dropped: 0,
    pending: 0,
  });
}

const after = Array.from({ length: 5 }, (_, i) => `after ${i}`);

describe('file transport: its path changed underneath it (no rotation configured)', () => {
  it('the file deleted (rm): later lines go to a new file at the path, and the deletion is reported', async () => {
    const path = join(tempDir(), 'app.log');
    const { log, diagnostics } = fileLogger(path);
    await logEach(log, 'before', 5);
    rmSync(path);
    await logEach(log, 'after', 5);
    expect(messages(path)).toEqual(after);
    expect(diagnostics.join('\n')).toContain(`log file ${path} was deleted while open`);
    expectAddsUp(log, 10);
    await log.close();
  });

  it('its folder deleted (rm -r): the folder and file are made again for later lines', async () => {
    const dir = join(tempDir(), 'logs');
    const path = join(dir, 'app.log');
    const { log } = fileLogger(path);
    await logEach(log, 'before', 5);
    rmSync(dir, { recursive: true });
    await logEach(log, 'after', 5);
    expect(messages(path)).toEqual(after);
    expectAddsUp(log, 10);
    await log.close();
  });

  it("logrotate's create: moved, then a new empty file made by someone else; later lines go to it", async () => {
    const path = join(tempDir(), 'app.log');
    const { log, diagnostics } = fileLogger(path);
    await logEach(log, 'before', 5);
    renameSync(path, `${path}.1`);
    writeFileSync(path, '', { mode: 0o600 });
    chmodSync(path, 0o600);
    await logEach(log, 'after', 5);
    expect(messages(`${path}.1`)).toEqual(Array.from({ length: 5 }, (_, i) => `before ${i}`));
    expect(messages(path)).toEqual(after);
    // Its permissions are the creator's to choose; nothing of ours changes them.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(diagnostics).toEqual([]);
    expectAddsUp(log, 10);
    await log.close();
  });

  it('replaced by a folder: later lines fail and are reported, never counted delivered', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const { log, diagnostics } = fileLogger(path);
    await logEach(log, 'before', 5);
    rmSync(path);
    mkdirSync(path);
    await logEach(log, 'after', 5);
    expect(diagnostics.join('\n')).toContain(`cannot open log file ${path}: EISDIR`);
    expect(log.stats()).toMatchObject({ logged: 10, delivered: 5, failed: 5, dropped: 0, pending: 0 });
    await log.close();
  });
});
