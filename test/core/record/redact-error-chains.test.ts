import { describe, expect, it } from 'vitest';
import type { Logger, LoggerOptions } from '../../../src/index.js';
import { redactedLine } from './redacted-line.js';

const SECRET = 'tok_live_4f9a';

const lineOf = (redact: LoggerOptions['redact'], call: (log: Logger) => void, options: LoggerOptions = {}) =>
  redactedLine(SECRET, redact, call, options);

describe('redaction of errors: what the line writes of an error is what the paths name', () => {
  it('err.message also leaves the stack, which starts with the message', async () => {
    const line = await lineOf(['err.message'], (log) => log.error({ err: new Error(SECRET) }, 'failed'));
    expect(line.err.message).toBe('[Redacted]');
    expect(line.err.stack).toMatch(/^Error: \[Redacted\]\n\s+at /);
  });

  it("err.message also covers the line's message when the error's message is the line's", async () => {
    expect((await lineOf(['err.message'], (log) => log.error(new Error(SECRET)))).msg).toBe('[Redacted]');
    expect((await lineOf(['err.message'], (log) => log.error({ err: new Error(SECRET) }))).msg).toBe('[Redacted]');
    const other = await lineOf(['error.message'], (log) => log.error(new Error(SECRET)), { errorKey: 'error' });
    expect(other.msg).toBe('[Redacted]');
    expect((await lineOf(['err'], (log) => log.error(new Error(SECRET)))).msg).toBe('[Redacted]');
  });

  it("err.message of an error with a cause: its own message also leaves its stack and the line's message", async () => {
    // Written "<message>: <cause's message>", the censored text was that join, which neither
    // the stack ("Error: <message>") nor the line's message repeats: both kept the secret.
    for (const path of ['err.message', 'err.*']) {
      const line = await lineOf([path], (log) => log.error(new Error(SECRET, { cause: new Error('upstream') })));
      expect(line.err.message).toBe('[Redacted]');
      expect(line.msg).toBe('[Redacted]');
    }
    const line = await lineOf(['err.message'], (log) => log.error({ err: new Error(SECRET, { cause: 'upstream' }) }));
    expect(line.err.stack).toMatch(/^Error: \[Redacted\]\n\s+at /);
    expect(line.msg).toBe('[Redacted]');
  });

  it('err.message of an error whose cause chain loops back: out of the causes written under it too', async () => {
    // The inner error's message and stack repeat the outer's ("inner: <outer>: ..."), which
    // were written in clear before.
    const line = await lineOf(['err.message'], (log) => {
      const outer = new Error(SECRET);
      const inner = new Error('inner', { cause: outer });
      outer.cause = inner;
      log.error({ err: outer }, 'failed');
    });
    expect(line.err.message).toBe('[Redacted]');
    expect(line.err.cause.message).toBe('inner: [Redacted]: ...');
    expect(line.err.cause.stack).toMatch(/\ncaused by: Error: \[Redacted\]\n/);
    expect(line.err.cause.cause).toBe('[Circular]');
  });

  it('an error with a toJSON of its own: the paths name what toJSON returns, as the line writes it', async () => {
    const line = await lineOf(['err.token'], (log) => {
      const err = new Error('denied');
      // The line writes what toJSON returns; `token` is no key of the error itself.
      Object.assign(err, { toJSON: () => ({ message: 'denied', token: SECRET }) });
      log.error({ err }, 'failed');
    });
    expect(line.err).toEqual({ message: 'denied', token: '[Redacted]' });
  });

  it('a cause in a loop, censored by message or whole: out of the messages and stacks that repeat it', async () => {
    const loop = () => {
      const outer = new Error('outer');
      const inner = new Error(SECRET, { cause: outer });
      outer.cause = inner;
      return outer;
    };
    const byMessage = await lineOf(['err.cause.message'], (log) => log.error(loop()));
    expect(byMessage.err.message).toBe('outer: [Redacted]: ...');
    const whole = await lineOf(['err.cause'], (log) => log.error(loop()));
    expect(whole.err).toMatchObject({ message: 'outer: [Redacted]: ...', cause: '[Redacted]' });
  });

  it("a censored cause with a cause of its own: its message leaves the stacks (only 'own: cause' did)", async () => {
    const line = await lineOf(['err.cause.message'], (log) =>
      log.error({ err: new Error('a', { cause: new Error(SECRET, { cause: new Error('c') }) }) }, 'm'),
    );
    expect(line.err.stack).toMatch(/\ncaused by: Error: \[Redacted\]\n/);
    expect(line.err.cause.stack).toMatch(/^Error: \[Redacted\]\n/);
  });

  it('err.errors names the members in whatever order the paths come (an earlier path wrote the error)', async () => {
    const line = await lineOf(['err.message', 'err.errors[*].message'], (log) =>
      log.error({ err: new AggregateError([new Error(SECRET)], 'outer') }, 'm'),
    );
    expect(line.err.aggregateErrors[0].message).toBe('[Redacted]');
  });

  it("a cause's message also leaves the message and stack it is joined into", async () => {
    const err = new Error('outer', { cause: new Error(SECRET) });
    const line = await lineOf(['err.cause.message'], (log) => log.error(err));
    expect(line.err.message).toBe('outer: [Redacted]');
    expect(line.err.stack).toContain('\ncaused by: Error: [Redacted]\n');
    expect(line.err.cause.message).toBe('[Redacted]');
    expect(line.msg).toBe('outer');
  });

  it('a cause censored whole takes its message and stack out of the error', async () => {
    const err = new Error('outer', { cause: new Error(SECRET, { cause: new Error(`${SECRET}-inner`) }) });
    const line = await lineOf(['err.cause'], (log) => log.error({ err }, 'failed'));
    expect(line.err.cause).toBe('[Redacted]');
    expect(line.err.message).toBe('outer: [Redacted]');
    expect(line.err.stack).toMatch(/\ncaused by: \[Redacted\]$/);
  });

  it('an error cause two levels down, found through a wildcard', async () => {
    const err = new Error('outer', { cause: new Error('middle', { cause: new Error(SECRET) }) });
    const line = await lineOf(['*.cause.cause.message'], (log) => log.error(err));
    expect(line.err.message).toBe('outer: middle: [Redacted]');
    expect(line.err.cause.message).toBe('middle: [Redacted]');
  });

  it('err.* censors every key the error is written with (message, stack, cause, own props)', async () => {
    const err = Object.assign(new Error(SECRET, { cause: new Error(SECRET) }), { code: SECRET });
    const line = await lineOf(['err.*'], (log) => log.error({ err }, 'failed'));
    expect(line.err).toEqual({
      type: '[Redacted]',
      message: '[Redacted]',
      stack: '[Redacted]',
      code: '[Redacted]',
      cause: '[Redacted]',
    });
  });

  it("an AggregateError's members, named as written (aggregateErrors) or as the property (errors)", async () => {
    for (const path of ['err.aggregateErrors[*].message', 'err.errors[*].message']) {
      const err = new AggregateError([new Error(SECRET), new Error('fine')], 'several');
      const line = await lineOf([path], (log) => log.error(err));
      expect(line.err.aggregateErrors.map((e: { message: string }) => e.message)).toEqual(['[Redacted]', '[Redacted]']);
      expect(line.err).not.toHaveProperty('errors');
    }
  });

  it('a plain error-like object (an error that went through JSON): its stack loses the message too', async () => {
    const err = { message: SECRET, stack: `Error: ${SECRET}\n    at handler (app.js:1:1)` };
    const line = await lineOf(['err.message'], (log) => log.error({ err }, 'failed'));
    expect(line.err.stack).toBe('Error: [Redacted]\n    at handler (app.js:1:1)');
  });

  it('a short censored message is not taken out of the frame lines of the stack', async () => {
    const err = new Error('at');
    const line = await lineOf(['err.message'], (log) => log.error({ err }, 'failed'));
    expect(line.err.stack.split('\n')[0]).toBe('Error: [Redacted]');
    expect(line.err.stack.split('\n')[1]).toMatch(/^\s+at /);
  });

  it('an error interpolated with %j, %s or appended, under a path of its own', async () => {
    for (const call of [
      (log: Logger) => log.info('failed %j', new Error(SECRET)),
      (log: Logger) => log.info('failed %s', new Error(SECRET)),
      (log: Logger) => log.info('failed', new Error(SECRET)),
    ]) {
      const line = await lineOf(['message'], call);
      expect(line.msg).toContain('[Redacted]');
    }
  });

  it('the error object logged is left as it was', async () => {
    const cause = new Error(SECRET);
    const err = new Error('outer', { cause });
    const stack = err.stack;
    await lineOf(['err.message', 'err.cause.message', 'err.stack'], (log) => log.error(err));
    expect([err.message, err.stack, cause.message, err.cause]).toEqual(['outer', stack, SECRET, cause]);
  });
});
