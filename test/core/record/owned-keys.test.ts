import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createPrettyFormatter,
  createTextFormatter,
  type Formatter,
  type LoggerOptions,
  type LogRecord,
  MemoryTransport,
  stableJsonFormatter,
  Transport,
  withContext,
} from '../../../src/index.js';

// The line owns level, time, the message key and the base keys: whatever path user data
// takes into a record, a reader of the line (or of the text formats) sees the real ones.
// A forged key is written as "@<key>"; a key the line would hold twice is a failure even
// where JSON.parse's last-wins happens to give the real value.

const FORGED = { level: 60, time: 1, msg: 'forged' };

/** Formats each record while its log call is dispatched, as a console or file transport does. */
class FormattingTransport extends Transport {
  readonly type = 'formatting';
  readonly out = new Map<string, string[]>();
  constructor(private readonly formatters: Formatter[]) {
    super({});
  }
  protected handle(record: LogRecord): void {
    for (const formatter of this.formatters) {
      const lines = this.out.get(formatter.name) ?? [];
      lines.push(record.formatted(formatter));
      this.out.set(formatter.name, lines);
    }
    this.settleDelivered(1);
  }
}

function logger(options: Omit<LoggerOptions, 'transports'> = {}) {
  const memory = new MemoryTransport({ maxRecords: 100 });
  const formatting = new FormattingTransport([createTextFormatter(), stableJsonFormatter]);
  const log = createLogger({ exitFlush: false, ...options, transports: [memory, formatting] });
  const before = Date.now();
  return { log, memory, formatting, before };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

interface Expected {
  level?: number;
  msg?: string;
  messageKey?: string;
  /** Times each owned key also appears nested in a field (where it is the user's, not the line's). */
  nested?: number;
}

/** The line's level, time and message are the real ones, each written once at the top. */
function expectOwned(line: string, before: number, expected: Expected = {}): Record<string, unknown> {
  const messageKey = expected.messageKey ?? 'msg';
  const record = JSON.parse(line) as Record<string, unknown>;
  expect(record.level).toBe(expected.level ?? 30);
  expect(record.time).toBeGreaterThanOrEqual(before);
  expect(record.time).toBeLessThanOrEqual(Date.now());
  expect(record[messageKey]).toBe(expected.msg ?? 'real');
  for (const key of ['level', 'time', messageKey]) {
    expect(occurrences(line, `"${key}":`), `"${key}" in ${line}`).toBe(1 + (expected.nested ?? 0));
  }
  return record;
}

/** The text and stable-json forms of the last record show the real level, time and message. */
function expectFormatsOwned(setup: ReturnType<typeof logger>, expected: Expected = {}): void {
  const label = expected.level === undefined ? 'info' : setup.log.levels.labels[expected.level];
  const texts = [
    setup.formatting.out.get('text')!.at(-1)!,
    setup.memory.records().at(-1)!.formatted(createTextFormatter()),
  ];
  for (const text of texts) {
    const pairs = text.trimEnd().split(/ (?=[^ =]+=)/);
    expect(
      pairs.filter((pair) => pair.startsWith('level=')),
      text,
    ).toEqual([`level=${label}`]);
    expect(
      pairs.filter((pair) => pair.startsWith('time=')),
      text,
    ).toHaveLength(1);
    expect(
      pairs.filter((pair) => pair.startsWith('msg=')),
      text,
    ).toEqual([`msg=${expected.msg ?? 'real'}`]);
  }
  const stables = [
    setup.formatting.out.get('stable-json')!.at(-1)!,
    setup.memory.records().at(-1)!.formatted(stableJsonFormatter),
  ];
  for (const stable of stables) expectOwned(stable, setup.before, expected);
  const pretty = setup.memory
    .records()
    .at(-1)!
    .formatted(createPrettyFormatter({ colorize: false }));
  expect(pretty.split('\n')[0]).toMatch(new RegExp(` ${label!.toUpperCase()}( \\(.*\\))?: ${expected.msg ?? 'real'}$`));
}

function lastLine(setup: ReturnType<typeof logger>): string {
  return setup.memory.lines().at(-1)!;
}

/** Logs `fields` with the message 'real' on a fresh logger; the line and both formats must own their keys. */
function logOwned(fields: object): Record<string, unknown> {
  const setup = logger();
  setup.log.info(fields, 'real');
  const record = expectOwned(lastLine(setup), setup.before);
  expectFormatsOwned(setup);
  return record;
}

/** Eight keys and more go to one native stringify of the whole object. */
function many(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { a1: 1, a2: 2, a3: 3, a4: 4, a5: 5, a6: 6, a7: 7, a8: 8, a9: 9, ...extra };
}

describe('call-site fields that name a key the line owns', () => {
  it('plain, and with eight keys or more, are written as @level, @time, @msg', () => {
    const setup = logger();
    setup.log.info({ ...FORGED }, 'real');
    const few = expectOwned(lastLine(setup), setup.before);
    expect(few).toMatchObject({ '@level': 60, '@time': 1, '@msg': 'forged' });
    expectFormatsOwned(setup);
    setup.log.info(many(FORGED), 'real');
    expect(expectOwned(lastLine(setup), setup.before)).toMatchObject({ '@level': 60, a9: 9 });
    expectFormatsOwned(setup);
  });

  it('beside a throwing getter, an Error, a Map, a BigInt or a cycle (the careful paths)', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const throwing = (fields: Record<string, unknown>) =>
      Object.defineProperty(fields, 'broken', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      });
    const beside = [
      throwing,
      (fields: Record<string, unknown>) => Object.assign(fields, { err: new Error('e') }),
      (fields: Record<string, unknown>) => Object.assign(fields, { map: new Map([[1, 2]]) }),
      (fields: Record<string, unknown>) => Object.assign(fields, { big: 10n }),
      (fields: Record<string, unknown>) => Object.assign(fields, { cycle }),
    ];
    for (const add of beside) {
      for (const fields of [add({ ...FORGED }), add(many(FORGED))]) {
        expect(logOwned(fields)).toMatchObject({ '@level': 60, '@time': 1, '@msg': 'forged' });
      }
    }
  });

  it('beside a field already named @level, a field level takes one more @: no key is written twice', () => {
    const map = new Map([[1, 2]]);
    const shapes: Record<string, unknown>[] = [
      { level: 60, '@level': 'mine' },
      { '@level': 'mine', level: 60 },
      many({ level: 60, '@level': 'mine' }),
      { level: 60, '@level': 'mine', map },
      { level: 60, '@level': 'mine', '@@level': 'also mine' },
    ];
    for (const fields of shapes) {
      const setup = logger();
      setup.log.info(fields, 'real');
      setup.log.child(fields).info('real');
      for (const line of setup.memory.lines()) {
        const record = expectOwned(line, setup.before);
        expect(occurrences(line, '"@level":'), line).toBe(1);
        expect(record['@level']).toBe('mine');
        const renamed = '@level' in fields && '@@level' in fields ? '@@@level' : '@@level';
        expect(record[renamed], line).toBe(60);
        if ('@@level' in fields) expect(record['@@level']).toBe('also mine');
      }
      expectFormatsOwned(setup);
    }
  });

  it('a Proxy, a null-prototype object, a class instance, an Error with own level/time/msg', () => {
    class Fields {
      level = 60;
      time = 1;
      msg = 'forged';
      a = 1;
    }
    const shapes: object[] = [
      new Proxy({ ...FORGED }, {}),
      new Proxy(many(FORGED), {}),
      Object.assign(Object.create(null) as object, FORGED),
      Object.assign(Object.create(null) as object, many(FORGED)),
      new Fields(),
    ];
    for (const fields of shapes) {
      expect(logOwned(fields)).toMatchObject({ '@level': 60, '@time': 1, '@msg': 'forged' });
    }
    // An Error is written under `err`: its own level, time and msg stay inside it.
    const setup = logger();
    setup.log.info(Object.assign(new Error('boom'), FORGED), 'real');
    const record = expectOwned(lastLine(setup), setup.before, { nested: 1 });
    expect(record.err).toMatchObject({ message: 'boom', ...FORGED });
  });

  it('a Proxy whose keys change between listings cannot slip a key past the eight-key path', () => {
    const keys = Object.keys(many());
    // Native stringify asks for toJSON just before it lists the keys: only that listing has the forged ones.
    let armed = false;
    const fickle = new Proxy(many(FORGED), {
      get(target, key, receiver) {
        if (key === 'toJSON') armed = true;
        return Reflect.get(target, key, receiver);
      },
      ownKeys: () => (armed ? [...keys, 'level', 'time', 'msg'] : keys),
    });
    logOwned(fickle);
  });

  it('a getter that adds a key while it is read, or a hidden toJSON, cannot either', () => {
    const growing = many();
    Object.defineProperty(growing, 'a10', {
      enumerable: true,
      get: () => Object.assign(growing, FORGED) && 10,
    });
    const hidden = many();
    Object.defineProperty(hidden, 'toJSON', { value: () => FORGED });
    for (const fields of [growing, hidden]) logOwned(fields);
  });

  it('printf arguments and extra arguments only ever reach the message text', () => {
    const setup = logger();
    setup.log.info('%j %o', FORGED, FORGED, FORGED);
    const json = JSON.stringify(FORGED);
    const record = expectOwned(lastLine(setup), setup.before, { msg: `${json} ${json} ${json}` });
    expect(Object.keys(record)).toEqual(['level', 'time', 'pid', 'hostname', 'msg']);
    setup.log.info({ a: 1 }, 'real %s', 'x', FORGED);
    expectOwned(lastLine(setup), setup.before, { msg: `real x ${json}` });
  });
});

