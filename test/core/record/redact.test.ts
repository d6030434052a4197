import { describe, expect, it } from 'vitest';
import { createRedactor, parseRedactPath } from '../../../src/core/record/redact.js';
import { memoryLogger } from '../../helpers.js';

describe('redaction', () => {
  const input = () => ({
    password: 'hunter2',
    req: { headers: { authorization: 'Bearer abc', host: 'h' } },
    a: { token: 't1', keep: 1 },
    b: { token: 't2' },
    users: [
      { ssn: '1', name: 'x' },
      { ssn: '2', name: 'y' },
    ],
    'x-api-key': 'k',
  });

  it('replaces each kind of path and leaves the caller object alone', () => {
    const redact = createRedactor({
      paths: ['password', 'req.headers.authorization', '*.token', 'users[*].ssn', '["x-api-key"]', 'missing.path'],
    })!;
    const original = input();
    const out = redact(original);
    expect(out).toEqual({
      password: '[Redacted]',
      req: { headers: { authorization: '[Redacted]', host: 'h' } },
      a: { token: '[Redacted]', keep: 1 },
      b: { token: '[Redacted]' },
      users: [
        { ssn: '[Redacted]', name: 'x' },
        { ssn: '[Redacted]', name: 'y' },
      ],
      'x-api-key': '[Redacted]',
    });
    expect(original).toEqual(input());
  });

  it('returns the same object when nothing matches (no copy)', () => {
    const redact = createRedactor({ paths: ['secret'] })!;
    const obj = { a: 1 };
    expect(redact(obj)).toBe(obj);
  });

  it('supports a custom censor, a censor function and removal', () => {
    expect(createRedactor({ paths: ['password'], censor: '***' })!(input()).password).toBe('***');
    expect(
      createRedactor({ paths: ['users[*].ssn'], censor: (v, p) => `${p.join('.')}:${String(v).length}` })!(input())
        .users[1]!.ssn,
    ).toBe('users.1.ssn:1');
    const removed = createRedactor({ paths: ['password', 'a.token'], remove: true })!(input());
    expect(removed).not.toHaveProperty('password');
    expect(removed.a).toEqual({ keep: 1 });
  });

  it('applies to fields, child bindings and context before any transport sees them', async () => {
    const { withContext } = await import('../../../src/index.js');
    const { log, memory } = memoryLogger({ redact: ['password', 'session', 'req.headers.authorization'] });
    log.child({ session: 's3cret' }).info({ password: 'p', req: { headers: { authorization: 'a' } } }, 'login');
    withContext({ password: 'ctx' }, () => log.info('in context'));
    const lines = memory.lines().join('');
    expect(lines).not.toMatch(/s3cret|"p"|"a"|"ctx"/);
    expect(memory.records()[0]!.fields).toMatchObject({ password: '[Redacted]' });
  });

  it('treats a "__proto__" key as data, never as the prototype', () => {
    const input = JSON.parse('{"__proto__": {"secret": 1}, "a": {"__proto__": {"secret": 2}}}') as Record<
      string,
      unknown
    >;
    const out = createRedactor({ paths: ['__proto__', 'a.__proto__.secret'] })!(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('[Redacted]');
    expect(JSON.stringify(out)).toBe('{"__proto__":"[Redacted]","a":{"__proto__":{"secret":"[Redacted]"}}}');
  });

  it('a censored key the copy does not hold yet is defined: a setter on Object.prototype never sees it', () => {
    const seen: unknown[] = [];
    Object.defineProperty(Object.prototype, 'token', { set: (v) => seen.push(v), configurable: true });
    try {
      // Own but not enumerable: the shallow copy leaves it out, so the censor is a new key there.
      const input = Object.defineProperty({ a: 1 }, 'token', { value: 's3cret', enumerable: false });
      const out = createRedactor({ paths: ['token', 'a'] })!(input) as Record<string, unknown>;
      expect(seen).toEqual([]);
      expect(Object.getOwnPropertyDescriptor(out, 'token')?.value).toBe('[Redacted]');
      expect(out.a).toBe('[Redacted]');
    } finally {
      delete (Object.prototype as Record<string, unknown>).token;
    }
  });

  it('rejects malformed paths with the position', () => {
    expect(() => parseRedactPath('a..b')).toThrow(/empty segment at character 3/);
    expect(() => parseRedactPath('a[')).toThrow(/unclosed/);
    expect(() => parseRedactPath('a[x]')).toThrow(/inside brackets/);
    expect(() => parseRedactPath('a.')).toThrow(/trailing/);
    expect(parseRedactPath('a["b.c"][0].d')).toEqual(['a', 'b.c', '0', 'd']);
  });
});
