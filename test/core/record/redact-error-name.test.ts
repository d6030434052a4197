import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { redactedLine } from './redacted-line.js';

const SECRET = 'acct-4111-SECRET';

describe("a censored error name is taken out of the stack's lines that start with it", () => {
  it('err.name: the first line of the stack, its frames kept', async () => {
    const error = new Error('denied');
    error.name = SECRET;
    const line = await redactedLine(SECRET, ['err.name'], (log) => log.error(error));
    expect(line.err.name).toBe('[Redacted]');
    expect(line.err.stack).toMatch(/^\[Redacted\]: denied\n {4}at /);
    expect(line.msg).toBe('denied');
  });

  it('err.type: the name the stack starts with, when it is the type', async () => {
    class TenantError extends Error {}
    Object.defineProperty(TenantError, 'name', { value: SECRET });
    // Inherited and the type's own, the name is written as `type` alone.
    Object.defineProperty(TenantError.prototype, 'name', { value: SECRET });
    const line = await redactedLine(SECRET, ['err.type'], (log) => log.error(new TenantError('denied')));
    expect(line.err.type).toBe('[Redacted]');
    expect(line.err).not.toHaveProperty('name');
    expect(line.err.stack).toMatch(/^\[Redacted\]: denied\n/);
  });

  it('a message-less error, whose first line is its name alone', async () => {
    const error = new Error();
    error.name = SECRET;
    const line = await redactedLine(SECRET, ['err.name'], (log) => log.error(error));
    // V8 writes `Name: ` or `Name` alone, as the message was read when the stack was made.
    expect(line.err.stack).toMatch(/^\[Redacted\](?:: )?\n {4}at /);
  });

  it("a cause's name: in its own stack and in the caused-by line of the error above it", async () => {
    const cause = new Error('inner');
    cause.name = SECRET;
    const error = new Error('outer', { cause });
    const line = await redactedLine(SECRET, ['err.cause.name'], (log) => log.error(error));
    expect(line.err.cause.name).toBe('[Redacted]');
    expect(line.err.cause.stack).toMatch(/^\[Redacted\]: inner\n/);
    expect(line.err.stack).toMatch(/^Error: outer\n/);
    expect(line.err.stack).toContain('\ncaused by: [Redacted]: inner\n');
  });

  it('a name getter that throws, the name censored: the stack V8 makes from it says none of it', async () => {
    const error = new Error('denied');
    Object.defineProperty(error, 'name', {
      enumerable: true,
      get(): never {
        throw new Error(`no name for ${SECRET}`);
      },
    });
    const line = await redactedLine(SECRET, ['err.name'], (log) => log.error(error));
    expect(line.err.name).toBe('[Redacted]');
    expect(line.err.stack).toMatch(/^\[stack getter threw; its message left out/);
  });

  it('only where the name starts a line: a name that is also a word of the message stays in it', async () => {
    const error = new Error('Error reading the file');
    const line = await redactedLine('never there', ['err.type'], (log) => log.error(error));
    expect(line.err.type).toBe('[Redacted]');
    expect(line.err.message).toBe('Error reading the file');
    expect(line.err.stack).toMatch(/^\[Redacted\]: Error reading the file\n/);
  });
});

describe('a written error a producer ships through log.stream()', () => {
  it('its name is taken out of its stack as from an error logged here', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, redact: ['err.name'], transports: [memory] });
    const err = { type: 'Error', name: SECRET, message: 'denied', stack: `${SECRET}: denied\n    at f (a.js:1:1)` };
    await pipeline(Readable.from([`${JSON.stringify({ level: 50, msg: 'denied', err })}\n`]), log.stream());
    await log.flush();
    const line = memory.lines()[0]!;
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line).err.stack).toBe('[Redacted]: denied\n    at f (a.js:1:1)');
  });
});
