import { describe, expect, it } from 'vitest';
import { withContext } from '../../../src/index.js';
import { memoryLogger } from '../../helpers.js';

const SECRET = 'ssn-078-05-1120';

/** A censor with a bug whose error quotes the value it was given (a common way to write one). */
const quotingCensor = (value: unknown): never => {
  throw new TypeError(`cannot mask ${JSON.stringify(value)} (${String(value)})`);
};

describe('a censor function that throws never lets the value out', () => {
  it('not through the error it throws, for fields, bindings and context', async () => {
    const { log, memory } = memoryLogger({ redact: { paths: ['ssn', 'user.ssn'], censor: quotingCensor } });
    log.info({ ssn: SECRET }, 'field');
    log.child({ user: { ssn: SECRET } }).info('binding');
    withContext({ ssn: SECRET }, () => log.info('context'));
    log.info('interpolated %j', { ssn: SECRET });
    await log.flush();
    const lines = memory.lines();
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain(SECRET);
    expect(memory.objects()[0]).toMatchObject({ logError: expect.stringMatching(/censor threw at ssn: cannot mask/) });
  });

  it('not through the message, when the message key is redacted too', async () => {
    const { log, memory } = memoryLogger({ redact: { paths: ['msg', 'ssn'], censor: quotingCensor } });
    log.info({ ssn: 'x' }, SECRET);
    log.error(new Error(SECRET));
    await log.flush();
    expect(memory.lines()).toHaveLength(2);
    for (const line of memory.lines()) expect(line).not.toContain(SECRET);
  });

  it("not through an error's message taken as the line's when the censor of err.message throws", async () => {
    const { log, memory } = memoryLogger({ redact: { paths: ['err.message'], censor: quotingCensor } });
    log.error(new Error(SECRET));
    await log.flush();
    expect(memory.lines()).toHaveLength(1);
    expect(memory.lines()[0]).not.toContain(SECRET);
    expect(memory.objects()[0]).toMatchObject({ level: 50, logError: expect.any(String) });
  });

  it('a message that no path names is kept when the censor fails on a field', async () => {
    const { log, memory } = memoryLogger({ redact: { paths: ['ssn'], censor: quotingCensor } });
    log.info({ ssn: SECRET }, 'kept');
    await log.flush();
    expect(memory.objects()[0]).toMatchObject({ msg: 'kept' });
  });
});
