import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../../src/index.js';

/*
 * Options each valid alone that make no sense together: each is a ConfigError naming the
 * entry, not a logger that loses, duplicates or misroutes records at run time.
 */

/** The issues of the ConfigError `options` throw, or "built". */
function issuesOf(options: LoggerOptions): unknown {
  try {
    const log = createLogger({ exitFlush: false, diagnostics: false, ...options });
    void log.close();
    return 'built';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
}

describe('an id that is the name another entry gets by its type and position', () => {
  it('is a duplicate id, whichever entry comes first; log.transport(id) found only one of the two', () => {
    expect(issuesOf({ transports: [{ type: 'memory', id: 'memory#1' }, { type: 'memory' }] })).toEqual([
      {
        path: 'transports[1]',
        expected:
          'named "memory#1" by its type and position, the id of transports[0]: give this entry an "id" of its own',
      },
    ]);
    expect(issuesOf({ transports: [{ type: 'memory' }, { type: 'memory', id: 'memory#0' }] })).toEqual([
      {
        path: 'transports[1].id',
        expected: 'duplicate id "memory#0" (already used by transports[0], named so by its type and position)',
      },
    ]);
  });

  it('names other than the one an entry gets are free', () => {
    expect(issuesOf({ transports: [{ type: 'memory', id: 'memory#0' }, { type: 'memory' }] })).toBe('built');
    expect(issuesOf({ transports: [{ type: 'memory', id: 'console#1' }, { type: 'memory' }] })).toBe('built');
  });
});
