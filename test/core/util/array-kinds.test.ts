import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doubleList, objectList } from '../../../src/core/util/array-kinds.js';
import { DIST_ESM, requireBuild, ROOT } from '../../built.js';

/** Runs a logging loop in a child with V8's deoptimizations traced; what it printed. */
function tracedLoop(script: string): string {
  requireBuild();
  const head = `const { createLogger } = await import(${JSON.stringify(DIST_ESM)});\n`;
  const child = spawnSync(process.execPath, ['--trace-deopt', '--input-type=module', '-e', head + script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(child.status, child.stderr).toBe(0);
  // The chain was compiled (V8 traced deoptimizations at all).
  expect(child.stdout).toContain('[bailout');
  return child.stdout;
}

const deoptimized = (trace: string, reason: string): string[] =>
  trace.split('\n').filter((line) => line.includes(`reason: ${reason}`));
const notSmi = (trace: string): string[] => deoptimized(trace, 'not a Smi');

describe('array kinds', () => {
  it('objectList and doubleList are empty arrays that take their values', () => {
    const list = objectList<unknown>();
    expect(list).toEqual([]);
    list.push('a', { b: 1 }, 3);
    expect(list).toEqual(['a', { b: 1 }, 3]);
    const times = doubleList();
    expect(times).toEqual([]);
    times.push(1_700_000_000_123, 2);
    expect(times).toEqual([1_700_000_000_123, 2]);
  });

  // The batch's lines and records and the file's owners were pushed onto fresh `[]` arrays:
  // once compiled, the logging chain (route, the transport's handle) threw its code away at
  // the first push after each compile, "not a Smi", and was compiled again.
  it('keeps the compiled logging chain to a file: no "not a Smi" deoptimization', () => {
    const folder = mkdtempSync(join(tmpdir(), 'array-kinds-'));
    const trace = tracedLoop(`
      const log = createLogger({ transports: [{ type: 'file', path: ${JSON.stringify(join(folder, 'out.log'))} }] });
      const deep = { a: { b: { c: 1 } }, s: 'x' };
      for (let i = 0; i < 50000; i++) log.info({ deep, i }, 'm');
      await log.close();
    `);
    expect(notSmi(trace)).toEqual([]);
    expect(readFileSync(join(folder, 'out.log'), 'utf8').split('\n')).toHaveLength(50001);
    rmSync(folder, { recursive: true, force: true });
  });

  // The same through the http transport: its batcher's items, and the waiting lines' runs.
  it('keeps the compiled logging chain to an http receiver: no "not a Smi" or "lost precision" deoptimization', () => {
    const trace = tracedLoop(`
      const { createServer } = await import('node:http');
      let received = 0;
      const server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => { received += body.split('\\n').filter(Boolean).length; res.end('{}'); });
      });
      await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
      const url = 'http://127.0.0.1:' + server.address().port + '/ingest';
      const log = createLogger({ transports: [{ type: 'http', preset: 'ndjson', url }] });
      const deep = { a: { b: { c: 1 } }, s: 'x' };
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 5000; i++) log.info({ deep, i }, 'm');
        await new Promise((next) => setImmediate(next));
      }
      await log.close();
      server.close();
      console.log('RECEIVED', received, log.stats().delivered);
    `);
    expect(notSmi(trace)).toEqual([]);
    // A run's first line took its time's step from 0 (a small integer): a step of 1.7e12 threw
    // away the compiled `write` that had seen only steps of a few ms (2 runs in 3 before).
    expect(deoptimized(trace, 'lost precision or NaN')).toEqual([]);
    expect(trace).toContain('RECEIVED 100000 100000');
  });
});