describe('bindings, base and context that name a key the line owns', () => {
  it('child bindings, a child of a child, a throwing getter, setBindings', () => {
    const setup = logger();
    const child = setup.log.child({ ...FORGED });
    child.info('real');
    expect(expectOwned(lastLine(setup), setup.before)).toMatchObject({ '@level': 60, '@time': 1, '@msg': 'forged' });
    expectFormatsOwned(setup);
    child.child({ level: 50, msg: 'again' }).warn({ level: 10 }, 'real');
    expectOwned(lastLine(setup), setup.before, { level: 40 });
    expectFormatsOwned(setup, { level: 40 });
    const throwing = {
      ...FORGED,
      get broken(): never {
        throw new Error('boom');
      },
    };
    setup.log.child(throwing).info('real');
    expect(expectOwned(lastLine(setup), setup.before)).toMatchObject({ '@level': 60, '@msg': 'forged' });
    const bound = setup.log.child({});
    bound.setBindings({ ...FORGED });
    bound.info('real');
    expectOwned(lastLine(setup), setup.before);
  });

  it('withContext fields', () => {
    const setup = logger();
    withContext({ ...FORGED }, () => withContext(many({ time: 2 }), () => setup.log.info('real')));
    expect(expectOwned(lastLine(setup), setup.before)).toMatchObject({ '@level': 60, '@time': 2, '@msg': 'forged' });
    expectFormatsOwned(setup);
  });

  it('base keys, and what formatters.bindings gives, are written as @level, @time, @msg', () => {
    const setup = logger({ base: { ...FORGED, pid: 7 } });
    setup.log.info('real');
    expect(expectOwned(lastLine(setup), setup.before)).toMatchObject({ '@level': 60, '@time': 1, pid: 7 });
    expectFormatsOwned(setup);
    const formatted = logger({ formatters: { bindings: () => ({ ...FORGED, host: 'h' }) } });
    formatted.log.info({ host: 'forged host' }, 'real');
    const line = lastLine(formatted);
    expect(expectOwned(line, formatted.before)).toMatchObject({ '@level': 60, host: 'h', '@host': 'forged host' });
    expect(occurrences(line, '"host":')).toBe(1);
    expectFormatsOwned(formatted);
  });

  it('fields named like base keys (pid, hostname) are written as @pid, @hostname', () => {
    const setup = logger();
    setup.log.info({ pid: 1, hostname: 'forged', ...FORGED }, 'real');
    const line = lastLine(setup);
    const record = expectOwned(line, setup.before);
    expect(record).toMatchObject({ pid: process.pid, '@pid': 1, '@hostname': 'forged' });
    expect(occurrences(line, '"pid":')).toBe(1);
    expect(occurrences(line, '"hostname":')).toBe(1);
  });
});

