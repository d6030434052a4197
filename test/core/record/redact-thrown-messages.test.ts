import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport, withContext } from '../../../src/index.js';
import { redactedLine } from './redacted-line.js';

const SECRET = 'hunter2-SECRET';

/** Application code that quotes what it was given in its error, as a validator's message does. */
function check<T>(value: T): T {
  const password = (value as { password?: unknown } | undefined)?.password;
  if (password !== undefined) throw new Error(`cannot handle user with password ${String(password)}`);
  return value;
}

const LEFT_OUT = /its message left out, as redaction reaches/;

describe('a message thrown by code that read what redaction covers is left out', () => {
  it('a serializer of a key a path goes under', async () => {
    const line = await redactedLine(SECRET, ['user.password'], (log) => log.info({ user: { password: SECRET } }, 'x'), {
      serializers: { user: check },
    });
    expect(line.user).toBe('[serializer user threw; its message left out, as redaction reaches under it]');
    const wild = await redactedLine(SECRET, ['*.password'], (log) => log.info({ user: { password: SECRET } }, 'x'), {
      serializers: { user: check },
    });
    expect(wild.user).toMatch(LEFT_OUT);
    // No path goes under the key: the message is kept (nothing there is redacted).
    const other = await redactedLine('never there', ['card'], (log) => log.info({ user: { password: 'p' } }, 'x'), {
      serializers: { user: check },
    });
    expect(other.user).toBe('[serializer user threw: cannot handle user with password p]');
  });

  it('a serializer over bindings and context fields', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      base: null,
      redact: ['user.password'],
      serializers: { user: check },
      transports: [memory],
    });
    log.child({ user: { password: SECRET } }).info('bound');
    withContext({ user: { password: SECRET } }, () => log.info('in context'));
    await log.flush();
    for (const line of memory.lines()) {
      expect(line).not.toContain(SECRET);
      expect(JSON.parse(line).user).toMatch(LEFT_OUT);
    }
    expect(memory.lines()).toHaveLength(2);
  });

  it('a mixin, a mixinMergeStrategy and formatters.log, handed the whole call', async () => {
    const call = (log: import('../../../src/index.js').Logger) => log.info({ password: SECRET }, 'x');
    const mixin = await redactedLine(SECRET, ['password'], call, { mixin: (fields) => check(fields) });
    expect(mixin).toMatchObject({ password: '[Redacted]', msg: 'x' });
    expect(mixin.mixinError).toMatch(/^mixin threw; its message left out, as redaction reaches/);
    const merge = await redactedLine(SECRET, ['password'], call, {
      mixin: () => ({ extra: 1 }),
      mixinMergeStrategy: (fields) => check(fields),
    });
    expect(merge.mixinError).toMatch(/^mixinMergeStrategy threw; its message left out/);
    const formatted = await redactedLine(SECRET, ['password'], call, { formatters: { log: (f) => check(f) } });
    expect(formatted).toMatchObject({ password: '[Redacted]', msg: 'x' });
    expect(formatted.formattersLogError).toMatch(/^formatters\.log threw; its message left out, as redaction reaches/);
    // Without paths, the message is said as before.
    const { log, memory } = (() => {
      const m = new MemoryTransport();
      return { log: createLogger({ exitFlush: false, mixin: check, transports: [m] }), memory: m };
    })();
    log.info({ password: 'p' }, 'x');
    await log.flush();
    expect(memory.objects()[0]!.mixinError).toBe('mixin threw: Error: cannot handle user with password p');
  });

  it('a getter above a path that throws while formatters.log failed: as when it had not', async () => {
    const line = await redactedLine(
      SECRET,
      ['user.password'],
      (log) =>
        log.info(
          {
            get user(): never {
              throw new Error(`no user with password ${SECRET}`);
            },
          },
          'x',
        ),
      {
        formatters: {
          log: () => {
            throw new Error('shape');
          },
        },
      },
    );
    expect(line.user).toMatch(/^\[threw while read; its message left out/);
  });

  it('hooks.logMethod: the diagnostic (and so stderr) leaves the message out, and carries no error', async () => {
    const said: [string, unknown][] = [];
    const { log, memory } = (() => {
      const m = new MemoryTransport();
      const made = createLogger({
        exitFlush: false,
        redact: ['password'],
        diagnostics: (message, detail) => said.push([message, detail]),
        hooks: {
          logMethod(args) {
            check(args[0]);
          },
        },
        transports: [m],
      });
      return { log: made, memory: m };
    })();
    log.info({ password: SECRET }, 'x');
    await log.flush();
    expect(memory.lines()[0]).not.toContain(SECRET);
    expect(said).toHaveLength(1);
    expect(said[0]![0]).toMatch(/^hooks\.logMethod threw; its message left out, as redaction reaches/);
    expect(said[0]![1]).toBeUndefined();
  });

  it('an error whose message getter throws, its message censored: the stack made from it says none of it', async () => {
    const error = new Error('x');
    Object.defineProperty(error, 'message', {
      get(): never {
        throw new Error(`bad ${SECRET}`);
      },
    });
    const line = await redactedLine(SECRET, ['err.message'], (log) => log.error(error));
    expect(line.err.message).toBe('[Redacted]');
    expect(line.err.stack).toMatch(/^\[stack getter threw; its message left out, as redaction reaches/);
  });
});

describe("an error's own getter that throws, on a path's way (found attacking the rule above)", () => {
  it.each([
    ['cause', 'err.cause.*'],
    ['extra', 'err.extra.password'],
    ['errors', 'err.errors[*].message'],
  ])('its %s getter: said without its message (it was written whole)', async (key, path) => {
    const error = new Error('x');
    Object.defineProperty(error, key, {
      enumerable: key !== 'cause',
      get() {
        throw new Error(`${key} read failed for ${SECRET}`);
      },
    });
    const line = await redactedLine(SECRET, [path], (log) => log.error(error));
    expect(line.err[key]).toMatch(LEFT_OUT);
    // No path on its way: the message is kept.
    const other = await redactedLine('never there', ['card'], (log) => log.error(error));
    expect(other.err[key]).toBe(`[${key} getter threw: ${key} read failed for ${SECRET}]`);
  });
});

describe('log.error(err) with a censored message and an err serializer (found attacking the rule above)', () => {
  it.each([
    [
      'throws',
      () => {
        throw new Error('no');
      },
    ],
    ['replaces the error', (error: Error) => ({ kind: error.name })],
  ])(
    "one that %s: the line's message, the error's, is censored too (it was written whole)",
    async (_name, serializer) => {
      const line = await redactedLine(SECRET, ['err.message'], (log) => log.error(new Error(`password ${SECRET}`)), {
        serializers: { err: serializer },
      });
      expect(line.msg).toBe('[Redacted]');
    },
  );
});
