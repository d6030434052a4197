import { describe, expect, it } from 'vitest';
import { redactedLine } from './redacted-line.js';

const SECRET = 'pw-LEAKED-0451';

describe('a value on a redaction path is read once', () => {
  it('a getter that answers otherwise the second time: the line holds what redaction saw', async () => {
    let reads = 0;
    const fields = {
      get user() {
        reads++;
        return reads === 1 ? { name: 'ann' } : { name: 'ann', password: SECRET };
      },
    };
    // Before: the walk read { name } (nothing to censor) and the writer { name, password } in clear.
    const line = await redactedLine(SECRET, ['user.password'], (log) => log.info(fields, 'lazy user'));
    expect(line.user).toEqual({ name: 'ann' });
    const wild = await redactedLine(SECRET, ['*.password'], (log) => {
      reads = 0;
      log.info(fields, 'lazy user');
    });
    expect(wild.user).toEqual({ name: 'ann' });
    // A getter whose first answer is no object, and a Proxy answering otherwise the second time.
    let calls = 0;
    const nullFirst = await redactedLine(SECRET, ['user.password'], (log) =>
      log.info(
        {
          get user() {
            return calls++ === 0 ? null : { password: SECRET };
          },
        },
        'null first',
      ),
    );
    expect(nullFirst.user).toBeNull();
    let gets = 0;
    const proxy = new Proxy(
      { user: {} as object, id: 7 },
      {
        get: (target, key) => (key === 'user' ? (gets++ === 0 ? {} : { password: SECRET }) : Reflect.get(target, key)),
      },
    );
    const viaProxy = await redactedLine(SECRET, ['user.password'], (log) => log.info(proxy, 'proxy'));
    expect(viaProxy).toMatchObject({ user: {}, id: 7 });
  });

  it('a getter on a path that is not enumerable stays out of the line, as it was', async () => {
    const session = { id: 7 };
    Object.defineProperty(session, 'internal', { get: () => ({ cookie: 'c', password: 'p' }), enumerable: false });
    const line = await redactedLine('never there', ['internal.password'], (log) => log.info({ session }, 'hidden'));
    expect(line.session).toEqual({ id: 7 });
    const top = await redactedLine('never there', ['session.internal.password'], (log) => log.info({ session }, 'x'));
    expect(top.session).toEqual({ id: 7 });
  });

  it('a toJSON or getter above the path that throws: written without its message (it may quote it)', async () => {
    const raw = SECRET; // not JSON: Node's JSON.parse quotes it in its error
    const parsed = await redactedLine(SECRET, ['user.password'], (log) =>
      log.info({ user: { toJSON: () => ({ password: JSON.parse(raw) }) } }, 'toJSON'),
    );
    // Before: "[toJSON threw: Unexpected token 'p', \"pw-LEAKED-0451\" is not valid JSON]".
    expect(parsed.user).toMatch(/^\[threw while read; its message left out/);
    const getter = await redactedLine(SECRET, ['user.password'], (log) =>
      log.info(
        {
          get user(): never {
            throw new Error(`no user with password ${SECRET}`);
          },
        },
        'getter',
      ),
    );
    expect(getter.user).toMatch(/^\[threw while read; its message left out/);
    const error = Object.assign(new Error('failed'), {
      toJSON(): never {
        throw new Error(`cannot write ${SECRET}`);
      },
    });
    const ofError = await redactedLine(SECRET, ['err.password'], (log) => log.info({ err: error }, 'error'));
    expect(ofError.err).toMatch(/^\[threw while read; its message left out/);
    // A throw not under any path keeps its message (nothing there is redacted).
    const other = await redactedLine('never there', ['user.password'], (log) =>
      log.info({ item: { toJSON: () => JSON.parse('oops') } }, 'other'),
    );
    expect(other.item).toMatch(/^\[toJSON threw: /);
  });
});
