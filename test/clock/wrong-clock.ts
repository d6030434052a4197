import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_ESM, requireBuild } from '../built.js';

/**
 * A module preloaded into a child (`node --import`) that gives it a wrong wall clock: Date.now()
 * and `new Date()` read the real time plus an offset (CLOCK_START, when set, makes the clock start
 * there, as a container whose clock starts in 1970); `globalThis.stepClock(ms)` steps it back or
 * forward at once, as NTP or a VM resumed after a suspend does, and the monotonic clock is left
 * alone; `globalThis.passTime(ms)` moves both on, as time passing.
 */
const CLOCK_MODULE = `
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
let offset = Number(process.env.CLOCK_OFFSET ?? 0);
if (process.env.CLOCK_START !== undefined) offset = Number(process.env.CLOCK_START) - realNow();
const now = () => realNow() + offset;
class WrongDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(now());
    else super(...args);
  }
  static now() {
    return now();
  }
}
globalThis.Date = WrongDate;
globalThis.stepClock = (ms) => {
  offset += ms;
};
// As if ms passed: the monotonic clock (process.hrtime) and the wall clock move on together.
let passed = 0n;
const realBigint = process.hrtime.bigint.bind(process.hrtime);
process.hrtime.bigint = () => realBigint() + passed;
globalThis.passTime = (ms) => {
  passed += BigInt(ms) * 1_000_000n;
  offset += ms;
};
`;

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'streamlog-clock-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Runs `body` (ESM, with `lib` the built library) in a child whose wall clock is wrong as `env`
 * says (CLOCK_OFFSET, CLOCK_START in epoch ms). Killed after 20 s: a hang is a failure.
 */
export function runWithClock(body: string, env: Record<string, string> = {}): Promise<ChildResult> {
  requireBuild();
  const dir = tempDir('streamlog-clock-child-');
  const clock = join(dir, 'clock.mjs');
  writeFileSync(clock, CLOCK_MODULE);
  const script = `const lib = await import(${JSON.stringify(DIST_ESM)});\n${body}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', clock, '--input-type=module', '-e', script], {
      timeout: 20_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
