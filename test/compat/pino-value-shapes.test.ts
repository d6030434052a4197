import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// Found by a differential run against pino 10 (each line here differed before):
// - boxed primitives were walked as objects: `new Number(3)` wrote `{}`, the value lost;
// - `remove: true` on list items wrote the censor where pino leaves the place empty (null);
// - a DOMException lost its name ("AbortError"), written only inside its stack.
describe('value shapes written as pino writes them', () => {
  it('boxed primitives are their values', async () => {
    const { calls, text } = sideBySide();
    for (const log of calls) log.info({ s: new String('x'), n: new Number(3), b: new Boolean(false) }, 'boxed');
    const [mine, pinos] = await text();
    expect(mine).toBe(pinos);
    expect(JSON.parse(mine)).toMatchObject({ s: 'x', n: 3, b: false });
  });

  it('redact with remove on list items leaves their places empty', async () => {
    const { calls, text } = sideBySide({ redact: { paths: ['d[0]', 'e[*]', 'a.b[1]'], remove: true } });
    for (const log of calls) log.info({ d: [1, 2], e: [3, 4], a: { b: ['x', 'secret'] } });
    const [mine, pinos] = await text();
    expect(mine).toBe(pinos);
    expect(mine).not.toContain('secret');
  });

  it("an error's inherited name that says more than its type is written (a DOMException's)", async () => {
    const { calls, lines } = sideBySide();
    const aborted = new DOMException('aborted', 'AbortError');
    for (const log of calls) log.error({ err: aborted }, 'x');
    const [[mine], [pinos]] = await lines();
    expect((mine as { err: { name: string } }).err.name).toBe('AbortError');
    expect((mine as { err: unknown }).err).toMatchObject({
      type: (pinos as { err: { type: string } }).err.type,
      name: (pinos as { err: { name: string } }).err.name,
      message: 'aborted',
    });
  });
});
