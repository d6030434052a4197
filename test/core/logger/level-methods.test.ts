import { describe, expect, it } from 'vitest';
import type { Logger, LoggerOptions } from '../../../src/index.js';
import { memoryLogger } from '../../helpers.js';

// A logger whose levels are the built-in six stores its methods by name; any other level
// table (a custom level, a built-in renumbered, a child's own customLevels) goes through the
// table. Both must give a logger the same methods, in the same order, on the same levels.

const BUILT_IN = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const THRESHOLDS = [...BUILT_IN, 'silent'] as const;

/** Which built-in methods write a record, in the order the logger holds them as its own. */
function methods(make: (level: string) => { log: Logger; memory: { records(): unknown[] } }, level: string) {
  const { log, memory } = make(level);
  const order = Object.keys(log).filter((key) => (BUILT_IN as readonly string[]).includes(key));
  const writing = BUILT_IN.filter((name) => {
    const before = memory.records().length;
    const method = (log as unknown as Record<string, (msg: string) => void>)[name]!;
    method('detached'); // called detached, as `promise.catch(log.error)` does
    return memory.records().length > before;
  });
  return { order, writing };
}

const tables: [string, (level: string) => ReturnType<typeof memoryLogger>][] = [
  ['a custom level beside them', (level) => memoryLogger({ level, customLevels: { audit: 35 } } as LoggerOptions)],
  ['a built-in level renumbered', (level) => memoryLogger({ level, customLevels: { fatal: 70 } } as LoggerOptions)],
  [
    'a child with customLevels of its own',
    (level) => {
      const made = memoryLogger({ level });
      return { ...made, log: made.log.child({}, { customLevels: { audit: 35 } }) as unknown as Logger };
    },
  ],
];

describe('level methods of the built-in six, stored by name', () => {
  for (const [other, make] of tables) {
    it(`are the ones a table with ${other} gives, at every threshold`, () => {
      for (const level of THRESHOLDS) {
        const builtIn = methods((l) => memoryLogger({ level: l }), level);
        const viaTable = methods(make, level);
        expect(builtIn.order).toEqual([...BUILT_IN]);
        expect(builtIn.order).toEqual(viaTable.order);
        const expected = level === 'silent' ? [] : BUILT_IN.slice(BUILT_IN.indexOf(level as (typeof BUILT_IN)[number]));
        // A renumbered fatal (70) is still written at every threshold but silent.
        expect(builtIn.writing).toEqual(expected);
        expect(viaTable.writing.filter((name) => name !== 'fatal')).toEqual(expected.filter((n) => n !== 'fatal'));
      }
    });
  }

  it('follow a change of level, on a child as on its parent', () => {
    const { log, memory } = memoryLogger({ level: 'warn' });
    const child = log.child({ c: 1 });
    child.info('dropped');
    child.level = 'debug';
    child.debug('kept');
    log.debug('dropped too');
    log.level = 'trace';
    log.trace('kept too');
    expect(memory.objects().map((o) => o.msg)).toEqual(['kept', 'kept too']);
  });
});
