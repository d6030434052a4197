import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { Collector } from '../helpers.js';
import { sideBySide } from './side-by-side.js';

// pino options a service may pass that streamlog has no use for: the logger still starts and
// writes pino's lines, or says plainly what it cannot do.

describe("pino's depthLimit, edgeLimit and levelComparison", () => {
  it('depthLimit, edgeLimit and levelComparison "ASC" start a logger that writes pino’s lines', async () => {
    const { calls, lines } = sideBySide({ depthLimit: 3, edgeLimit: 2, levelComparison: 'ASC', level: 'warn' });
    for (const log of calls) {
      log.info!('below the level');
      log.warn!({ a: { b: { c: { d: 1 } } }, list: [1, 2, 3] }, 'deep and wide');
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 40, a: { b: { c: { d: 1 } } }, list: [1, 2, 3], msg: 'deep and wide' }]);
  });

  it('levelComparison "DESC" or a function, and a limit that is not a positive integer, are ConfigErrors', () => {
    const quiet = { exitFlush: false, transports: [new Collector()] };
    expect(() => createLogger({ ...quiet, levelComparison: 'DESC' } as never)).toThrow(
      /^levelComparison: expected one of "ASC"$/,
    );
    expect(() => createLogger({ ...quiet, levelComparison: (a: number, b: number) => a < b } as never)).toThrow(
      /^levelComparison: expected one of "ASC"$/,
    );
    expect(() => createLogger({ ...quiet, depthLimit: 0 })).toThrow(/^depthLimit: /);
    // pino's options that are refused say why, as the migration guide does (they said "unknown" and listed ours).
    expect(() => createLogger({ ...quiet, browser: { asObject: true } } as never)).toThrow(
      /^browser: unknown option "browser": options for pino's browser build/,
    );
    expect(() => createLogger({ ...quiet, levelVal: 30 } as never)).toThrow(
      /^levelVal: .*does not read it: write "level"$/,
    );
    expect(() => createLogger({ ...quiet, safe: true } as never)).toThrow(/^safe: .*does not read it/);
    expect(() => createLogger({ ...quiet, edgeLimit: 'many' } as never)).toThrow(/^edgeLimit: /);
  });
});
