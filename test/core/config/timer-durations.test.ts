import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../../src/index.js';

function build(config: Record<string, unknown>): unknown {
  try {
    const log = createLogger({ exitFlush: false, diagnostics: false, ...config } as LoggerOptions);
    void log.close({ timeoutMs: 100 });
    return 'built';
  } catch (error) {
    return error;
  }
}

const TOO_LONG = /expected a duration of at most 24\.8 days \(2147483647 ms, the longest timer Node can set\)/;
const http = { type: 'http', url: 'http://127.0.0.1:9/logs' };

describe('durations waited with a timer: longer than a Node timer takes is a ConfigError', () => {
  // A longer setTimeout fires after 1 ms (with a TimeoutOverflowWarning): "30d" would flush, retry
  // or time out at once, or re-arm every millisecond.
  const cases: [string, Record<string, unknown>][] = [
    ['exitTimeoutMs', { exitTimeoutMs: '30d' }],
    ['router.maxBackpressureMs', { router: { maxBackpressureMs: '30d' } }],
    ['transports[0].batch.intervalMs', { transports: [{ ...http, batch: { intervalMs: '30d' } }] }],
    ['transports[0].retry.baseMs', { transports: [{ ...http, retry: { baseMs: 2_147_483_648 } }] }],
    ['transports[0].retry.maxMs', { transports: [{ ...http, retry: { maxMs: '25d' } }] }],
    ['transports[0].timeoutMs', { transports: [{ ...http, timeoutMs: '30d' }] }],
    ['transports[0].connectTimeoutMs', { transports: [{ type: 'syslog', connectTimeoutMs: '30d' }] }],
    [
      'transports[0].flushIntervalMs',
      { transports: [{ type: 'buffered', flushIntervalMs: '30d', target: { type: 'memory' } }] },
    ],
  ];
  for (const [path, config] of cases) {
    it(`${path}: "30d" and the like name the path and the bound`, () => {
      const error = build(config);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path).toBe(path);
      expect((error as ConfigError).expected).toMatch(TOO_LONG);
    });
  }

  it('the bound itself, and durations that are not timers (deadline, cooldown, rotation), are accepted', () => {
    expect(build({ exitTimeoutMs: 2_147_483_647, router: { health: { cooldownMs: '60d' } } })).toBe('built');
    expect(build({ transports: [{ ...http, batch: { intervalMs: '24d' }, retry: { deadlineMs: '60d' } }] })).toBe(
      'built',
    );
  });
});

describe('a timeout of 0', () => {
  // Accepted, it failed every request or connection at once ("no answer within 0 ms").
  for (const [path, config] of [
    ['transports[0].timeoutMs', { transports: [{ ...http, timeoutMs: 0 }] }],
    ['transports[0].timeoutMs', { transports: [{ ...http, timeoutMs: '0s' }] }],
    ['transports[0].connectTimeoutMs', { transports: [{ type: 'syslog', connectTimeoutMs: '0ms' }] }],
  ] as const) {
    it(`${path}: ${JSON.stringify(Object.values(config.transports[0]).at(-1))} is a ConfigError`, () => {
      const error = build(config);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([{ path, expected: 'expected a timeout of at least 1 ms' }]);
    });
  }

  it('1 ms is accepted', () => {
    expect(
      build({
        transports: [
          { ...http, timeoutMs: 1 },
          { type: 'syslog', connectTimeoutMs: '1ms' },
        ],
      }),
    ).toBe('built');
  });
});
