import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's `base: null`: no pid, hostname or name on any line.

describe('base: null, as pino', () => {
  it('leaves out name as well as pid and hostname, on the root and its children', async () => {
    const { ours, theirs, calls, lines } = sideBySide({ base: null, name: 'api' });
    for (const log of calls) log.info!('root');
    ours.child({ a: 1 }).info('child');
    theirs.child({ a: 1 }).info('child');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([
      { level: 30, msg: 'root' },
      { level: 30, a: 1, msg: 'child' },
    ]);
  });
});
