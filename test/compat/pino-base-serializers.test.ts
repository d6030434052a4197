import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's base bindings go through the logger's serializers, as a child's bindings do.

describe('serializers on base keys, as pino', () => {
  it('a base value under a serialised key is written serialised, then redacted', async () => {
    const { calls, lines } = sideBySide({
      base: { service: 'api', deploy: { id: 'd-7', token: 'secret', notes: 'long text' } },
      serializers: { deploy: (d: { id: string; token: string }) => ({ id: d.id, token: d.token }) },
      redact: ['deploy.token'],
    });
    for (const log of calls) log.info!('up');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 30, service: 'api', deploy: { id: 'd-7', token: '[Redacted]' }, msg: 'up' }]);
  });
});
