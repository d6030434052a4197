import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerOptions, MemoryTransport, withContext } from '../../../src/index.js';

/*
 * Redaction copies an object along the censored paths. A value further down that refers back
 * to the caller's object (a cycle) must not lead the line to that original, where the secret
 * is in clear. These shapes did, each through a copy the logger made before redaction (the
 * fields without the message key, with serializers applied, merged with a mixin's, an
 * error-like object shaped, a stream's object without level and time) or through `%s`.
 */

const SECRET = 'hunter2_live';

type Options = LoggerOptions;

function linesOf(options: Options, logSome: (log: Logger) => void): string {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, ...options, transports: [memory] });
  logSome(log);
  return memory.lines().join('');
}

function selfReferring<T extends Record<string, unknown>>(fields: T): T & { self: unknown } {
  const object = fields as T & { self: unknown };
  object.self = object;
  return object;
}

describe('redaction with back-references to the caller object', () => {
  const cases: [string, Options, (log: Logger) => void][] = [
    [
      'fields holding the message key',
      { redact: ['password'] },
      (log) => log.info(selfReferring({ msg: 'login', password: SECRET })),
    ],
    [
      'fields holding the message key, referred to from an array',
      { redact: ['password'] },
      (log) => {
        const fields: Record<string, unknown> = { msg: 'login', password: SECRET };
        fields.list = [fields];
        log.info(fields);
      },
    ],
    [
      'an error-like object under err',
      { redact: ['err.password'] },
      (log) => log.info({ err: selfReferring({ message: 'm', password: SECRET }) }, 'x'),
    ],
    [
      'fields a serializer applies to',
      { redact: ['password'], serializers: { a: (v: unknown) => v } },
      (log) => log.info(selfReferring({ a: 1, password: SECRET }), 'x'),
    ],
    [
      'a mixin’s fields',
      { redact: ['password'], mixin: () => selfReferring({ password: SECRET }) },
      (log) => log.info('x'),
    ],
    [
      '%s of the object',
      { redact: ['password'] },
      (log) => log.info('user %s', selfReferring({ name: 'ann', password: SECRET })),
    ],
    [
      '%s of an object referred to one level down',
      { redact: ['a.password'] },
      (log) => {
        const outer: Record<string, unknown> = { a: { password: SECRET }, b: {} };
        (outer.a as Record<string, unknown>).back = outer;
        (outer.b as Record<string, unknown>).c = outer;
        log.info('w %s', outer);
      },
    ],
    [
      'withContext fields',
      { redact: ['password'] },
      (log) => withContext(selfReferring({ password: SECRET }), () => log.info('x')),
    ],
    [
      "what an error's own toJSON returns",
      { redact: ['err.secret'] },
      (log) => {
        const err = Object.assign(new Error('boom'), { toJSON: () => returned });
        const returned = selfReferring({ secret: SECRET });
        log.error({ err }, 'x');
      },
    ],
    [
      "what an object's toJSON returns",
      { redact: ['a.secret'] },
      (log) => {
        const returned = selfReferring({ secret: SECRET });
        log.info({ a: { toJSON: () => returned } }, 'x');
      },
    ],
    [
      'a serializer that spreads its input',
      { redact: ['a.password'], serializers: { a: (v: object) => ({ ...v }) } },
      (log) => log.info({ a: selfReferring({ password: SECRET }) }, 'x'),
    ],
    [
      'child bindings a serializer applies to',
      { redact: ['password'], serializers: { a: (v: unknown) => v } },
      (log) => log.child(selfReferring({ a: 1, password: SECRET })).info('x'),
    ],
    [
      '%s of an object referred to from a Map and a Set in it',
      { redact: ['password'] },
      (log) => {
        const user: Record<string, unknown> = { name: 'ann', password: SECRET };
        user.byName = new Map([['ann', user]]);
        user.all = new Set([user]);
        log.info('user %s', user);
      },
    ],
    [
      '%s of an object with a custom inspect that prints the secret',
      { redact: ['user.password'] },
      (log) => {
        const user = { name: 'ann', password: SECRET, [inspect.custom]: () => `User(ann, ${SECRET})` };
        log.info('user %s', selfReferring({ user }));
      },
    ],
  ];

  for (const [name, options, logSome] of cases) {
    it(`${name}: the secret stays out, the cycle is marked`, () => {
      const written = linesOf(options, logSome);
      expect(written).not.toContain(SECRET);
      expect(written).toContain('Redacted');
      expect(written).toMatch(/\[Circular( \*1)?\]/);
    });
  }

  it("log.stream({ format: 'object' }) of such an object", async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, redact: ['password'], transports: [memory] });
    const stream = log.stream({ format: 'object' });
    stream.end(selfReferring({ msg: 'login', password: SECRET }));
    await new Promise((resolve) => stream.on('finish', resolve));
    await log.flush();
    const written = memory.lines().join('');
    expect(written).not.toContain(SECRET);
    expect(written).toContain('"self":"[Circular]"');
  });
});
