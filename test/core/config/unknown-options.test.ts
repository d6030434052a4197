import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  createLogger,
  type LoggerOptions,
  MemoryTransport,
  registerTransport,
} from '../../../src/index.js';

function configError(config: unknown): ConfigError {
  try {
    createLogger({ ...(config as object), exitFlush: false } as LoggerOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

registerTransport('typo-sink', {
  schema: z.strictObject({ topic: z.string(), partitions: z.number().optional() }),
  create: () => new MemoryTransport(),
});

describe('an option the schema does not know', () => {
  it('a transport entry given as the whole config: its "type" says where entries go', () => {
    const error = configError({ type: 'file', path: 'x.log' });
    const type = error.issues.find((issue) => issue.path === 'type');
    // Before: one "unknown option" per key, each listing the 28 top-level options, and no hint.
    expect(type?.expected).toBe(
      'unknown option "type": this looks like one transport entry; a config holds its entries in "transports": [ … ]',
    );
  });

  it('is named first, with the known options and the one it probably meant, for a built-in transport', () => {
    const error = configError({ transports: [{ type: 'file', pth: 'x.log' }] });
    expect(error.path).toBe('transports[0].pth');
    expect(error.issues[0]?.expected).toMatch(
      /^unknown option "pth" \(known: path, mode, .*\); did you mean "path"\?$/,
    );
    // The missing "path" is still reported, after the typo that explains it.
    expect(error.issues.map((i) => i.path)).toEqual(['transports[0].pth', 'transports[0].path']);
  });

  it('is named first for a registered plugin transport', () => {
    const error = configError({ transports: [{ type: 'typo-sink', topc: 'logs' }] });
    expect(error.message).toMatch(
      /^transports\[0\]\.topc: unknown option "topc" \(known: topic, partitions\); did you mean "topic"\?/,
    );
    expect(error.issues[1]?.path).toBe('transports[0].topic');
  });

  it('is named for the top-level config, case mistakes included', () => {
    expect(configError({ levle: 'info' }).message).toMatch(/^levle: unknown option .*; did you mean "level"\?$/);
    expect(configError({ MessageKey: 'm' }).expected).toMatch(/did you mean "messageKey"\?$/);
  });

  it('suggests nothing when no known name is close', () => {
    const error = configError({ transports: [{ type: 'console', zzzzzz: true }] });
    expect(error.expected).toBe('unknown option "zzzzzz" (known: stream, stderrLevel)');
  });

  it('suggests a transport or formatter name close to a misspelt one', () => {
    expect(configError({ transports: [{ type: 'fiel', path: 'x' }] }).expected).toMatch(/did you mean "file"\?$/);
    expect(configError({ transports: [{ type: 'memory', format: 'jsno' }] }).expected).toMatch(
      /did you mean "json"\?$/,
    );
  });
});
