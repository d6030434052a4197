import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Spool } from '../../../src/core/io/spool.js';

afterEach(() => {
  vi.useRealTimers();
});

describe("a spool's owner mark", () => {
  it("is renewed by the file system's clock, as its lock is: a process clock in 2001 does not age it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-owner-time-'));
    const spool = Spool.claim(dir, 'http#0');
    spool.append('{"level":30,"msg":"parked"}\n');
    const mark = `${spool.path}.owner`;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2001, 0, 1));
    try {
      expect(spool.keepLock()).toBe(true);
      spool.close();
    } finally {
      vi.useRealTimers();
    }
    // Before: the mark's mtime was 2001-01-01 (utimes from the process's clock), the spool file's today.
    const spoolTime = statSync(spool.path).mtimeMs;
    expect(Math.abs(statSync(mark).mtimeMs - spoolTime)).toBeLessThan(60_000);
    expect(statSync(mark).mtimeMs).toBeGreaterThanOrEqual(spoolTime - 1000);
  });
});