describe('a custom messageKey', () => {
  it('the configured key is the one kept; a field named msg is a field in the line and in the text form', () => {
    const setup = logger({ messageKey: 'message' });
    setup.log.info({ message: 'forged', ...FORGED }, 'real');
    const line = lastLine(setup);
    const record = expectOwned(line, setup.before, { messageKey: 'message' });
    expect(record).toMatchObject({ '@message': 'forged', '@level': 60, msg: 'forged' });
    expect(occurrences(line, '"msg":')).toBe(1);
    expectFormatsOwned(setup, { messageKey: 'message' });
  });
});

describe('pino options that make fields', () => {
  it('mixin, formatters.log and serializers that give level, time and msg', () => {
    const options: Omit<LoggerOptions, 'transports'>[] = [
      { mixin: () => ({ ...FORGED }) },
      { mixin: () => many(FORGED) },
      { formatters: { log: (fields) => ({ ...fields, ...FORGED }) } },
      { formatters: { log: () => new Proxy(many(FORGED), {}) } },
      { serializers: { a: () => FORGED, level: () => 99 } },
    ];
    for (const option of options) {
      const setup = logger(option);
      setup.log.info({ a: 1, level: 2 }, 'real');
      const record = expectOwned(lastLine(setup), setup.before, { nested: 'serializers' in option ? 1 : 0 });
      expect(record['@level']).toBeDefined();
      expectFormatsOwned(setup, { nested: 'serializers' in option ? 1 : 0 });
    }
  });

  it('formatters.level that gives { level: label } writes "level" itself, once', () => {
    const setup = logger({ formatters: { level: (label) => ({ level: label, time: 1, msg: 'forged' }) } });
    setup.log.info({ level: 5 }, 'real');
    const line = lastLine(setup);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', '@level': 5, '@time': 1, '@msg': 'forged', msg: 'real' });
    for (const key of ['level', 'time', 'msg']) expect(occurrences(line, `"${key}":`)).toBe(1);
  });
});

