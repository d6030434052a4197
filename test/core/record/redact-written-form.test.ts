import { describe, expect, it } from 'vitest';
import type { Logger, LoggerOptions } from '../../../src/index.js';
import { redactedLine } from './redacted-line.js';

const SECRET = 'pw_9d1c77';

const lineOf = (redact: LoggerOptions['redact'], call: (log: Logger) => void) => redactedLine(SECRET, redact, call);

/** Keeps its secret in a private field: only toJSON shows it, as the line does. */
class Credentials {
  #password = SECRET;
  constructor(readonly user: string) {}
  toJSON() {
    return { user: this.user, password: this.#password };
  }
}

describe('redaction reaches what the line writes, not only own properties', () => {
  it('an object with toJSON: the paths apply to what toJSON returns', async () => {
    const line = await lineOf(['creds.password'], (log) => log.info({ creds: new Credentials('ann') }, 'login'));
    expect(line.creds).toEqual({ user: 'ann', password: '[Redacted]' });
  });

  it('toJSON is asked once: an answer that changes cannot slip past', async () => {
    let calls = 0;
    const sly = { toJSON: () => (++calls === 1 ? { password: 'first' } : { password: SECRET }) };
    const line = await lineOf(['a.password'], (log) => log.info({ a: sly }, 'm'));
    expect(line.a).toEqual({ password: '[Redacted]' });
    expect(calls).toBe(1);
  });

  it('an object with toJSON interpolated with %j', async () => {
    const line = await lineOf(['password'], (log) => log.info('creds %j', new Credentials('ann')));
    expect(line.msg).toBe('creds {"user":"ann","password":"[Redacted]"}');
  });

  it('a Set is written as an array, and redacted as one', async () => {
    const line = await lineOf(['sessions[*].token', 'ids[0]'], (log) =>
      log.info({ sessions: new Set([{ token: SECRET, id: 1 }]), ids: new Set([SECRET, 'b']) }, 'm'),
    );
    expect(line.sessions).toEqual([{ token: '[Redacted]', id: 1 }]);
    expect(line.ids).toEqual(['[Redacted]', 'b']);
  });

  it('a Map key that is not a string is named by the text it is written as', async () => {
    const line = await lineOf(['byId["7"]', 'flags.*'], (log) =>
      log.info(
        {
          byId: new Map<unknown, string>([
            [7, SECRET],
            ['8', 'ok'],
          ]),
          flags: new Map([[true, SECRET]]),
        },
        'm',
      ),
    );
    expect(line.byId).toEqual({ 7: '[Redacted]', 8: 'ok' });
    expect(line.flags).toEqual({ true: '[Redacted]' });
  });

  it('a Map key that is an object: named by its JSON, and censored by a wildcard (it was left in clear)', async () => {
    const entries = (): [unknown, string][] => [
      ['svc', SECRET],
      [{ id: 7 }, SECRET],
    ];
    const byWildcard = await lineOf(['tokens.*'], (log) => log.info({ tokens: new Map(entries()) }, 'm'));
    expect(byWildcard.tokens).toEqual({ svc: '[Redacted]', '{"id":7}': '[Redacted]' });
    const byName = await lineOf(['tokens.svc', 'tokens["{\\"id\\":7}"]'], (log) =>
      log.info({ tokens: new Map(entries()) }, 'm'),
    );
    expect(byName.tokens).toEqual({ svc: '[Redacted]', '{"id":7}': '[Redacted]' });
  });

  it('a throwing getter beside the redacted key costs only that key, not the fields', async () => {
    const user = {
      password: SECRET,
      name: 'ann',
      get broken(): string {
        throw new Error('boom');
      },
    };
    const line = await lineOf(['user.password'], (log) => log.info({ user, requestId: 'r1' }, 'm'));
    expect(line).toMatchObject({ requestId: 'r1', user: { password: '[Redacted]', name: 'ann' } });
    expect(line.user.broken).toMatch(/boom/);
    expect(line).not.toHaveProperty('logError');
  });

  it('Dates and Buffers on a path are written as they are, not taken apart', async () => {
    const when = new Date(0);
    const line = await lineOf(['a.when.x', 'a.buf.data'], (log) =>
      log.info({ a: { when, buf: Buffer.from('hi') } }, 'm'),
    );
    expect(line.a.when).toBe(when.toISOString());
    expect(line.a.buf).toMatchObject({ type: 'Buffer', length: 2 });
  });

  it('frozen objects, Sets and Maps logged are left as they were', async () => {
    const set = new Set([{ token: SECRET }]);
    const map = new Map([['token', SECRET]]);
    const frozen = Object.freeze({ inner: Object.freeze({ token: SECRET }) });
    await lineOf(['*.token', 's[*].token', 'f.inner.token'], (log) => log.info({ s: set, m: map, f: frozen }, 'm'));
    expect([...set]).toEqual([{ token: SECRET }]);
    expect(map.get('token')).toBe(SECRET);
    expect(frozen.inner.token).toBe(SECRET);
  });
});
