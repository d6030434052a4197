import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's child(bindings, { formatters }): `bindings` reshapes that child's own bindings, `log`
// replaces the parent's log formatter for the child and its children (after the mixin).

type Log = Record<string, (...args: unknown[]) => void> & { child: (b: object, o?: object) => Log };

describe('a child’s formatters, as pino', () => {
  it('formatters.bindings and formatters.log of a child shape its lines; the parent’s are unchanged', async () => {
    const { ours, theirs, lines } = sideBySide({
      mixin: () => ({ mixed: true }),
      formatters: { log: (fields: object) => ({ root: fields }) },
    });
    for (const log of [ours, theirs] as unknown as Log[]) {
      const child = log.child(
        { reqId: 'r1' },
        {
          formatters: {
            bindings: (b: Record<string, unknown>) => ({ request: b }),
            log: (fields: object) => ({ payload: fields }),
          },
        },
      );
      child.info!({ a: 1 }, 'child');
      child.child({ g: 1 }).info!({ b: 2 }, 'grandchild');
      log.info!({ c: 3 }, 'root');
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([
      { level: 30, request: { reqId: 'r1' }, payload: { mixed: true, a: 1 }, msg: 'child' },
      { level: 30, request: { reqId: 'r1' }, g: 1, payload: { mixed: true, b: 2 }, msg: 'grandchild' },
      { level: 30, root: { mixed: true, c: 3 }, msg: 'root' },
    ]);
  });
});
