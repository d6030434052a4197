import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DIST_CJS, requireBuild } from '../built.js';

// The application's @opentelemetry/api where the working folder's resolution cannot find it:
// a service started from another folder (systemd's WorkingDirectory is / unless set, cron,
// `node /srv/app/server.js` from anywhere), or bundled into one file with no node_modules.
// Its spans are active all the same, and its records carry their ids.

const API = createRequire(import.meta.url).resolve('@opentelemetry/api');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function runFrom(cwd: string, apiFirst: boolean): string {
  requireBuild();
  const api = `const { context, trace, ROOT_CONTEXT } = require(${JSON.stringify(API)});
    let current = ROOT_CONTEXT;
    context.setGlobalContextManager({
      active: () => current,
      with(ctx, fn, self, ...args) {
        const before = current;
        current = ctx;
        try { return fn.call(self, ...args); } finally { current = before; }
      },
      bind: (_ctx, target) => target, enable() { return this; }, disable() { return this; },
    });`;
  const logger = `const { createLogger } = require(${JSON.stringify(DIST_CJS)});
    const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });`;
  const script = `${apiFirst ? api + logger : logger + api}
    const span = trace.wrapSpanContext({ traceId: '${TRACE_ID}', spanId: '${SPAN_ID}', traceFlags: 1 });
    context.with(trace.setSpan(context.active(), span), () => log.info('inside the span'));
    const zero = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '${SPAN_ID}', traceFlags: 1 });
    context.with(trace.setSpan(context.active(), zero), () => log.info('an invalid span'));
    log.info('outside');`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout;
}

describe('trace correlation with @opentelemetry/api out of the working folder’s reach', () => {
  it('the context manager registered before the logger is made: records in a span carry its ids', () => {
    const elsewhere = mkdtempSync(`${tmpdir()}/streamlog-no-modules-`);
    expect(runFrom(elsewhere, true)).toBe(
      `{"level":30,"trace_id":"${TRACE_ID}","span_id":"${SPAN_ID}","trace_flags":1,"msg":"inside the span"}\n` +
        '{"level":30,"msg":"an invalid span"}\n{"level":30,"msg":"outside"}\n',
    );
  });
});

describe('an odd API global out of the working folder’s reach', () => {
  function run(global: string): { stdout: string; stderr: string; status: number | null } {
    requireBuild();
    const script = `globalThis[Symbol.for('opentelemetry.js.api.1')] = ${global};
      const { createLogger } = require(${JSON.stringify(DIST_CJS)});
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      log.info('logged');`;
    const elsewhere = mkdtempSync(`${tmpdir()}/streamlog-no-modules-`);
    return spawnSync(process.execPath, ['-e', script], { cwd: elsewhere, encoding: 'utf8' });
  }

  it('a context getter that throws: records are logged without ids, nothing thrown', () => {
    // Was the getter's error out of createLogger(), the process ended by it.
    const result = run(`Object.defineProperty({}, 'context', { get() { throw new Error('broken global'); } })`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"level":30,"msg":"logged"}\n');
  });

  it('ids that are objects, their text changing from one reading to the next: no ids, the line intact', () => {
    const span = `{ spanContext: () => ({ traceId: { toString: () => (read++ ? 'a","injected":"1' : 'a'.repeat(32)) },
      spanId: '1'.repeat(16), traceFlags: 1 }) }`;
    const global = `(() => { let read = 0; const span = ${span};
      return { context: { active: () => ({ getValue: () => span }) } }; })()`;
    // Was a trace_id of "a" and a field "injected" written into the line.
    const result = run(global);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{"level":30,"msg":"logged"}\n');
  });
});
