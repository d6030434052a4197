import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

const SECRET = 'Bearer eyJhbGciOi.secret';

/** A process that dies of an uncaught error carrying a credential (as an HTTP client's errors do). */
function crash(throwing: string, imports = ''): { stdout: string; status: number | null } {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    ${imports}
    createLogger({
      base: null,
      redact: ['err.config.headers.authorization', 'err.message'],
      transports: [{ type: 'console' }],
    });
    setTimeout(() => { ${throwing} }, 1);
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { stdout: result.stdout, status: result.status };
}

describe('the fatal record of an uncaught error is redacted as a logged error is', () => {
  it('own properties and the message (with the stack that repeats it)', () => {
    const out = crash(`
      const error = new Error(${JSON.stringify(SECRET)});
      error.config = { url: '/pay', headers: { authorization: ${JSON.stringify(SECRET)} } };
      throw error;
    `);
    expect(out.status).toBe(1);
    const fatal = JSON.parse(out.stdout.split('\n').find((l) => l.includes('"level":60'))!);
    expect(fatal.err.config).toEqual({ url: '/pay', headers: { authorization: '[Redacted]' } });
    expect(fatal.err.message).toBe('[Redacted]');
    expect(out.stdout).not.toContain('eyJhbGciOi');
  });

  it('an error made in another realm (node:vm) is logged as itself, not wrapped in a new Error', () => {
    const made = `
      const source = 'new TypeError(S, { cause: new Error("upstream") })';
      const error = runInNewContext(source, { S: ${JSON.stringify(SECRET)} });
      error.config = { url: '/pay', headers: { authorization: ${JSON.stringify(SECRET)} } };
      throw error;
    `;
    const out = crash(made, "import { runInNewContext } from 'node:vm';");
    expect(out.status).toBe(1);
    const fatal = JSON.parse(out.stdout.split('\n').find((l) => l.includes('"level":60'))!);
    expect(fatal.err).toMatchObject({ type: 'TypeError', message: '[Redacted]', cause: { message: 'upstream' } });
    expect(fatal.err.config).toEqual({ url: '/pay', headers: { authorization: '[Redacted]' } });
    expect(fatal.err.stack).toMatch(/^TypeError: \[Redacted\]\n\s+at evalmachine/);
    expect(out.stdout).not.toContain('eyJhbGciOi');
  });

  it('a thrown Proxy whose traps throw is logged as fatal too (the record was lost)', () => {
    for (const throwing of [
      `throw new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });`,
      `throw new Proxy({}, { get() { throw new Error('trap'); } });`,
      `const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy;`,
    ]) {
      const out = crash(throwing);
      expect(out.status).toBe(1);
      const fatal = JSON.parse(out.stdout.split('\n').find((l) => l.includes('"level":60'))!);
      expect(fatal.msg).toBe('uncaught exception');
      // Written as far as it can be read: where not at all, a message says so (redacted here,
      // as the config censors err.message); a trap that throws on a read is marked in place.
      expect(fatal.err).toBeDefined();
      if (typeof fatal.err === 'object') expect(fatal.err).toEqual({ message: '[Redacted]' });
      else expect(fatal.err).toMatch(/^\[inspection threw: /);
    }
  });

  it('an unhandled rejection too', () => {
    const out = crash(`
      const headers = { authorization: ${JSON.stringify(SECRET)} };
      Promise.reject(Object.assign(new Error('declined'), { config: { headers } }));
    `);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('unhandled promise rejection');
    expect(out.stdout).not.toContain('eyJhbGciOi');
  });
});
