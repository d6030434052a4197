import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's children made without a level follow their parent's later level changes (a module
// logger made at start-up hears `log.level = 'debug'` set at run time) until their own is set.

type Log = Record<string, (...args: unknown[]) => void> & {
  level: string;
  child: (bindings: object, options?: object) => Log;
};

describe('a child’s level after its parent’s changes, as pino', () => {
  it('children made without a level follow, theirs too; one given a level, or set since, does not', async () => {
    const { ours, theirs, lines } = sideBySide();
    const levels: string[][] = [];
    for (const log of [ours, theirs] as unknown as Log[]) {
      const module = log.child({ module: 'db' });
      const grandchild = module.child({ q: 1 });
      const quiet = log.child({ module: 'http' }, { level: 'warn' });
      const prefixed = log.child({ module: 'cache' }, { msgPrefix: '[cache] ' });
      log.level = 'debug';
      module.debug!('module debug');
      grandchild.debug!('grandchild debug');
      quiet.info!('quiet info');
      prefixed.debug!('prefixed debug');
      module.level = 'error';
      log.level = 'trace';
      grandchild.warn!('grandchild warn');
      grandchild.error!('grandchild error');
      prefixed.trace!('prefixed trace');
      levels.push([module.level, grandchild.level, quiet.level, prefixed.level]);
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine.map((line) => line.msg)).toEqual([
      'module debug',
      'grandchild debug',
      '[cache] prefixed debug',
      'grandchild error',
      '[cache] prefixed trace',
    ]);
    expect(levels[0]).toEqual(['error', 'error', 'warn', 'trace']);
    expect(levels[0]).toEqual(levels[1]);
  });

  it('after a thousand short-lived children (followers swept as they grow), a kept child still follows', async () => {
    const { ours, lines } = sideBySide();
    // Many short-lived children (a child per request): the parent still changes level, and
    // one still referenced follows it.
    for (let i = 0; i < 1000; i++) ours.child({ i }).info('short-lived');
    const kept = ours.child({ kept: true });
    ours.level = 'warn';
    kept.info('below warn');
    kept.warn('kept warn');
    const [mine] = await lines();
    expect(mine.at(-1)).toEqual({ level: 40, kept: true, msg: 'kept warn' });
    expect(mine).toHaveLength(1001);
  });
});

describe('a child’s customLevels in its levels, as pino', () => {
  it('levels.values and levels.labels of the child name its own levels; the parent’s do not', () => {
    const { ours, theirs } = sideBySide();
    const shapes = [ours, theirs].map((log) => {
      const parent = log as unknown as Log & { levels: { values: Record<string, number> } };
      const child = parent.child({}, { customLevels: { notice: 33 } }) as unknown as {
        levels: { values: Record<string, number>; labels: Record<number, string> };
      };
      return [
        child.levels.values.notice,
        child.levels.labels[33],
        child.levels.values.info,
        parent.levels.values.notice,
      ];
    });
    expect(shapes[0]).toEqual([33, 'notice', 30, undefined]);
    expect(shapes[0]).toEqual(shapes[1]);
  });
});