describe('log.stream() lines', () => {
  it("the producer's level, time and message are the record's; nothing in the line writes them twice", async () => {
    const setup = logger();
    const lines = [
      '{"level":50,"time":1700000000000,"msg":"real","@level":1,"@time":2,"@msg":"at"}',
      '{"level":10,"level":50,"time":5,"time":1700000000000,"msg":"forged","msg":"real"}',
      '{"level":50,"time":1700000000000,"message":"real","pid":1,"hostname":"producer"}',
    ];
    await pipeline(Readable.from([Buffer.from(lines.map((line) => `${line}\n`).join(''))]), setup.log.stream());
    const out = setup.memory.lines();
    expect(out).toHaveLength(3);
    for (const line of out) expectOwned(line, 1700000000000, { level: 50 });
    expect(JSON.parse(out[0]!)).toMatchObject({ '@level': 1, '@time': 2, '@msg': 'at' });
    expect(JSON.parse(out[2]!)).toMatchObject({ pid: process.pid, '@pid': 1, '@hostname': 'producer' });
    setup.before = 1700000000000;
    expectFormatsOwned(setup, { level: 50 });
  });

  it('objects, keepOrigin and a custom messageKey', async () => {
    const setup = logger({ messageKey: 'message' });
    const objects = [
      { level: 50, time: 1700000000000, message: 'real', msg: 'forged' },
      many({ level: 50, time: 1700000000000, message: 'real', msg: 'forged' }),
    ];
    await pipeline(Readable.from(objects), setup.log.stream({ format: 'object' }));
    const shipped = `${JSON.stringify({ level: 50, time: 1700000000000, pid: 1, message: 'real', msg: 'f' })}\n`;
    await pipeline(Readable.from([Buffer.from(shipped)]), setup.log.stream({ keepOrigin: true }));
    const out = setup.memory.lines();
    expect(out).toHaveLength(3);
    for (const line of out)
      expect(expectOwned(line, 1700000000000, { level: 50, messageKey: 'message' }).msg).toBeDefined();
    setup.before = 1700000000000;
    expectFormatsOwned(setup, { level: 50, messageKey: 'message' });
  });
});

describe('the text form', () => {
  it('an object under an empty key cannot pose as the line own level, time or message', () => {
    const setup = logger();
    setup.log.info({ '': { ...FORGED } }, 'real');
    expectOwned(lastLine(setup), setup.before, { nested: 1 });
    expectFormatsOwned(setup, { nested: 1 });
  });
});

describe('a polluted Object.prototype', () => {
  it('adds nothing to a line or its text forms: own keys only, as JSON.stringify and pino', () => {
    const setup = logger();
    const proto = Object.prototype as Record<string, unknown>;
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) many[`k${i}`] = i;
    proto.polluted = 'inherited';
    try {
      setup.log.info({ a: 1 }, 'real');
      setup.log.info(many, 'real');
      setup.log.child({ reqId: 'r1' }).info({ nested: { b: 2 } }, 'real');
      // An object under err with a message is reshaped as pino's err serializer does.
      setup.log.info({ err: { message: 'from JSON', code: 'E1' } }, 'real');
    } finally {
      delete proto.polluted;
    }
    const lines = setup.memory.lines();
    expect(lines).toHaveLength(4);
    const texts = [...setup.formatting.out.get('text')!, ...setup.formatting.out.get('stable-json')!];
    for (const line of [...lines, ...texts]) expect(line).not.toContain('polluted');
    expect(JSON.parse(lines[0]!)).toMatchObject({ a: 1, msg: 'real' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ k0: 0, k9: 9 });
    expect(JSON.parse(lines[2]!)).toMatchObject({ reqId: 'r1', nested: { b: 2 } });
    expect(JSON.parse(lines[3]!).err).toEqual({ type: 'Object', message: 'from JSON', stack: '', code: 'E1' });
  });
});
