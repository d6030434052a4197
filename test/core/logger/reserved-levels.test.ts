import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type Logger } from '../../../src/index.js';

function build(name: string) {
  return createLogger({
    exitFlush: false,
    base: null,
    timestamp: false,
    levels: { [name]: 35 },
    transports: [{ type: 'memory' }],
  });
}

describe('custom level names', () => {
  // Each broke a logger before its state was private: a stack overflow, a TypeError, a
  // createLogger crash, a thenable logger, a broken String(log).
  it.each([
    'then',
    'toString',
    'constructor',
    'child',
    'level',
    'flush',
    'stats',
    'on',
    'silent',
    'hasOwnProperty',
    'valueOf',
    'isLevelEnabled',
  ])('"%s" would shadow the logger\'s own member: a ConfigError naming levels.%s', (name) => {
    let thrown: unknown;
    try {
      build(name);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).path).toBe(`levels.${name}`);
    expect((thrown as ConfigError).message).toMatch(/would shadow/);
  });

  it.each(['write', 'scope', 'core', 'tree', 'threshold'])(
    '"%s" names nothing on a logger, so it is a working level',
    async (name) => {
      const log = build(name) as unknown as Record<string, (msg: string) => void> & ReturnType<typeof build>;
      log[name]!('custom');
      log.info('built-in');
      await log.flush();
      const objects = (log.transports[0] as unknown as { objects(): Record<string, unknown>[] }).objects();
      expect(objects).toEqual([
        { level: 35, msg: 'custom' },
        { level: 30, msg: 'built-in' },
      ]);
      expect(String(log)).toBe('[object Object]');
      expect(await Promise.resolve(log)).toBe(log);
    },
  );

  it('`await using` closes the logger at the end of the block', async () => {
    let escaped: Logger | undefined;
    {
      await using log = createLogger({ exitFlush: false, transports: [{ type: 'memory' }] });
      log.info('inside');
      escaped = log;
    }
    expect(escaped.closed).toBe(true);
    expect(escaped.stats()).toMatchObject({ logged: 1, delivered: 1 });
  });
});
