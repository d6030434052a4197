import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino (fast-redact) reads a quoted star in brackets, `a["*"]` or `a['*']`, as the wildcard
// `a.*`, not as a key named `*`: a path moved from pino must censor what it censored there.

describe('redact: a quoted star in brackets is the wildcard, as pino', () => {
  it.each([
    ['a["*"]', { '*': '[Redacted]', b: '[Redacted]', x: '[Redacted]' }],
    ["a['*']", { '*': '[Redacted]', b: '[Redacted]', x: '[Redacted]' }],
    ['a["*"].b', { '*': 1, b: 2, x: { b: '[Redacted]' } }],
  ])('%s censors as pino does', async (path, a) => {
    const { calls, lines } = sideBySide({ redact: [path] });
    for (const log of calls) log.info!({ a: { '*': 1, b: 2, x: { b: 3 } }, c: 4 }, 'm');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 30, a, c: 4, msg: 'm' }]);
  });

  it('["*"] censors every top-level key, the message included', async () => {
    const { calls, lines } = sideBySide({ redact: ['["*"]'] });
    for (const log of calls) log.info!({ a: { b: 1 }, token: 't' }, 'card 4111');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 30, a: '[Redacted]', token: '[Redacted]', msg: '[Redacted]' }]);
  });

  it('with spaces inside the brackets, still the wildcard (where pino censors nothing)', async () => {
    const { calls, lines } = sideBySide({ redact: ['a[ "*" ]'] });
    for (const log of calls) log.info!({ a: { b: 2 } });
    const [mine] = await lines();
    expect(mine).toEqual([{ level: 30, a: { b: '[Redacted]' } }]);
  });

  it('a quoted key that only holds a star among other characters stays a key', async () => {
    const { calls, lines } = sideBySide({ redact: ['a["x*"]'] });
    for (const log of calls) log.info!({ a: { 'x*': 1, x: 2 } });
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 30, a: { 'x*': '[Redacted]', x: 2 } }]);
  });
});
