import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../src/index.js';

/*
 * Where pino takes a destination (`pino(opts, destination)`, `pino(destination)`), streamlog
 * takes it in `transports`. Put where pino's goes, it was read as options: one "unknown option"
 * line for each of the stream's internals (_writableState, fd, …), about thirty of them, and
 * no word of where it goes. pino.multistream() was refused as a transport entry with no "type".
 */
const build =
  (...args: unknown[]) =>
  () =>
    (createLogger as (...a: unknown[]) => unknown)(...args);

describe('a destination where pino takes it', () => {
  it('after the options, or as the only argument: a ConfigError saying it goes in transports', () => {
    const quiet: LoggerOptions = { exitFlush: false, level: 'warn' };
    // A path or a descriptor, as pino(opts, '/var/log/app.log') and pino(opts, 2) take: the path
    // was spread into options "0", "1", …, and the descriptor ignored (2 wrote to stdout).
    const calls = [build(quiet, process.stdout), build(process.stdout), build(quiet, '/tmp/app.log'), build(quiet, 2)];
    for (const call of calls) {
      expect(call).toThrow(ConfigError);
      expect(call).toThrow(
        /^a destination goes in `transports`: createLogger\(\{ \.\.\.options, transports: \[destination\] \}\)$/,
      );
    }
  });

  it('an object with a write() only, as pino takes one: each line written to it, each record delivered', async () => {
    // Refused before: an entry with no "type".
    const written: string[] = [];
    const sink = { write: (line: string) => written.push(line) };
    const failing = {
      write: () => {
        throw new Error('sink is full');
      },
    };
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      transports: [sink, { transport: failing, level: 'error' }],
      router: { strategy: 'any' },
    });
    log.info({ a: 1 }, 'one');
    log.error('two');
    expect(await log.flush()).toBe(true);
    expect(written).toEqual(['{"level":30,"a":1,"msg":"one"}\n', '{"level":50,"msg":"two"}\n']);
    const [first, second] = log.stats().targets;
    expect([first!.delivered, first!.failed, second!.delivered, second!.failed]).toEqual([2, 0, 0, 1]);
    await log.close();
  });

  it('pino.multistream() in transports: a ConfigError saying to give its streams as entries', () => {
    const multi = pino.multistream([{ stream: process.stdout, level: 'info' }]);
    expect(build({ exitFlush: false, transports: [multi] })).toThrow(
      /^transports\[0\]: pino\.multistream\(\) is not taken: give each of its streams as an entry with its level/,
    );
  });
});
