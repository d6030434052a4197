import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/index.js';
import { MAX_TXNR, nextTxnr, parseAnswer, RelpParser, relpFrame } from '../../../src/transports/syslog/relp.js';
import { expectAddsUp, tempFolder } from '../http/receiver.js';
import { relpRestartMidStream } from './relp-restart.js';
import { IMRELP, type Parsed, Rsyslog, sharedRsyslog, waitForMessages } from './rsyslog.js';

// protocol relp: the frames as librelp's doc/relp.md writes them, and records through a real
// rsyslogd's imrelp (started by test/setup/rsyslog.ts where Debian's rsyslog-relp is installed).

const rsyslog = sharedRsyslog();
const relpPort = rsyslog?.relp;
if (relpPort === undefined) {
  console.warn(
    '\n*** SKIPPING the RELP round trip: rsyslogd or its imrelp module is not installed (.ci/run installs them) ***\n',
  );
}

describe('RELP frames', () => {
  it('are TXNR SP COMMAND SP DATALEN [SP DATA] LF, DATALEN in bytes', () => {
    expect(relpFrame(1, 'open', 'relp_version=0').toString()).toBe('1 open 14 relp_version=0\n');
    expect(relpFrame(7, 'syslog', 'é\n').toString()).toBe('7 syslog 3 é\n\n');
    expect(relpFrame(9, 'close').toString()).toBe('9 close 0\n');
  });

  it('transaction numbers run from 1 to 999,999,999, then 1 again', () => {
    expect(nextTxnr(1)).toBe(2);
    expect(nextTxnr(MAX_TXNR - 1)).toBe(MAX_TXNR);
    expect(nextTxnr(MAX_TXNR)).toBe(1);
  });

  it('are read back however the stream cuts them', () => {
    const stream = Buffer.from('2 rsp 6 200 OK\n0 serverclose 0\n3 rsp 14 500 no\nmore é\n');
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new RelpParser();
      const frames = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      expect(frames.map((f) => [f.txnr, f.command, f.data.toString()])).toEqual([
        [2, 'rsp', '200 OK'],
        [0, 'serverclose', ''],
        [3, 'rsp', '500 no\nmore é'],
      ]);
    }
    expect(parseAnswer(Buffer.from('500 no\nmore'))).toEqual({ code: 500, text: 'no', rest: 'more' });
    expect(parseAnswer(Buffer.from('200'))).toEqual({ code: 200, text: '', rest: '' });
  });

  it('a frame that comes a byte at a time is joined about once, not once per byte', () => {
    const size = 20_000;
    const stream = Buffer.from(`2 rsp ${size} 200 ${'x'.repeat(size - 4)}\n3 rsp 6 200 OK\n`);
    // Bytes copied by joining: a hostile receiver's trickle must not cost the square of its length.
    const concat = Buffer.concat;
    let joined = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      for (const part of list) joined += part.length;
      return concat(list, total);
    }) as typeof Buffer.concat;
    try {
      const parser = new RelpParser();
      const frames = [];
      for (let i = 0; i < stream.length; i++) frames.push(...parser.push(stream.subarray(i, i + 1)));
      expect(frames.map((f) => [f.txnr, f.data.length])).toEqual([
        [2, size],
        [3, 6],
      ]);
    } finally {
      Buffer.concat = concat;
    }
    expect(joined).toBeLessThan(4 * stream.length);
  });

  it('anything else is refused at once, not waited on', () => {
    const bad = ['x', '1x', '1 rsp x', '1 rsp 2 OKK', '1 r_p 0\n', '1234567890 ', `1 ${'a'.repeat(33)} `, '1 rsp 0 \n'];
    for (const text of bad) expect(() => new RelpParser().push(Buffer.from(text)), text).toThrow(/not RELP/);
    expect(() => parseAnswer(Buffer.from('20 OK'))).toThrow(/not RELP/);
    // A header not yet whole is waited on.
    expect(new RelpParser().push(Buffer.from('12 rs'))).toEqual([]);
  });
});

const loggers: Logger[] = [];
afterAll(async () => {
  await Promise.all(loggers.map((log) => log.close({ timeoutMs: 2000 })));
});

describe.skipIf(relpPort === undefined)('protocol relp through a real rsyslogd (imrelp)', () => {
  it('every record arrives with its exact content, in order, each delivered once on its acknowledgement', async () => {
    const app = `relp-${randomUUID().slice(0, 8)}`;
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        {
          type: 'syslog',
          protocol: 'relp',
          port: relpPort!,
          facility: 'local4',
          appName: app,
          hostname: 'relp-host',
          procId: 'p-7',
          msgIdField: 'event',
          relpWindow: 16,
        },
      ],
    });
    loggers.push(log);
    const diagnostics: string[] = [];
    log.on('diagnostic', (message: string) => diagnostics.push(message));
    const texts = ['plain', 'two\nlines', 'quote " and \\ backslash', 'unicode é 😀', ' spaces around '];
    const count = 500;
    for (let i = 0; i < count; i++) log.info({ i, event: `E${i % 3}` }, texts[i % texts.length]!);
    log.error({ i: count, event: 'LAST' }, 'the last one');
    expect(await log.flush({ timeoutMs: 15_000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: count + 1, delivered: count + 1, failed: 0, pending: 0 });
    expectAddsUp(log.stats());
    expect(log.stats().targets[0]).toMatchObject({ connects: 1, drops: 0, possibleDuplicates: 0 });
    // Each record settled on its own answer, within the attempt: still counted among the batches' items.
    const { items, batches, averageBatchSize } = log.stats().targets[0] as unknown as Record<string, number>;
    expect(items).toBe(count + 1);
    expect(averageBatchSize).toBe(items! / batches!);
    const got = await waitForMessages(rsyslog!.output, (m: Parsed) => m.appname === app, count + 1);
    expect(got).toHaveLength(count + 1);
    got.forEach((message, i) => {
      const last = i === count;
      expect(message).toMatchObject({
        pri: String(20 * 8 + (last ? 3 : 6)),
        hostname: 'relp-host',
        procid: 'p-7',
        msgid: last ? 'LAST' : `E${i % 3}`,
        sd: '-',
        input: 'imrelp',
      });
      const record = JSON.parse(message.msg) as Record<string, unknown>;
      expect(record).toEqual({
        level: last ? 50 : 30,
        time: expect.any(Number),
        msg: last ? 'the last one' : texts[i % texts.length],
        i,
        event: last ? 'LAST' : `E${i % 3}`,
      });
      // The message is the record's line, byte for byte (rsyslog kept the newline inside it).
      expect(message.msg).toBe(JSON.stringify(record));
    });
    // The session ends with close and rsyslog's answer to it: nothing to report.
    expect(await log.close({ timeoutMs: 5000 })).toBe(true);
    expect(diagnostics).toEqual([]);
  }, 30_000);

  it('rsyslog restarted mid-stream: every record arrives, none counted before rsyslog acknowledged it', async () => {
    const dir = tempFolder('relp-restart');
    const server = await Rsyslog.create(dir);
    await server.start();
    const app = `relp-rs-${randomUUID().slice(0, 8)}`;
    let log: Logger | undefined;
    try {
      ({ log } = await relpRestartMidStream(server, server.ports.relp!, app, loggers));
    } finally {
      await log?.close({ timeoutMs: 2000 });
      await server.stop();
    }
  }, 60_000);
});

it.skipIf(!IMRELP)('the imrelp module is found where rsyslogd is', () => {
  expect(rsyslog?.relp).toBeTypeOf('number');
});
