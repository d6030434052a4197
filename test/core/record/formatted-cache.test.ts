import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createPrettyFormatter,
  createTextFormatter,
  type Formatter,
  type LogRecord,
  MemoryTransport,
  stableJsonFormatter,
} from '../../../src/index.js';

// A record formats once per formatter and keeps the line, whichever order targets ask in:
// two slots first, then a map for more.

function counting(name: string, calls: Map<string, number>): Formatter {
  return {
    name,
    format(record) {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return `${name}:${record.msg}\n`;
    },
  };
}

describe('record.formatted', () => {
  it('formats once per formatter and hands each its own line, for one to four formatters in any order', () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, transports: [memory] });
    log.info('hello');
    const record = memory.records()[0]!;
    const calls = new Map<string, number>();
    const formatters = ['a', 'b', 'c', 'd'].map((name) => counting(name, calls));
    const order = [0, 1, 0, 2, 1, 3, 2, 0, 3, 1];
    for (const i of order) expect(record.formatted(formatters[i]!)).toBe(`${formatters[i]!.name}:hello\n`);
    expect(Object.fromEntries(calls)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });
});

describe('a formatted line ends in a line break', () => {
  const built = [createTextFormatter(), stableJsonFormatter, createPrettyFormatter()];

  function loggedRecord(): LogRecord {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, transports: [memory] });
    log.info({ n: 1 }, 'hello');
    return memory.records()[0]!;
  }

  it('from a built-in formatter, as it returns it, and from one made of it with its own format', () => {
    const record = loggedRecord();
    for (const formatter of built) {
      const line = record.formatted(formatter);
      expect(line.endsWith('\n') && !line.endsWith('\n\n')).toBe(true);
      // Made from the built-in one (its name and anything else copied), with another format
      // that returns no line break: the line still gets one, as any formatter's does.
      const trimmed: Formatter = {
        ...formatter,
        name: `${formatter.name}-trimmed`,
        format: (r) => formatter.format(r).trim(),
      };
      expect(record.formatted(trimmed)).toBe(`${line.trim()}\n`);
      // Made from it with its format kept: its lines as they are.
      const renamed: Formatter = { ...formatter, name: `${formatter.name}-renamed` };
      expect(record.formatted(renamed)).toBe(line);
    }
  });

  it('from a Proxy of a built-in format whose apply trap cuts the line break: the line gets one again', () => {
    const record = loggedRecord();
    for (const formatter of built) {
      const line = record.formatted(formatter);
      // The Proxy answers the built-in function's own properties, but its lines are the trap's.
      const format = new Proxy(formatter.format, {
        apply: (target, self, args: [LogRecord]) => Reflect.apply(target, self, args).trimEnd(),
      });
      expect(record.formatted({ name: `${formatter.name}-proxied`, format })).toBe(`${line.trimEnd()}\n`);
    }
  });

  it('a format that is no function, or has a call of its own: the formatError and the line are as before', () => {
    const record = loggedRecord();
    const formatError = (formatter: unknown) =>
      (JSON.parse(record.formatted(formatter as Formatter)) as { formatError?: string }).formatError;
    expect(formatError({ name: 'none' })).toBe('none: TypeError: formatter.format is not a function');
    expect(formatError({ name: 'text', format: 'x' })).toBe('text: TypeError: formatter.format is not a function');
    // A function object with a `call` property (a callable made with Object.assign): the function is what formats.
    const format = Object.assign((r: LogRecord) => `msg=${r.msg}`, { call: () => 'not the format' });
    expect(record.formatted({ name: 'callable', format })).toBe('msg=hello\n');
    // A Proxy of a format whose get trap throws (it allows calls alone): called, nothing of it read.
    const strict = new Proxy(format, {
      get: (_target, key) => {
        throw new Error(`no ${String(key)}`);
      },
    });
    expect(record.formatted({ name: 'strict', format: strict })).toBe('msg=hello\n');
  });
});
