import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/core/io/spool.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-spool-safety-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A claim closed after the test, whatever it asserts. */
function claim(dir: string, id: string): Spool {
  const spool = Spool.claim(dir, id);
  cleanups.push(() => spool.close());
  return spool;
}

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  const { pid, status } = spawnSync(process.execPath, ['-e', '']);
  expect(status).toBe(0);
  return pid!;
}

/** A live process holding `lockPath` the way a logger does: created exclusively, naming its pid. */
async function lockHolder(lockPath: string): Promise<ChildProcess> {
  const script = `require('fs').writeFileSync(process.argv[1], String(process.pid), { flag: 'wx' });
    process.stdout.write('ready'); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, ['-e', script, lockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => holder.kill());
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return holder;
}

describe('a spool only uses its own files', () => {
  const secret = '{"secret":1}\n{"secret":2}\n{"torn":';

  /**
   * The claim passed over the refused file for the next name, said why, and everything a
   * logger then does with its spool leaves `victim` as it was.
   */
  function passedOver(spool: Spool, dir: string, reason: RegExp, victim?: string): void {
    expect(spool.problem).toBeUndefined();
    expect(spool.skipped.map((e) => e.message)).toEqual([expect.stringMatching(reason)]);
    expect(spool.path).toBe(join(dir, 't.2.ndjson'));
    expect(spool.count).toBe(0);
    spool.append('{"new":1}\n');
    expect(spool.read(100)).toEqual(['{"new":1}\n']);
    spool.commit(spool.position);
    spool.close();
    if (victim === undefined) return;
    expect(readFileSync(victim, 'utf8')).toBe(secret);
    expect(lstatSync(victim).size).toBe(Buffer.byteLength(secret));
  }

  it('a symlink at the spool file is passed over: its target is never read, written or cut', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.ndjson');
    writeFileSync(victim, secret);
    symlinkSync(victim, join(dir, 't.ndjson'));
    passedOver(claim(dir, 't'), dir, /t\.ndjson: it is a symbolic link/, victim);
    expect(lstatSync(join(dir, 't.ndjson')).isSymbolicLink()).toBe(true); // left as found
  });

  it('a second hard link to the spool file is passed over the same way', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.ndjson');
    writeFileSync(victim, secret);
    linkSync(victim, join(dir, 't.ndjson'));
    passedOver(claim(dir, 't'), dir, /has other hard links/, victim);
  });

  it('a spool path that is not a regular file is passed over', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 't.ndjson'));
    passedOver(claim(dir, 't'), dir, /is not a regular file/);
    expect(lstatSync(join(dir, 't.ndjson')).isDirectory()).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('a spool file owned by another uid is passed over, even when we are root', () => {
    const dir = tempDir();
    const path = join(dir, 't.ndjson');
    writeFileSync(path, secret);
    chownSync(path, 65534, 65534);
    passedOver(claim(dir, 't'), dir, /owned by uid 65534, not 0/, path);
    expect(lstatSync(path).uid).toBe(65534);
  });

  it('when every name is refused, the spool is not used and says why', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.ndjson');
    writeFileSync(victim, secret);
    symlinkSync(victim, join(dir, 't.ndjson'));
    for (let n = 2; n <= 64; n++) symlinkSync(victim, join(dir, `t.${n}.ndjson`));
    const spool = claim(dir, 't');
    expect(spool.problem?.message).toMatch(/t\.ndjson: it is a symbolic link/);
    expect(() => spool.append('{"new":1}\n')).toThrow(spool.problem!);
    spool.close();
    expect(readFileSync(victim, 'utf8')).toBe(secret);
  });

  it('a symlink at the offset file is never followed: not read, and replaced rather than written through', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim');
    // Followed, "8" would be a sound offset: the first line would be skipped.
    writeFileSync(victim, '8');
    writeFileSync(join(dir, 't.ndjson'), '{"a":1}\n{"a":2}\n{"a":3}\n');
    const offsetPath = join(dir, 't.ndjson.offset');
    symlinkSync(victim, offsetPath);

    const spool = claim(dir, 't');
    expect(spool.problem).toBeUndefined();
    expect(spool.count).toBe(3);
    expect(spool.read(2)).toEqual(['{"a":1}\n', '{"a":2}\n']);
    spool.commit(spool.position);
    spool.close();
    expect(readFileSync(victim, 'utf8')).toBe('8');
    expect(lstatSync(offsetPath).isFile()).toBe(true);
    expect(readFileSync(offsetPath, 'utf8')).toBe('16');
    expect(existsSync(`${offsetPath}.tmp`)).toBe(false);

    const next = claim(dir, 't');
    expect(next.read(10)).toEqual(['{"a":3}\n']);
  });

  it('a symlink at the lock file is not followed nor taken over: the next file is used', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim');
    // Followed, it would name a dead owner: the lock would be taken over, the link with it.
    const dead = String(deadPid());
    writeFileSync(victim, dead);
    symlinkSync(victim, join(dir, 't.ndjson.lock'));
    const spool = claim(dir, 't');
    expect(spool.path).toBe(join(dir, 't.2.ndjson'));
    spool.append('{"a":1}\n');
    spool.close();
    expect(readFileSync(victim, 'utf8')).toBe(dead);
    expect(lstatSync(join(dir, 't.ndjson.lock')).isSymbolicLink()).toBe(true);
  });
});

describe('adopting what a dead owner left', () => {
  it('cuts off the torn last line before appending, so the next record is not glued to it', () => {
    const dir = tempDir();
    const path = join(dir, 't.ndjson');
    writeFileSync(path, '{"a":1}\n{"b":');
    const spool = claim(dir, 't');
    expect(spool.count).toBe(1);
    spool.append('{"c":3}\n');
    expect(spool.read(10)).toEqual(['{"a":1}\n', '{"c":3}\n']);
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n{"c":3}\n');
  });

  it('a file holding only a torn line is emptied', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.ndjson'), `{"b":"${'x'.repeat(100_000)}`);
    const spool = claim(dir, 't');
    expect(spool.count).toBe(0);
    spool.append('{"c":3}\n');
    expect(spool.read(10)).toEqual(['{"c":3}\n']);
  });

  it('takes in every orphan of the same target, unread lines only, in order per file, then removes them', () => {
    const dir = tempDir();
    const dead = deadPid();
    const file = (n: number) => join(dir, n === 1 ? 't.ndjson' : `t.${n}.ndjson`);
    // Ours-to-be: one line already settled (offset 8), one unread, one torn.
    writeFileSync(file(1), '{"a":0}\n{"a":1}\n{"a":');
    writeFileSync(`${file(1)}.offset`, '8');
    writeFileSync(`${file(1)}.lock`, String(dead));
    // A worker killed mid-append, with part of its lines settled.
    writeFileSync(file(2), '{"b":0}\n{"b":1}\n{"b":2}\n{"b":');
    writeFileSync(`${file(2)}.offset`, '8');
    writeFileSync(`${file(2)}.lock`, String(dead));
    // A worker that closed with lines unsent (its lock released), beyond a gap.
    writeFileSync(file(5), '{"e":0}\n{"e":1}\n');

    const spool = claim(dir, 't');
    expect(spool.problem).toBeUndefined();
    expect(spool.path).toBe(file(1));
    expect(spool.count).toBe(5);
    spool.append('{"new":0}\n');
    expect(spool.count).toBe(6);
    for (const n of [2, 5]) {
      for (const suffix of ['', '.offset', '.lock']) expect(existsSync(file(n) + suffix)).toBe(false);
    }
    expect(spool.read(100)).toEqual(['{"a":1}\n', '{"b":1}\n', '{"b":2}\n', '{"e":0}\n', '{"e":1}\n', '{"new":0}\n']);
    expect(spool.empty).toBe(true);
  });

  it('leaves alone a file whose lock a live process holds, and still adopts the orphans', async () => {
    const dir = tempDir();
    const file = (n: number) => join(dir, n === 1 ? 't.ndjson' : `t.${n}.ndjson`);
    const held = '{"live":0}\n{"live":1}\n{"live":';
    writeFileSync(file(1), held);
    const holder = await lockHolder(`${file(1)}.lock`);
    writeFileSync(file(3), '{"orphan":0}\n');
    writeFileSync(`${file(3)}.lock`, String(deadPid()));

    const spool = claim(dir, 't');
    expect(spool.path).toBe(file(2)); // the first is the live holder's
    expect(spool.read(10)).toEqual(['{"orphan":0}\n']);
    spool.close();
    expect(readFileSync(file(1), 'utf8')).toBe(held);
    expect(readFileSync(`${file(1)}.lock`, 'utf8')).toBe(String(holder.pid));
    expect(existsSync(`${file(1)}.offset`)).toBe(false);
    expect(existsSync(file(3))).toBe(false);
  });
});

