import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { Collector } from '../helpers.js';
import { sideBySide } from './side-by-side.js';

// pino's options a service passes that are functions or change the level table, run through
// pino and streamlog with the same calls and compared as parsed lines.

describe('formatters.level, as pino', () => {
  it('the fields a level formatter gives stand for the level, on the root and on children', async () => {
    const level = (label: string, value: number) => ({ severity: label.toUpperCase(), levelValue: value });
    const { calls, ours, theirs, lines } = sideBySide({ formatters: { level } });
    for (const log of calls) {
      log.info!('up');
      log.error!({ code: 7 }, 'down');
    }
    ours.child({ reqId: 1 }).warn('child');
    theirs.child({ reqId: 1 }).warn('child');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine[0]).toEqual({ severity: 'INFO', levelValue: 30, msg: 'up' });
    expect(mine[2]).toEqual({ severity: 'WARN', levelValue: 40, reqId: 1, msg: 'child' });
  });

  it("a field or a binding named as the formatter's fields cannot forge the level: it is written @<key>", async () => {
    const out = new Collector();
    const level = (label: string) => ({ severity: label.toUpperCase() });
    const log = createLogger({
      exitFlush: false,
      timestamp: false,
      base: { host: 'h' },
      formatters: { level },
      transports: [out],
    });
    log.error({ severity: 'INFO' }, 'disk full');
    log.child({ severity: 'TRACE' }).fatal('down');
    await log.flush();
    // One "severity" per line: JSON readers keep a repeated key's last value.
    expect(out.lines.map((line) => line.split('"severity":').length)).toEqual([2, 2]);
    expect(out.json()).toEqual([
      { severity: 'ERROR', '@severity': 'INFO', host: 'h', msg: 'disk full' },
      { severity: 'FATAL', '@severity': 'TRACE', host: 'h', msg: 'down' },
    ]);
  });

  it('a formatter that gives no field, throws, or is set beside levelFormat is a ConfigError at start-up', () => {
    const quiet = { exitFlush: false, transports: [new Collector()] };
    expect(() => createLogger({ ...quiet, formatters: { level: () => ({}) } })).toThrow(
      /^formatters\.level: gave an empty object for trace, where an object with at least one field is expected/,
    );
    // A map that lacks a level gives fields JSON drops: the line was `{,"time":…`, no JSON.
    const severity: Record<string, string> = { info: 'INFO' };
    expect(() => createLogger({ ...quiet, formatters: { level: (l) => ({ severity: severity[l] }) } })).toThrow(
      /^formatters\.level: gave no field JSON can hold for trace \(severity: undefined\)/,
    );
    const throwing = () => {
      throw new Error('nope');
    };
    expect(() => createLogger({ ...quiet, formatters: { level: throwing } })).toThrow(
      /^formatters\.level: threw: Error: nope/,
    );
    expect(() => createLogger({ ...quiet, levelFormat: 'label', formatters: { level: (l) => ({ l }) } })).toThrow(
      /^formatters\.level: expected levelFormat or formatters\.level, not both/,
    );
  });
});

describe('formatters.level at run time', () => {
  it('a level not tried at start-up (one from log.stream()) that makes it throw: written as a number', async () => {
    const out = new Collector();
    const level = (label: string) => {
      if (label.startsWith('level')) throw new Error('unknown level');
      return { severity: label };
    };
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      formatters: { level },
      transports: [out],
    });
    const stream = log.stream();
    stream.end('{"level":35,"msg":"from elsewhere"}\n');
    await new Promise((resolve) => stream.on('finish', resolve));
    log.warn('known');
    await log.flush();
    expect(out.json()).toEqual([
      { level: 35, msg: 'from elsewhere' },
      { severity: 'warn', msg: 'known' },
    ]);
  });
});

