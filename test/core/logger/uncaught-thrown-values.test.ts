import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

/** The fatal record of a process that dies of `throwing`, parsed. */
function fatalOf(throwing: string, redact: string[] = []): Record<string, unknown> {
  requireBuild();
  const script = `
    import vm from 'node:vm';
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    createLogger({ base: null, redact: ${JSON.stringify(redact)}, transports: [{ type: 'console' }] });
    setTimeout(() => { ${throwing} }, 1);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.status).toBe(1);
  const line = result.stdout.split('\n').find((l) => l.includes('"level":60'));
  expect(line).toBeDefined();
  return JSON.parse(line!) as Record<string, unknown>;
}

describe('an uncaught throw of what is no Error is logged as what was thrown', () => {
  it('an object: its fields, as a logged object is written, and no stack made up here', () => {
    const fatal = fatalOf(`throw { status: 503, reason: 'upstream timeout', orderId: 'o-7' };`);
    expect(fatal.msg).toBe('uncaught exception');
    expect(fatal.err).toEqual({ status: 503, reason: 'upstream timeout', orderId: 'o-7' });
    expect(JSON.stringify(fatal)).not.toContain('logger-tree');
  });

  it('an object a path reaches into is redacted as a logged one is', () => {
    const fatal = fatalOf(`throw { status: 401, token: 'tok-SECRET' };`, ['err.token']);
    expect(fatal.err).toEqual({ status: 401, token: '[Redacted]' });
  });

  it('an object with a message, as an error from another realm: its own stack, in the error shape', () => {
    const fatal = fatalOf(`throw vm.runInNewContext('new TypeError("from elsewhere")');`);
    const err = fatal.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'TypeError', message: 'from elsewhere' });
    expect(err.stack).toMatch(/^TypeError: from elsewhere\n/);
    expect(err.stack).not.toContain('logger-tree');
  });

  it('a primitive: the value itself, or its text where JSON has none', () => {
    expect(fatalOf(`throw 'plain text';`).err).toBe('plain text');
    expect(fatalOf(`throw 42;`).err).toBe(42);
    expect(fatalOf(`throw null;`).err).toBeNull();
    expect(fatalOf(`throw undefined;`).err).toBe('undefined');
    expect(fatalOf(`throw Symbol('gone');`).err).toBe('Symbol(gone)');
  });

  it('an Error is written as before', () => {
    const err = fatalOf(`throw new RangeError('out of range');`).err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'RangeError', message: 'out of range' });
    expect(err.stack).toMatch(/^RangeError: out of range\n/);
  });
});
