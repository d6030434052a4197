import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DIST_ESM, ROOT, requireBuild } from '../../built.js';

const BAD = '/proc/not/here.log';

/**
 * A child logs to a file that cannot be opened, once, then again after the first failure
 * settled, then through a second logger, then (with its clock moved on `laterMs`) once more.
 */
function run(options: string, laterMs = 0): { stderr: string; stdout: string; status: number | null } {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const realNow = Date.now;
    let shift = 0;
    Date.now = () => realNow() + shift;
    // Time passing moves the monotonic clock on too (the windows are on it).
    const realBigint = process.hrtime.bigint.bind(process.hrtime);
    process.hrtime.bigint = () => realBigint() + BigInt(shift) * 1_000_000n;
    const make = () => createLogger({ ${options} transports: [{ type: 'file', path: ${JSON.stringify(BAD)} }] });
    const settled = async (log, n) => { while (log.stats().failed < n) await new Promise((r) => setTimeout(r, 5)); };
    const first = make();
    first.info('one');
    await settled(first, 1);
    first.info('two');
    await settled(first, 2);
    const second = make();
    second.info('three');
    await settled(second, 1);
    shift = ${laterMs};
    if (shift > 0) { first.info('four'); await settled(first, 3); }
    process.stdout.write(String(first.stats().failed + second.stats().failed));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stderr: result.stderr, stdout: result.stdout, status: result.status };
}