describe('hooks.logMethod, as pino', () => {
  it('the hook sees each enabled call, on children too, and decides what is written', async () => {
    const seen: number[] = [];
    const hooks = {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) {
        seen.push(level);
        if (args[0] === 'skip') return;
        // The common use: an object given after the message is moved first, as pino expects it.
        if (typeof args[0] === 'string' && typeof args[1] === 'object') method.apply(this, [args[1], args[0]]);
        else method.apply(this, args);
      },
    };
    const { calls, ours, theirs, lines } = sideBySide({ hooks });
    for (const log of calls) {
      log.info!('moved', { a: 1 });
      log.info!('skip');
      log.debug!('below the level: the hook is not called');
      log.warn!('plain %s', 'x');
    }
    ours.child({ c: 1 }).error('child');
    theirs.child({ c: 1 }).error('child');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([
      { level: 30, a: 1, msg: 'moved' },
      { level: 40, msg: 'plain x' },
      { level: 50, c: 1, msg: 'child' },
    ]);
    expect(seen).toEqual([30, 30, 40, 30, 30, 40, 50, 50]);
  });

  it('a hook that throws loses no call and is diagnosed; the call is not written twice', async () => {
    const out = new Collector();
    const diagnostics: string[] = [];
    const log = createLogger({
      exitFlush: false,
      transports: [out],
      diagnostics: (message) => diagnostics.push(message),
      hooks: {
        logMethod(args, method) {
          if (args[0] === 'after') method.apply(this, args);
          throw new Error('hook bug');
        },
      },
    });
    log.info('before');
    log.info('after');
    await log.flush();
    expect(out.json().map((l) => l.msg)).toEqual(['before', 'after']);
    expect(diagnostics).toEqual(['hooks.logMethod threw: Error: hook bug', 'hooks.logMethod threw: Error: hook bug']);
  });

  it('an unknown hook or one that is not a function is a ConfigError', () => {
    expect(() => createLogger({ exitFlush: false, hooks: { streamWrit: () => '' } as never })).toThrow(
      /^hooks\.streamWrit: unknown hook \(known: logMethod, streamWrite\)/,
    );
    expect(() => createLogger({ exitFlush: false, hooks: { logMethod: 'x' } as never })).toThrow(
      /^hooks\.logMethod: expected a function/,
    );
  });
});

describe('useOnlyCustomLevels, as pino', () => {
  it('only the custom levels are level methods and level names', async () => {
    const options = { customLevels: { audit: 35, page: 55 }, useOnlyCustomLevels: true, level: 'audit' };
    const { calls, ours, lines } = sideBySide(options);
    for (const log of calls) {
      log.audit!({ user: 1 }, 'login');
      log.page!('wake up');
      expect(log.info).toBeUndefined();
    }
    expect(ours.levels.values).toEqual({ audit: 35, page: 55 });
    expect(() => {
      ours.level = 'info';
    }).not.toThrow();
    expect(ours.level).toBe('audit');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
  });

  it('without a custom level, or with a level that is not one, it is a ConfigError naming the levels', () => {
    expect(() => createLogger({ exitFlush: false, useOnlyCustomLevels: true })).toThrow(
      /^useOnlyCustomLevels: expected levels \(or customLevels\) to name at least one level/,
    );
    expect(() => createLogger({ exitFlush: false, customLevels: { audit: 35 }, useOnlyCustomLevels: true })).toThrow(
      /^level: expected one of the custom levels \(audit\), as useOnlyCustomLevels is set/,
    );
  });
});

describe('a plain object under err, as pino', () => {
  it('goes through the err serializer’s shape: type, message, stack, then its own keys', async () => {
    const { calls, lines } = sideBySide({ errorKey: 'err' });
    for (const log of calls) {
      log.info!({ err: { message: 'from JSON', code: 'E1' } });
      log.info!({ err: { message: 'typed', stack: 'at x', type: 'Mine' } }, 'given');
      log.info!({ err: 'a string stays' });
      log.info!({ err: { noMessage: true } });
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine[0]).toEqual({
      level: 30,
      err: { type: 'Object', message: 'from JSON', stack: '', code: 'E1' },
      msg: 'from JSON',
    });
  });

  it('a serializer of its own for err sees the object as logged', async () => {
    const { calls, lines } = sideBySide({ serializers: { err: (e: { message: string }) => `E:${e.message}` } });
    for (const log of calls) log.info!({ err: { message: 'mine' } }, 'x');
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine[0]).toEqual({ level: 30, err: 'E:mine', msg: 'x' });
  });
});
