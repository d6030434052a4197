import { createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { escapeNewlines, truncateUtf8 } from '../../../src/transports/syslog/framing.js';
import { MessageBuilder } from '../../../src/transports/syslog/message.js';

// A structured-data value longer than maxMessageBytes: the message is cut to the limit, and the
// cut lands inside the SD element, so what is sent is no RFC 5424 message (an SD element never
// closed) and its MSG is gone (rsyslog 8.2302 reads SD `[x@1 big="a\]…bbb` and MSG "b"). A cut
// must leave the message well formed: the value cut, the element closed, the MSG after it.

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** The octet-counted frames a receiver got. */
async function receiver(): Promise<{ port: number; frames: () => string[] }> {
  let bytes = Buffer.alloc(0);
  const server = createServer((socket) => {
    socket.on('data', (data: Buffer) => {
      bytes = Buffer.concat([bytes, data]);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const frames = () => {
    const out: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      const space = bytes.indexOf(0x20, at);
      const length = Number(bytes.toString('latin1', at, space));
      out.push(bytes.toString('utf8', space + 1, space + 1 + length));
      at = space + 1 + length;
    }
    return out;
  };
  return { port: (server.address() as { port: number }).port, frames };
}

/** The SD part of an RFC 5424 message (after six header fields) and what follows it, or undefined if malformed. */
function sdAndMsg(message: string): { sd: string; msg: string } | undefined {
  let at = 0;
  for (let field = 0; field < 6; field++) at = message.indexOf(' ', at) + 1;
  const rest = message.slice(at);
  if (rest.startsWith('-')) return { sd: '-', msg: rest.slice(2) };
  // SD-ELEMENTs: [ID (SP NAME="VALUE")*] with \" \\ \] escaped in values.
  const element = /^\[[^\s=\]"]+(?: [^\s=\]"]+="(?:[^"\\\]]|\\.)*")*\]/s;
  let sd = '';
  let tail = rest;
  for (let match = element.exec(tail); match !== null; match = element.exec(tail)) {
    sd += match[0];
    tail = tail.slice(match[0].length);
  }
  if (sd === '') return undefined;
  return { sd, msg: tail.startsWith(' ') ? tail.slice(1) : tail };
}

describe('a structured-data value longer than the message limit', () => {
  it('is cut inside its element: the message stays RFC 5424, its SD closed and its MSG kept', async () => {
    const { port, frames } = await receiver();
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'syslog', port, appName: 'sd-cut', structuredData: { 'x@1': ['big'] } }],
    });
    log.info({ big: `a]"\\${'b'.repeat(20_000)}` }, 'hello');
    expect(await log.flush({ timeoutMs: 5000 })).toBe(true);
    await log.close();
    expect(log.stats()).toMatchObject({ logged: 1, delivered: 1 });
    // The receiver reads on its own time: wait for the frame rather than race the close.
    for (let i = 0; i < 100 && frames().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const [message] = frames();
    expect(Buffer.byteLength(message!)).toBeLessThanOrEqual(8096);
    const parsed = sdAndMsg(message!);
    expect(parsed).toBeDefined();
    // The value cut inside its element (escapes whole), the element closed, then the MSG: the
    // record's line from its start (its own tail is cut to the limit, the big value being in it).
    expect(parsed!.sd).toMatch(/^\[x@1 big="a\\\]\\"\\\\b+"\]$/);
    expect(parsed!.msg.startsWith('{"level":30,"time":')).toBe(true);
    expect(parsed!.msg.length).toBeGreaterThan(1000);
  });

  it('a limit past 4 GiB (from code) keeps the structured data: the budget is no 32-bit number', () => {
    const memory = new MemoryTransport({ maxRecords: 1 });
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    log.info({ a: 'x' }, 'm');
    const builder = new MessageBuilder({
      facility: 1,
      fatalSeverity: 'crit',
      hostname: 'h',
      appName: 'app',
      procId: '1',
      msgIdField: undefined,
      structuredData: { 'x@1': ['a'] },
      line: (r) => r.json(),
      utf8Bom: false,
      maxBytes: 2 ** 32,
    });
    expect(builder.build(memory.records()[0]!)).toContain(' [x@1 a="x"] ');
    expect(builder.cutLast).toBe(false);
  });

  it('any values, any limit, either framing: every element closed, the cut said, and the SD near its budget', () => {
    const memory = new MemoryTransport({ maxRecords: 1 });
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    const value = fc.string({
      unit: fc.constantFrom('a', ']', '"', '\\', '\n', '\u0000', 'é', '😀'),
      maxLength: 3000,
      size: 'max',
    });
    fc.assert(
      fc.property(value, value, fc.integer({ min: 480, max: 4096 }), fc.boolean(), (a, b, maxBytes, lf) => {
        log.info({ a, b }, 'm');
        const builder = new MessageBuilder({
          facility: 1,
          fatalSeverity: 'crit',
          hostname: 'h'.repeat(255),
          appName: 'app',
          procId: '1',
          msgIdField: undefined,
          structuredData: { 'x@1': ['a'], 'y@1': ['b'] },
          line: (r) => r.json(),
          utf8Bom: false,
          maxBytes,
          escapesNewlines: lf,
        });
        const built = builder.build(memory.records()[0]!);
        const escaped = lf ? escapeNewlines(built) : built;
        const sent = truncateUtf8(escaped, maxBytes) ?? escaped;
        const parsed = sdAndMsg(sent);
        expect(parsed, sent.slice(0, 400)).toBeDefined();
        const longValues = Buffer.byteLength(a) + Buffer.byteLength(b) > maxBytes;
        if (longValues) expect(builder.cutLast).toBe(true);
        // Cut values fill what the SD may take: at most a character's bytes short per value.
        let afterHead = 0;
        for (let field = 0; field < 6; field++) afterHead = built.indexOf(' ', afterHead) + 1;
        const budget = (maxBytes - (afterHead - 1) - 1) >> 1;
        // As sent: under lf its newlines are escaped already.
        const sdBytes = Buffer.byteLength(parsed!.sd);
        if (builder.cutLast && parsed!.sd !== '-') {
          expect(sdBytes).toBeLessThanOrEqual(budget);
          expect(sdBytes).toBeGreaterThan(budget - 8);
        }
      }),
      { numRuns: 200 },
    );
  });
});
