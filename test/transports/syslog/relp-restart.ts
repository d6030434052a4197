import { expect } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { type Parsed, type Rsyslog, waitForMessages } from './rsyslog.js';

/**
 * rsyslogd restarted mid-stream under a relp target (`extra`: its tls, for RELP over TLS):
 * 100 records delivered, rsyslogd stopped, 100 more logged, which nothing acknowledges (still
 * pending, none delivered), rsyslogd started again, and all 200 delivered. Every index
 * arrives; each arrived once or was counted as a possible duplicate. Returns the logger
 * (still open: the caller closes it) and what rsyslog holds of the app's messages.
 */
export async function relpRestartMidStream(
  server: Rsyslog,
  port: number,
  app: string,
  loggers: Logger[],
  extra: Record<string, unknown> = {},
): Promise<{ log: Logger; got: Parsed[] }> {
  const log = createLogger({
    exitFlush: false,
    base: null,
    router: { health: { failureThreshold: 1_000_000 } },
    transports: [
      {
        type: 'syslog',
        protocol: 'relp',
        port,
        appName: app,
        batch: { intervalMs: 10 },
        retry: { baseMs: 50, maxMs: 200, maxAttempts: 1000 },
        ...extra,
      },
    ],
  });
  loggers.push(log);
  for (let i = 0; i < 100; i++) log.info({ i }, 'before the restart');
  expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
  await server.stop();
  for (let i = 100; i < 200; i++) log.info({ i }, 'while rsyslog is down');
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Nothing acknowledged them: still pending, not delivered.
  expect(log.stats()).toMatchObject({ logged: 200, delivered: 100, failed: 0, pending: 100 });
  await server.start();
  expect(await log.flush({ timeoutMs: 20_000 })).toBe(true);
  expect(log.stats()).toMatchObject({ logged: 200, delivered: 200, failed: 0, pending: 0 });
  const got = await waitForMessages(server.output, (m: Parsed) => m.appname === app, 200);
  const seen = new Set(got.map((m) => (JSON.parse(m.msg) as { i: number }).i));
  for (let i = 0; i < 200; i++) expect(seen.has(i), String(i)).toBe(true);
  const duplicates = got.length - seen.size;
  expect(duplicates).toBeLessThanOrEqual((log.stats().targets[0] as { possibleDuplicates: number }).possibleDuplicates);
  return { log, got };
}
