import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, MemoryTransport, type LoggerOptions } from '../../src/index.js';
import { sideBySide } from './side-by-side.js';

// Call shapes where pino decides which message a line has (and whether msgPrefix goes before
// it): streamlog is driven the same way and must write the same parsed lines.

describe('the message key inside the logged object, as pino', () => {
  it('with no message given, the object’s message key is the line’s message, before its error’s', async () => {
    const err = new Error('boom');
    const { calls, lines } = sideBySide();
    for (const log of calls) {
      log.info!({ msg: 'from the object', a: 1 });
      log.error!({ err, msg: 'own message' });
      log.info!({ msg: 'x', b: 2 }, undefined);
      log.error!({ err });
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine[0]).toEqual({ level: 30, a: 1, msg: 'from the object' });
    expect(mine[1]).toMatchObject({ level: 50, msg: 'own message' });
    expect(mine[1]).not.toHaveProperty('@msg');
    expect(mine[3]).toMatchObject({ msg: 'boom' });
  });

  it('under a messageKey of its own; with a nestedKey the field stays in the nested object', async () => {
    const keyed = sideBySide({ messageKey: 'message' });
    for (const log of keyed.calls) log.info!({ message: 'text', msg: 'just a field' });
    const [mine, pinos] = await keyed.lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([{ level: 30, msg: 'just a field', message: 'text' }]);
    const nested = sideBySide({ nestedKey: 'payload' });
    const err = { message: 'not the line’s message' };
    for (const log of nested.calls) {
      log.info!({ msg: 'x', a: 1 });
      log.error!({ msg: 'y', err });
    }
    const [mineNested, pinosNested] = await nested.lines();
    expect(mineNested).toEqual(pinosNested);
    expect(mineNested[0]).toEqual({ level: 30, payload: { msg: 'x', a: 1 } });
    expect(mineNested[1]).not.toHaveProperty('msg');
  });

  it('an object under the message key is redacted by the paths that reach into it, as pino does', async () => {
    // pino writes the object itself; the line's message here is its JSON text, censored first.
    const secret = { password: 'SECRET1', user: { token: 'SECRET2' }, topic: 't' };
    const wild = sideBySide({ redact: ['*.password', 'msg.user.token'] });
    for (const log of wild.calls) log.info!({ msg: secret, a: 1 });
    const keyed = sideBySide({
      messageKey: 'message',
      redact: { paths: ['message.user', 'message.password'], remove: true },
    });
    for (const log of keyed.calls) log.info!({ message: secret });
    const whole = sideBySide({ redact: ['msg'] });
    for (const log of whole.calls) log.info!({ msg: secret });
    // The object given as the message itself (the call's second argument), as pino writes it there.
    const given = sideBySide({ redact: ['msg.password', 'msg.user.token'] });
    for (const log of given.calls) log.info!({ a: 1 }, secret);
    for (const [side, key] of [
      [wild, 'msg'],
      [keyed, 'message'],
      [whole, 'msg'],
      [given, 'msg'],
    ] as const) {
      const [[mine], [pinos]] = await side.lines();
      const text = mine![key] as string;
      expect(text).not.toContain('SECRET');
      expect(typeof pinos![key] === 'string' ? text : JSON.parse(text)).toEqual(pinos![key]);
    }
    expect(secret).toEqual({ password: 'SECRET1', user: { token: 'SECRET2' }, topic: 't' });
  });

  it('stays censored when the record cannot be built (pino throws): a throwing censor, unreadable fields', async () => {
    const written = async (redact: LoggerOptions['redact'], call: (log: Logger) => void) => {
      const memory = new MemoryTransport();
      const log = createLogger({ exitFlush: false, base: null, timestamp: false, redact, transports: [memory] });
      call(log);
      await log.close();
      return memory.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    };
    const secret = () => ({ password: 'hunter2', user: 'bob' });
    const trap = () => {
      throw new Error('trap');
    };
    const hostile = new Proxy({}, { getPrototypeOf: trap, ownKeys: trap });
    const censor = () => {
      throw new Error('censor failed');
    };
    // Before: the fallback made the message without the message key's paths, in clear.
    for (const line of [
      ...(await written({ paths: ['msg.password'], censor }, (log) => log.info({ a: 1 }, secret()))),
      ...(await written(['msg.password'], (log) => log.info(hostile, secret()))),
      ...(await written(['*.password'], (log) => log.info(hostile, secret()))),
    ]) {
      expect(JSON.stringify(line)).not.toContain('hunter2');
      expect(line.logError).toMatch(/^record could not be built/);
    }
    const [readable] = await written(['msg.password'], (log) => log.info(hostile, secret()));
    expect(JSON.parse(readable!.msg as string)).toEqual({ password: '[Redacted]', user: 'bob' });
  });

  it('the caller’s object keeps its message key', async () => {
    const { ours, lines } = sideBySide();
    const fields = { msg: 'kept', a: 1 };
    ours.info(fields);
    await lines();
    expect(fields).toEqual({ msg: 'kept', a: 1 });
  });
});

describe('msgPrefix, as pino', () => {
  it('goes before a message the call gives, not before an error’s message or the object’s own', async () => {
    const err = new Error('boom');
    const { ours, theirs, lines } = sideBySide();
    for (const log of [ours, theirs] as unknown as Record<string, (...a: unknown[]) => void>[]) {
      const child = (log.child as (b: object, o: object) => Record<string, (...a: unknown[]) => void>)(
        {},
        { msgPrefix: '[p] ' },
      );
      child.error!(err);
      child.error!({ err });
      child.info!({ msg: 'own' });
      child.error!(err, 'given');
      child.info!({ a: 1 }, 'given %s', 'too');
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine.map((line) => line.msg)).toEqual(['boom', 'boom', 'own', '[p] given', '[p] given too']);
  });
});
