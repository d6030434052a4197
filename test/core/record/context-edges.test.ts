import { describe, expect, it } from 'vitest';
import { currentContext } from '../../../src/core/record/context.js';
import { createLogger, type LoggerOptions, withContext } from '../../../src/index.js';

/** A logger whose lines are kept, without time, for comparing. */
function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = createLogger({
    base: null,
    timestamp: false,
    exitFlush: false,
    ...options,
    transports: [{ write: (line: string) => lines.push(line.trim()) }],
  });
  return { log, lines };
}

describe('withContext fields, as each logger writes them', () => {
  it("two loggers in one context: each writes the fields with its own keys (a base's name as @name)", async () => {
    const audit = capture();
    const api = capture({ base: { name: 'api' } });
    withContext({ name: 'checkout' }, () => {
      audit.log.info('first');
      api.log.info('second');
    });
    // Before: the first logger's rendering was reused, and the second line held "name" twice.
    expect(audit.lines).toEqual(['{"level":30,"name":"checkout","msg":"first"}']);
    expect(api.lines).toEqual(['{"level":30,"name":"api","@name":"checkout","msg":"second"}']);
    await Promise.all([audit.log.close(), api.log.close()]);
  });

  it("go through the logger's serializers, as its call fields and bindings do", async () => {
    const { log, lines } = capture({ serializers: { user: (u: { id: number }) => ({ id: u.id }) } });
    const user = { id: 7, email: 'ann@example.com', apiKey: 'k_live_123' };
    log.info({ user }, 'field');
    withContext({ user }, () => log.info('context'));
    withContext({ user }, () => log.child({ reqId: 'r1' }).info('child'));
    // Before: the context's user was written whole, apiKey included.
    expect(lines).toEqual([
      '{"level":30,"user":{"id":7},"msg":"field"}',
      '{"level":30,"user":{"id":7},"msg":"context"}',
      '{"level":30,"reqId":"r1","user":{"id":7},"msg":"child"}',
    ]);
    await log.close();
  });

  it('a getter that throws: the other fields stay, and a path hides what its message says', async () => {
    const { log, lines } = capture({ redact: ['password'] });
    const fields = {
      reqId: 'r1',
      get password(): string {
        throw new Error('rejected password hunter2');
      },
    };
    withContext(fields, () => log.info('context'));
    withContext(fields, () => withContext({ step: 'charge' }, () => log.info('nested')));
    // Before: {"contextError":"context fields could not be used: Error: rejected password hunter2"}.
    expect(lines).toEqual([
      '{"level":30,"reqId":"r1","password":"[Redacted]","msg":"context"}',
      '{"level":30,"reqId":"r1","password":"[Redacted]","step":"charge","msg":"nested"}',
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
    await log.close();
  });

  it('a Map gives its entries, as it does as a call object', async () => {
    const { log, lines } = capture();
    withContext(
      new Map<unknown, unknown>([
        ['reqId', 'r1'],
        [7, 'seven'],
        [{}, 'no key'],
      ]) as never,
      () => log.info('in a map context'),
    );
    // Before: no fields at all.
    expect(lines).toEqual(['{"level":30,"7":"seven","reqId":"r1","msg":"in a map context"}']);
    await log.close();
  });

  it('a step scheduled from inside the last one nests without keeping every earlier step alive', async () => {
    let deepest = 0;
    await new Promise<void>((resolve) => {
      const step = (n: number): void =>
        withContext({ job: n, body: [n] }, () => {
          deepest = currentContext()!.sources.length;
          if (n < 2000) setImmediate(() => step(n + 1));
          else resolve();
        });
      step(0);
    });
    // Before: 2,001 sources, each step's fields held for as long as the chain ran.
    expect(deepest).toBe(1);
  });
});

describe('onChild taken off', () => {
  it('log.onChild = undefined: children are made without a word', async () => {
    const said: string[] = [];
    const { log } = capture({ diagnostics: (message) => said.push(message) });
    (log as unknown as { onChild: unknown }).onChild = undefined;
    log.child({ a: 1 }).info('child');
    // Before: "onChild threw: TypeError: this.onChild is not a function" for every child.
    expect(said).toEqual([]);
    await log.close();
  });
});

describe("a child's close", () => {
  it('leaves the logger it came from open (await using a child per request)', async () => {
    const { log, lines } = capture();
    for (const reqId of ['r1', 'r2']) {
      const reqLog = log.child({ reqId });
      reqLog.info('handling');
      await reqLog[Symbol.asyncDispose]();
      expect(await reqLog.close()).toBe(true);
    }
    log.info('after the requests');
    // Before: the first child's dispose closed the whole logger; the rest were dropped.
    expect(lines).toEqual([
      '{"level":30,"reqId":"r1","msg":"handling"}',
      '{"level":30,"reqId":"r2","msg":"handling"}',
      '{"level":30,"msg":"after the requests"}',
    ]);
    expect(log.stats().droppedAfterClose).toBe(0);
    await log.close();
  });
});
