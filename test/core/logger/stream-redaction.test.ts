import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerOptions, MemoryTransport } from '../../../src/index.js';

const SECRET = 'sk_prod_31e0';

function memoryLogger(redact: LoggerOptions['redact']) {
  const memory = new MemoryTransport({ maxRecords: 1000 });
  const log = createLogger({ exitFlush: false, redact, transports: [memory] });
  return { log, memory };
}

/** Lines from another producer through `stream()`: what the logger wrote, which must not hold SECRET. */
async function shipped(
  redact: LoggerOptions['redact'],
  input: string | unknown[],
  streamOf: (log: Logger) => NodeJS.WritableStream = (log) => log.stream(),
) {
  const { log, memory } = memoryLogger(redact);
  await pipeline(Readable.from(typeof input === 'string' ? [Buffer.from(input)] : input), streamOf(log));
  await log.flush();
  const lines = memory.lines();
  for (const line of lines) expect(line).not.toContain(SECRET);
  // biome-ignore lint/suspicious/noExplicitAny: a parsed line, read field by field by the assertions
  return lines.map((l) => JSON.parse(l) as Record<string, any>);
}

describe('log.stream(): redaction covers everything a producer sends', () => {
  it('a path naming the message key redacts the message of a shipped line, as of a log call', async () => {
    const [line] = await shipped(['msg'], `{"level":30,"msg":"${SECRET}"}\n`);
    expect(line!.msg).toBe('[Redacted]');
    const [fromObject] = await shipped(['msg'], [{ level: 30, msg: SECRET }], (log) =>
      log.stream({ format: 'object' }),
    );
    expect(fromObject!.msg).toBe('[Redacted]');
  });

  it("an object as a shipped line's message (pino's log.info({}, { … })): the message's paths reach it", async () => {
    const line = `{"level":30,"msg":{"password":"${SECRET}","user":"ann"}}\n`;
    // Before: kept as invalidMessage in clear, whatever the paths (only invalidMessage.password reached it).
    const [inside] = await shipped(['msg.password'], line);
    expect(inside!.invalidMessage).toEqual({ password: '[Redacted]', user: 'ann' });
    const [whole] = await shipped(['msg'], line);
    expect(whole!.invalidMessage).toBe('[Redacted]');
    const [removed] = await shipped({ paths: ['msg'], remove: true }, line);
    expect(removed).not.toHaveProperty('invalidMessage');
    const [fromObject] = await shipped(['msg.password'], [{ level: 30, msg: { password: SECRET } }], (log) =>
      log.stream({ format: 'object' }),
    );
    expect(fromObject!.invalidMessage).toEqual({ password: '[Redacted]' });
    // A field of the producer's own named so is left to the paths that name it.
    const [own] = await shipped(['msg.password'], `{"level":30,"msg":"hi","invalidMessage":{"password":"x"}}\n`);
    expect(own!.invalidMessage).toEqual({ password: 'x' });
  });

  it("err.message also leaves a shipped line's message that repeats it (pino's log.error(err))", async () => {
    const stack = `Error: ${SECRET}\n    at handler (/app/pay.js:3:9)`;
    const shippedLine = JSON.stringify({ level: 50, err: { type: 'Error', message: SECRET, stack }, msg: SECRET });
    const [line] = await shipped(['err.message'], `${shippedLine}\n`);
    expect(line).toMatchObject({ msg: '[Redacted]', err: { message: '[Redacted]' } });
    // pino's line for an error with a cause: the message written is "own: cause", the line's the own.
    const withCause = JSON.stringify({
      level: 50,
      err: { type: 'Error', message: `${SECRET}: inner`, stack: `${stack}\ncaused by: Error: inner` },
      msg: SECRET,
    });
    const [caused] = await shipped(['err.message'], `${withCause}\n`);
    expect(caused).toMatchObject({ msg: '[Redacted]', err: { message: '[Redacted]' } });
    expect(caused!.err.stack).toMatch(/^Error: \[Redacted\]\n/);
    // A message that is not the error's stays as it is.
    const [other] = await shipped(
      ['err.message'],
      `${JSON.stringify({ level: 50, err: { message: SECRET }, msg: 'payment failed' })}\n`,
    );
    expect(other!.msg).toBe('payment failed');
  });

  it("a child's own paths apply to the lines its stream() takes", async () => {
    const [line] = await shipped(['password'], `{"level":30,"card":"${SECRET}"}\n`, (log) =>
      log.child({}, { redact: ['card'] }).stream(),
    );
    expect(line!.card).toBe('[Redacted]');
  });

  it('keepOrigin keeps the logger redaction', async () => {
    const [line] = await shipped(['password'], `{"level":30,"password":"${SECRET}"}\n`, (log) =>
      log.stream({ keepOrigin: true }),
    );
    expect(line!.password).toBe('[Redacted]');
  });

  it('a line that is not JSON: the values after the keys the paths name are censored in its text', async () => {
    const lines = await shipped(
      ['password', 'req.headers.authorization', 'users[*].ssn'],
      [
        `{"level":30,"password":"${SECRET}","user":"ann",}`,
        `level=info password=${SECRET} user=ann`,
        `{'authorization': 'Bearer ${SECRET}', 'ok': 1}`,
        `{"users":[{"ssn": "${SECRET}\\" still"}], "n": NaN}`,
      ].join('\n'),
    );
    expect(lines.map((l) => [l.invalidJson, l.msg])).toEqual([
      [true, '{"level":30,"password":"[Redacted]","user":"ann",}'],
      [true, 'level=info password=[Redacted] user=ann'],
      [true, "{'authorization': [Redacted], 'ok': 1}"],
      [true, '{"users":[{"ssn": "[Redacted]"}], "n": NaN}'],
    ]);
  });

  it('a line that is not JSON: a credential after its scheme is censored, and keys in any case', async () => {
    const lines = await shipped(
      ['req.headers.authorization', 'password'],
      [
        `upstream said: authorization: Bearer eyJhbGciOiJIUzI1NiJ9.${SECRET}`,
        `proxy: authorization=Basic ${SECRET} ok`,
        `Authorization: Digest username="ann", response="${SECRET}"`,
        `PASSWORD=${SECRET} user=ann`,
        'authorization=none user=ann',
        // Schemes of no list: the credential is the second word (before, it was written in clear).
        `Authorization: Splunk 12345678-${SECRET}`,
        `Authorization: AWS AKIAIOSFODNN7EXAMPLE:${SECRET}=`,
        `authorization=SharedKey myaccount:${SECRET}`,
        `Authorization: Signature keyId="k",signature="${SECRET}"`,
        `password: ${SECRET} and the words after it`,
      ].join('\n'),
    );
    // Before: "authorization: [Redacted] eyJ….sk_prod_31e0" (the scheme alone), and the keys in capitals untouched.
    expect(lines.map((l) => l.msg)).toEqual([
      'upstream said: authorization: [Redacted]',
      'proxy: authorization=[Redacted]',
      'Authorization: [Redacted]',
      'PASSWORD=[Redacted] user=ann',
      'authorization=[Redacted] user=ann',
      'Authorization: [Redacted]',
      'Authorization: [Redacted]',
      'authorization=[Redacted]',
      'Authorization: [Redacted]',
      // A value in words is censored whole, with what follows it on the line.
      'password: [Redacted]',
    ]);
  });

  it('a line that is JSON but no record (a string, an array): censored by the keys the paths end with', async () => {
    const lines = await shipped(
      ['password'],
      [
        JSON.stringify(`login failed password=${SECRET}`),
        JSON.stringify([{ password: SECRET, user: 'ann' }, 'password: x']),
        JSON.stringify(['nothing to censor']),
        `${'['.repeat(40)}"password=${SECRET}"${']'.repeat(40)}`,
      ].join('\n'),
    );
    // Before: both written as they came (the text censoring was for lines that are not JSON only).
    expect(lines.map((l) => l.msg ?? l.value)).toEqual([
      'login failed password=[Redacted]',
      [{ password: '[Redacted]', user: 'ann' }, 'password: [Redacted]'],
      ['nothing to censor'],
      // Deep arrays: censored as deep as they are written (shipped() checks no line holds SECRET).
      expect.anything(),
    ]);
    const [fromObject] = await shipped(['password'], [`password=${SECRET}`], (log) => log.stream({ format: 'object' }));
    expect(fromObject!.msg).toBe('password=[Redacted]');
  });

  it('a line cut at maxLineBytes: an object value under a redacted key is censored to the end', async () => {
    const long = `{"level":30,"session":{"token":"${SECRET}","pad":"${'x'.repeat(500)}"}}\n`;
    const [line] = await shipped(['session'], long, (log) => log.stream({ maxLineBytes: 200 }));
    expect(line).toMatchObject({ truncated: true, msg: '{"level":30,"session":[Redacted]' });
  });

  it('a path that names no key (`*`) censors the whole text of a line that is not JSON', async () => {
    const [line] = await shipped({ paths: ['*'], censor: '***' }, `not json: ${SECRET}\n`);
    expect(line!.msg).toBe('***');
  });
});

describe('log.stream(): a redacted line is still written whole', () => {
  it('a path set (matching or not) does not put the line under the serialize budget', async () => {
    // With a redactor the parsed line went through the careful walker: a list of 25,000
    // items was cut at 10,000 and a list 20 deep at 16 (found by a helper attacking ingestion).
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    const arr = Array.from({ length: 25_000 }, (_, i) => i);
    const [record] = await shipped(['password'], `${JSON.stringify({ msg: 'big', password: SECRET, arr, deep })}\n`);
    expect(record!.password).toBe('[Redacted]');
    expect(record!.arr).toHaveLength(25_000);
    expect(JSON.stringify(record!.deep)).toBe(JSON.stringify(deep));
  });
});
