import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryLines } from '../../built.js';

// A plugin that logs into its own logger for every record it handles fed itself for ever
// inside the first log call: SIGTERM never reached the process, and a file target filled
// the disk. Each case runs in a child with a file-size limit and a hard kill, so the
// failure this guards against shows as a failed test, not a hung run or a full disk.

/** A schema that takes any options, so the child needs no zod. */
const ANY_OPTIONS = '{ safeParse: (data) => ({ success: true, data }) }';

interface ChildResult {
  stats: { logged: number; delivered: number; dropped: number; failed: number; pending: number };
  diagnostics: string[];
  failures: string[];
  lines: number;
}

/** Runs `lines` (after the library's) in a child: at most 4 MB per file, killed after 20 s. */
function runLimited(lines: (out: string) => string[]): { result: SpawnSyncReturns<string>; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-echo-'));
  const script = join(dir, 'child.mjs');
  const out = join(dir, 'out.log');
  writeFileSync(script, [...libraryLines('esm'), 'let log;', ...lines(out)].join('\n'));
  // ulimit -f counts 512-byte blocks.
  const result = spawnSync('sh', ['-c', `ulimit -f 8192 && exec "${process.execPath}" "${script}"`], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });
  return { result, out };
}

/** `body` makes `log`; then three application records, close, and what the child saw. */
function runChild(body: string): ChildResult {
  const { result } = runLimited((out) => [
    `const out = ${JSON.stringify(out)};`,
    'const diagnostics = []; const failures = [];',
    body,
    "log.on('diagnostic', (message) => diagnostics.push(message));",
    "log.on('deliveryFailed', (failure) => failures.push(failure.reasons.map((r) => r.error.message).join('; ')));",
    "for (let i = 0; i < 3; i++) log.info({ i }, 'from the application');",
    'await log.close();',
    'let lines = 0;',
    "try { lines = (await import('node:fs')).readFileSync(out, 'utf8').split('\\n').length - 1; } catch {}",
    'process.stdout.write(JSON.stringify({ stats: log.stats(), diagnostics, failures, lines }));',
  ]);
  if (result.status !== 0) {
    throw new Error(`child ended with ${result.status ?? result.signal}: ${result.stderr.slice(0, 2000)}`);
  }
  return JSON.parse(result.stdout) as ChildResult;
}

/** Each application record brings MAX_ECHO_DEPTH (4) echoes; the echo past them is dropped. */
function expectBoundedEchoes(result: ChildResult): void {
  expect(result.stats).toMatchObject({ logged: 3 * 6, delivered: 3 * 5, dropped: 3, failed: 0, pending: 0 });
  expect(result.failures).toEqual(
    Array(3).fill(expect.stringMatching(/^dropped: logged while routing a record, 4 deep/)),
  );
  expect(result.diagnostics.filter((d) => d.startsWith('records dropped: logged while routing'))).toHaveLength(1);
}

describe('a plugin that logs for every record it handles', () => {
  it('a formatter: each record echoes 4 deep, the next echo is dropped and counted, the file stays small', () => {
    const result = runChild(`
      lib.registerFormatter('echoing', { schema: ${ANY_OPTIONS}, create: () => ({
        name: 'echoing', format(record) { log.warn('formatted one'); return record.json(); } }) });
      const file = { type: 'file', path: out, format: { type: 'echoing' } };
      log = lib.createLogger({ exitFlush: false, transports: [file] });`);
    expectBoundedEchoes(result);
    expect(result.lines).toBe(3 * 5);
  });

  it('a transport whose handle() logs: bounded the same way', () => {
    const result = runChild(`
      class Echoing extends lib.Transport {
        type = 'echoing';
        handle(record) { log.warn('handled one'); this.settleDelivered(1); }
      }
      log = lib.createLogger({ exitFlush: false, transports: [new Echoing({})] });`);
    expectBoundedEchoes(result);
  });

  it('a diagnostic listener that logs, with a transport that diagnoses every record: bounded too', () => {
    const result = runChild(`
      class Chatty extends lib.Transport {
        type = 'chatty';
        handle() { this.emit('diagnostic', 'took one'); this.settleDelivered(1); }
      }
      log = lib.createLogger({ exitFlush: false, transports: [new Chatty({ id: 'chatty' })] });
      log.on('diagnostic', (message) => log.warn({ message }, 'diagnostic'));`);
    // The guard's own diagnostic is logged too, one echo past the bound: one more drop.
    expect(result.stats).toMatchObject({ logged: 3 * 6 + 1, delivered: 3 * 5, dropped: 4, failed: 0, pending: 0 });
    expect(result.diagnostics.filter((d) => d.startsWith('records dropped: logged while routing'))).toHaveLength(1);
  });

  it('echoes within the depth are all delivered: a transport that logs once per application record', () => {
    const result = runChild(`
      class Noting extends lib.Transport {
        type = 'noting';
        handle(record) { if (record.level === 30) log.warn('noted one'); this.settleDelivered(1); }
      }
      log = lib.createLogger({ exitFlush: false, transports: [new Noting({})] });`);
    expect(result.stats).toMatchObject({ logged: 6, delivered: 6, dropped: 0, failed: 0, pending: 0 });
    expect(result.diagnostics).toEqual([]);
  });

  it('after the bound, SIGTERM reaches the process again', () => {
    const { result, out } = runLimited((out) => [
      `lib.registerFormatter('echoing', { schema: ${ANY_OPTIONS}, create: () => ({`,
      "  name: 'echoing', format(record) { log.warn('formatted one'); return record.json(); } }) });",
      `const file = { type: 'file', path: ${JSON.stringify(out)}, format: { type: 'echoing' } };`,
      'log = lib.createLogger({ transports: [file] });',
      "log.info('start');",
      "process.kill(process.pid, 'SIGTERM');",
      'setInterval(() => {}, 1000);',
    ]);
    expect(result.signal).toBe('SIGTERM');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(5);
  });
});