describe('diagnostics without a handler', () => {
  it('go to stderr as one line naming the path, each distinct problem once a minute', () => {
    const { stderr, stdout, status } = run('');
    expect(status).toBe(0);
    expect(stdout).toBe('3');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^streamlog: file#0: cannot open log file \/proc\/not\/here\.log: ENOENT$/);
    // The failures the minute held back, summed at the end (stderr said none of the 3 before).
    expect(lines[1]).toBe(
      'streamlog: 3 record(s) failed (file#0: cannot open log file /proc/not/here.log: ENOENT), ' +
        'in 3 report(s) held back until the end',
    );
  });

  it('say a problem again once the minute has passed, with what the minute held back summed first', () => {
    const { stderr, stdout } = run('', 61_000);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([
      'streamlog: file#0: cannot open log file /proc/not/here.log: ENOENT',
      'streamlog: 3 record(s) failed (file#0: cannot open log file /proc/not/here.log: ENOENT), ' +
        'in 3 report(s) held back in the minute before',
      'streamlog: 1 record(s) failed (file#0: cannot open log file /proc/not/here.log: ENOENT)',
    ]);
    // What stderr says adds up to what failed.
    expect(lines.reduce((sum, line) => sum + Number(/: (\d+) record/.exec(line)?.[1] ?? 0), 0)).toBe(Number(stdout));
  });

  it('are silenced by diagnostics: false', () => {
    const { stderr, stdout } = run('diagnostics: false,', 61_000);
    expect(stdout).toBe('4');
    expect(stderr).toBe('');
  });

  it('go to the handler, and not to stderr, when one is given', () => {
    const { stderr, stdout } = run("diagnostics: (m) => process.stdout.write('[' + m + ']'),");
    expect(stdout).toMatch(/^\[file#0: cannot open log file \/proc\/not\/here\.log: ENOENT\]/);
    expect(stderr).toBe('');
  });
});

describe('a flood of distinct problems without a handler', () => {
  it('says at most a bounded number of lines a minute, says it holds the rest back, then how many', () => {
    requireBuild();
    // 300 loggers, each to its own unopenable path (letters only: numbers would make them one problem).
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const realNow = Date.now;
      let shift = 0;
      Date.now = () => realNow() + shift;
      const realBigint = process.hrtime.bigint.bind(process.hrtime);
      process.hrtime.bigint = () => realBigint() + BigInt(shift) * 1_000_000n;
      const name = (i) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[d]);
      const settle = async (logs) => {
        while (logs.some((log) => log.stats().failed < 1)) await new Promise((r) => setTimeout(r, 5));
      };
      const make = (path) => createLogger({ base: null, transports: [{ type: 'file', path }] });
      const logs = [];
      for (let i = 0; i < 300; i++) logs.push(make('/proc/not/' + name(i) + '.log'));
      for (const log of logs) log.info('x');
      await settle(logs);
      process.stdout.write(String(logs.reduce((n, log) => n + log.stats().failed, 0)));
      process.stderr.write('-- a minute later --\\n');
      shift = 61_000;
      const late = make('/proc/not/late.log');
      late.info('x');
      await settle([late]);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(result.stdout).toBe('300');
    const [first, later] = result.stderr
      .split('-- a minute later --\n')
      .map((text) => text.split('\n').filter(Boolean));
    expect(first!.length).toBeLessThan(50);
    const notices = first!.filter((line) => line.includes('distinct problems than stderr is given per minute'));
    expect(notices).toHaveLength(1);
    expect(first!.at(-1)).toBe(notices[0]);
    expect(later![0]).toMatch(/ \(\d+ other problem\(s\) not shown before it\)$/);
  });
});

describe('counts held back for one problem in different words', () => {
  it('are summed apart: reports told apart only by a number in their words (HTTP 503, HTTP 400)', () => {
    requireBuild();
    const module = join(ROOT, 'dist/esm/core/logger/stderr-diagnostics.js');
    const script = `
      import { writeDiagnostic } from ${JSON.stringify(module)};
      const failed = (n, status) => writeDiagnostic(n + ' record(s) failed (http#0: HTTP ' + status + ')');
      failed(1, 503);
      for (let i = 0; i < 5; i++) failed(10, 503);
      for (let i = 0; i < 2; i++) failed(7, 400);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'streamlog: 1 record(s) failed (http#0: HTTP 503)',
      // Before: one line, "64 record(s) failed (http#0: HTTP 400), in 7 report(s) …": the 503s said as 400s.
      'streamlog: 50 record(s) failed (http#0: HTTP 503), in 5 report(s) held back until the end',
      'streamlog: 14 record(s) failed (http#0: HTTP 400), in 2 report(s) held back until the end',
    ]);
  });

  it('in more words than are kept apart: the rest summed under the last words, and said to be so', () => {
    requireBuild();
    const module = join(ROOT, 'dist/esm/core/logger/stderr-diagnostics.js');
    const script = `
      import { writeDiagnostic } from ${JSON.stringify(module)};
      writeDiagnostic('1 record(s) failed (http#0: took 0 ms)');
      for (let i = 1; i <= 20; i++) writeDiagnostic('2 record(s) failed (http#0: took ' + i + ' ms)');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = result.stderr.split('\n').filter(Boolean);
    const sum = lines.slice(1).reduce((total, line) => total + Number(/^streamlog: (\d+)/.exec(line)![1]), 0);
    expect(sum).toBe(40);
    expect(lines.length).toBeLessThanOrEqual(1 + 8);
    expect(lines.at(-1)).toMatch(/^streamlog: 26 record\(s\) failed \(http#0: took 20 ms\), in 13 report\(s\) /);
    expect(lines.at(-1)).toMatch(/in other words as well/);
  });
});

describe('a diagnostic listener that throws (found by attacking the ends of a process)', () => {
  it.each([
    ["log.on('diagnostic')", '', "log.on('diagnostic', () => { throw new Error('metrics client not ready'); });"],
    ['the diagnostics option', "diagnostics: () => { throw new Error('metrics client not ready'); },", ''],
  ])('%s: what it was told goes to stderr, saying so (every failure went unsaid)', (_name, option, listen) => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ ${option} transports: [{ type: 'file', path: ${JSON.stringify(BAD)} }] });
      ${listen}
      for (let i = 0; i < 3; i++) log.info({ i }, 'rec');
      while (log.stats().failed < 3) await new Promise((r) => setTimeout(r, 5));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    // The failures of the records, said (summed up at the end, as stderr does), and the throw with them.
    expect(result.stderr).toContain(
      '3 record(s) failed (file#0: cannot open log file /proc/not/here.log: ENOENT) ' +
        '(a diagnostic listener threw: Error: metrics client not ready)',
    );
  });
});