describe('the lock of an open spool', () => {
  it('removed under its live owner (a temp cleaner) is made again, so a second claim takes the next file', () => {
    const dir = tempDir();
    const spool = claim(dir, 't');
    const lock = join(dir, 't.ndjson.lock');
    rmSync(lock);
    expect(spool.keepLock()).toBe(true);
    expect(readFileSync(lock, 'utf8').split(' ')[0]).toBe(String(process.pid));
    expect(claim(dir, 't').path).toBe(join(dir, 't.2.ndjson'));
  });

  it('has its time renewed, so an age-based cleaner sees it in use', () => {
    const dir = tempDir();
    const spool = claim(dir, 't');
    const lock = join(dir, 't.ndjson.lock');
    const monthAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    utimesSync(lock, monthAgo, monthAgo);
    expect(spool.keepLock()).toBe(true);
    expect(Date.now() - lstatSync(lock).mtimeMs).toBeLessThan(60_000);
  });

  it('that cannot be kept is told once to onTrouble, with why, and again only after it was kept', async () => {
    const dir = tempDir();
    const spool = claim(dir, 't');
    const told: string[] = [];
    spool.onTrouble = (message) => told.push(message);
    const lock = join(dir, 't.ndjson.lock');
    rmSync(lock);
    const holder = await lockHolder(lock);
    expect(spool.keepLock()).toBe(false);
    expect(spool.keepLock()).toBe(false);
    const message = (pid: number | undefined) =>
      `spool lock ${lock} could not be kept (it names another owner now (pid ${pid})): ` +
      `another logger may be using ${join(dir, 't.ndjson')} as well`;
    expect(told).toEqual([message(holder.pid)]);
    holder.kill();
    rmSync(lock);
    expect(spool.keepLock()).toBe(true);
    rmSync(lock);
    const next = await lockHolder(lock);
    expect(spool.keepLock()).toBe(false);
    expect(told).toEqual([message(holder.pid), message(next.pid)]);
  });

  it('taken by another live owner in the moment it was gone is left to that owner', async () => {
    const dir = tempDir();
    const spool = claim(dir, 't');
    const lock = join(dir, 't.ndjson.lock');
    rmSync(lock);
    const holder = await lockHolder(lock);
    expect(spool.keepLock()).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(String(holder.pid));
  });
});
