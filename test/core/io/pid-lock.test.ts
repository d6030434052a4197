import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockHeld, tryLock } from '../../../src/core/io/pid-lock.js';

/** This process's start on the monotonic clock, as a lock names it (each thread reads the same). */
const started = (): number => Math.round(Number(process.hrtime.bigint() / 1_000_000n) - process.uptime() * 1000);

function lockFile(content: string, ageMs = 0): string {
  const path = join(mkdtempSync(join(tmpdir(), 'streamlog-pid-lock-')), 'spool.ndjson.lock');
  writeFileSync(path, content);
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

describe('whose lock it is, when it names this process', () => {
  it("another thread's (or build's) lock, renewed lately, is held: not taken", () => {
    const path = lockFile(`${process.pid} ${started()} othercopy`);
    expect(lockHeld(path)).toBe(true);
    expect(tryLock(path)).toBeUndefined();
  });

  it("another thread's lock not renewed for over three minutes was left by a thread that ended: taken over", () => {
    // Held for as long as the process lived, a worker's spool ended with the worker stayed
    // unread, and a pool that respawns workers ran out of spool files (found by a review).
    const path = lockFile(`${process.pid} ${started()} othercopy`, 4 * 60_000);
    expect(lockHeld(path)).toBe(false);
    const lock = tryLock(path);
    expect(lock).toBeDefined();
    expect(readFileSync(path, 'utf8').split(' ')[0]).toBe(String(process.pid));
    lock!.release();
  });

  // Linux: a lock names its OS thread too, `<tid>/<start>` as /proc gives them.
  it.runIf(existsSync('/proc/thread-self'))('a sibling naming a thread: held while it runs, however old', () => {
    const tid = readlinkSync('/proc/thread-self').split('/')[2]!;
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    // This thread runs: held, though not renewed for ten minutes (a long synchronous task).
    const running = lockFile(`${process.pid} ${started()} othercopy ${tid}/${start}`, 10 * 60_000);
    expect(lockHeld(running)).toBe(true);
    expect(tryLock(running)).toBeUndefined();
    // The same id with another start (an id used again), or no such thread: ended, taken at once.
    for (const thread of [`${tid}/${Number(start) + 1}`, '999999999/1']) {
      const ended = lockFile(`${process.pid} ${started()} othercopy ${thread}`);
      expect(lockHeld(ended), thread).toBe(false);
      const lock = tryLock(ended);
      expect(lock, thread).toBeDefined();
      lock!.release();
    }
  });

  it('a lock naming our pid with another start, or a bare pid (an older version), is left over: taken', () => {
    for (const content of [`${process.pid} ${started() - 3_600_000} x`, String(process.pid)]) {
      const path = lockFile(content);
      expect(lockHeld(path), content).toBe(false);
      const lock = tryLock(path);
      expect(lock, content).toBeDefined();
      lock!.release();
    }
  });
});

describe('whose lock it is, when it names another live process', () => {
  const startOf = (pid: number): string => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
  };

  // Linux: a lock names its process's start as /proc says it, so a pid given to another
  // process since (pid 1 after a container's restart, a busy host) is told from its owner.
  it.runIf(existsSync('/proc/1/stat'))('held only while that pid is the process that wrote it', () => {
    // pid 1 lives for as long as the system does: its own start is its lock; another start is not.
    const owner = lockFile(`1 12345 othercopy 1/${startOf(1)} s=${startOf(1)}`);
    expect(lockHeld(owner)).toBe(true);
    expect(tryLock(owner)).toBeUndefined();
    const recycled = lockFile(`1 12345 othercopy 1/1 s=${Number(startOf(1)) + 1}`);
    expect(lockHeld(recycled)).toBe(false);
    const lock = tryLock(recycled);
    expect(lock).toBeDefined();
    expect(readFileSync(recycled, 'utf8')).toMatch(
      new RegExp(`^${process.pid} .* s=${startOf(process.pid)}( n=\\d+)?$`),
    );
    lock!.release();
    // A lock an older version wrote names no start: a live pid holds it, as before.
    expect(lockHeld(lockFile('1 12345 othercopy'))).toBe(true);
  });
});

describe('whose lock it is, when another PID namespace wrote it', () => {
  // Two containers on one volume: each has a pid 1, and neither can see the other's processes.
  // By the pid, each took the other's live lock; by its renewals, each holds what lives.
  it.runIf(existsSync('/proc/self/ns/pid'))('held while renewed, left over once it is not', () => {
    const ours = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))![1]!;
    const other = String(Number(ours) + 1);
    for (const pid of ['1', String(process.pid), '999999999']) {
      const renewed = lockFile(`${pid} 12345 othercopy 1/1 s=1 n=${other}`);
      expect(lockHeld(renewed), pid).toBe(true);
      expect(tryLock(renewed), pid).toBeUndefined();
      const silent = lockFile(`${pid} 12345 othercopy 1/1 s=1 n=${other}`, 4 * 60_000);
      expect(lockHeld(silent), pid).toBe(false);
      const lock = tryLock(silent);
      expect(lock, pid).toBeDefined();
      expect(readFileSync(silent, 'utf8')).toContain(` n=${ours}`);
      lock!.release();
    }
  });
});

describe('whose lock it is, when its owner is a zombie', () => {
  // Ended, not yet reaped by its parent: kill() still finds the pid, and /proc its start.
  it.runIf(existsSync('/proc/self/stat'))('left over: an ended process holds nothing', async () => {
    const shell = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (d) => resolve(String(d)))));
      const state = (): string => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]![0]!;
      for (let i = 0; i < 200 && state() !== 'Z'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(state()).toBe('Z');
      for (const content of [`${pid} 12345 othercopy`, `${pid} 12345 othercopy 1/1 s=1`]) {
        const path = lockFile(content);
        expect(lockHeld(path), content).toBe(false);
        const lock = tryLock(path);
        expect(lock, content).toBeDefined();
        lock!.release();
      }
    } finally {
      shell.kill('SIGKILL');
    }
  });
});
