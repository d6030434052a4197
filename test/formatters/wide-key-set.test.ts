import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, createTextFormatter, stableJsonFormatter } from '../../src/index.js';
import { EagerTransport } from '../helpers.js';

const OriginalFunction = Function;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('code made for a wide key set', () => {
  it('grows with its keys, not with their square: a record of 1,000 fields makes no megabytes of code', () => {
    const text = new EagerTransport({ maxRecords: 10, formatter: createTextFormatter() });
    const stable = new EagerTransport({ maxRecords: 10, formatter: stableJsonFormatter });
    const log = createLogger({ exitFlush: false, transports: [{ transport: text }, { transport: stable }] });
    const fields: Record<string, number> = {};
    for (let k = 0; k < 1000; k++) fields[`field${k}`] = k;
    let source = 0;
    const made = vi.spyOn(globalThis, 'Function').mockImplementation(function (this: unknown, ...args: string[]) {
      source += args.reduce((sum, arg) => sum + String(arg).length, 0);
      return Reflect.construct(OriginalFunction, args);
    } as never);
    log.info(fields, 'm');
    fields.field999 = -1;
    log.info(fields, 'm');
    made.mockRestore();
    expect(text.seen[1]).toMatch(/ field0=0 field1=1 .* field998=998 field999=-1\n$/);
    expect(stable.seen[1]).toContain('"field999":-1');
    // Some code per key (a few hundred characters each) is expected; a line per key
    // repeating every key before it is not.
    expect(source).toBeGreaterThan(0);
    expect(source).toBeLessThan(2_000_000);
  });
});
