import { describe, expect, it } from 'vitest';
import { createLogger, type FileTransport, type Logger, MemoryTransport } from '../../../src/index.js';

async function written(log: Logger, objects: object[]): Promise<Record<string, unknown>[]> {
  const stream = log.stream({ format: 'object' });
  for (const object of objects) stream.write(object);
  stream.end();
  await new Promise((r) => stream.on('finish', r));
  return log.transport<MemoryTransport>('mem')!.objects();
}

describe('log.stream() takes the message under the keys other loggers use', () => {
  it('message (winston, seed-style objects) and msg (pino) arrive as the message', async () => {
    const log = createLogger({ exitFlush: false, base: null, transports: [{ type: 'memory', id: 'mem' }] });
    const out = await written(log, [
      { level: 'warn', message: 'disk low' },
      { level: 'info', msg: 'from pino', message: 'kept as a field' },
      { message: { not: 'a string' } },
    ]);
    expect(out).toEqual([
      { level: 40, time: expect.any(Number), msg: 'disk low' },
      { level: 30, time: expect.any(Number), message: 'kept as a field', msg: 'from pino' },
      { level: 30, time: expect.any(Number), message: { not: 'a string' } },
    ]);
  });

  it('the configured messageKey first, then msg and message', async () => {
    const log = createLogger({
      exitFlush: false,
      base: null,
      messageKey: 'text',
      transports: [{ type: 'memory', id: 'mem' }],
    });
    const out = await written(log, [{ text: 'mine', message: 'theirs' }, { message: 'seed' }, { msg: 'pino' }]);
    expect(out.map((o) => o.text)).toEqual(['mine', 'seed', 'pino']);
    expect(out[0]).toMatchObject({ message: 'theirs' });
  });

  it('a messageKey named like an Object.prototype member reads only the own key, for objects and lines', async () => {
    // Before, toString's function was the message found, so msg and message stayed fields.
    for (const format of ['object', 'ndjson'] as const) {
      const log = createLogger({
        exitFlush: false,
        base: null,
        messageKey: 'toString',
        transports: [{ type: 'memory', id: 'mem' }],
      });
      const stream = log.stream({ format });
      const objects: Record<string, string>[] = [{ msg: 'pino' }, { message: 'winston' }, { toString: 'own' }];
      for (const object of objects) stream.write(format === 'object' ? object : `${JSON.stringify(object)}\n`);
      stream.write(format === 'object' ? { a: 1 } : 'not json\n');
      stream.end();
      await new Promise((r) => stream.on('finish', r));
      const out = log.transport<MemoryTransport>('mem')!.objects();
      expect(
        out.map((o) => (Object.hasOwn(o, 'toString') ? o.toString : undefined)),
        format,
      ).toEqual(['pino', 'winston', 'own', format === 'object' ? undefined : 'not json']);
      expect(
        out.map((o) => Object.hasOwn(o, 'msg') || Object.hasOwn(o, 'message')),
        format,
      ).toEqual([false, false, false, false]);
    }
  });
});

describe('log.transport(id)', () => {
  it('returns the transport with that id, named or numbered by type, and undefined for none', () => {
    const live = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'memory', id: 'recent' }, { type: 'memory' }, { transport: live, id: 'live' }],
    });
    expect(log.transport('recent')).toBe(log.transports[0]);
    expect(log.transport('memory#1')).toBe(log.transports[1]);
    expect(log.transport('live')).toBe(live);
    expect(log.transport('nope')).toBeUndefined();
    // Typed by the caller: the class's own methods and events are there.
    const file: FileTransport | undefined = log.transport<FileTransport>('nope');
    expect(file).toBeUndefined();
  });
});
