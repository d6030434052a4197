import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../src/index.js';
import { memoryLogger } from '../../helpers.js';

// The head of a line (level, time, bindings) is kept for the last logger's scope and time:
// records of other loggers in the same millisecond, bindings of the same text among them,
// must each get their own.

describe("a record's head (level, time, bindings) kept for the last logger", () => {
  it('is made again for each logger, children of equal bindings and setBindings among them, in one millisecond', () => {
    const time = 1_700_000_000_123;
    const now = vi.spyOn(Date, 'now').mockReturnValue(time);
    const { log, memory } = memoryLogger();
    const a = log.child({ a: 1 });
    const same = log.child({ a: 1 });
    const other = log.child({ a: 2 });
    const calls: [Logger, Record<string, unknown>][] = [
      [a, { a: 1 }],
      [same, { a: 1 }],
      [other, { a: 2 }],
      [log, {}],
      [a, { a: 1 }],
    ];
    for (const [logger] of calls) logger.info('m');
    a.setBindings({ b: 'x' });
    a.info('m');
    other.info('m');
    now.mockRestore();
    const seen = memory.objects().map(({ a: value, b }) => ({ a: value, b }));
    const expected = calls.map(([, bindings]) => ({ a: bindings.a, b: undefined }));
    expect(seen).toEqual([...expected, { a: 1, b: 'x' }, { a: 2, b: undefined }]);
    expect(new Set(memory.objects().map((o) => o.time))).toEqual(new Set([time]));
  });
});
