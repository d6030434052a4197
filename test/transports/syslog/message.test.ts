import { describe, expect, it, vi } from 'vitest';
import '../../helpers.js';
import type { ControlledTransport } from '../../helpers.js';
import { createLogger, type LogRecord, MemoryTransport } from '../../../src/index.js';
import { escapeNewlines, frame, truncateUtf8 } from '../../../src/transports/syslog/framing.js';
import { headerField, sdName, sdValue, timestamp } from '../../../src/transports/syslog/header.js';
import { MessageBuilder, type MessageOptions } from '../../../src/transports/syslog/message.js';
import { FACILITIES, severityOf } from '../../../src/transports/syslog/severity.js';

const BOM = '\uFEFF';

/** Records as a logger makes them (custom `notice` level for the RFC's severity 5), at given times. */
async function records(entries: { level: number; time: number; msg?: string; [field: string]: unknown }[]) {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, base: null, customLevels: { notice: 35 }, transports: [memory] });
  const stream = log.stream({ format: 'object' });
  for (const entry of entries) stream.write(entry);
  stream.end();
  await new Promise((resolve) => stream.on('finish', resolve));
  return memory.records();
}

function builder(options: Partial<MessageOptions> = {}): MessageBuilder {
  return new MessageBuilder({
    facility: FACILITIES.user!,
    fatalSeverity: 'crit',
    hostname: 'web-1',
    appName: 'api',
    procId: '42',
    msgIdField: undefined,
    structuredData: undefined,
    line: (r: LogRecord) => `${r.msg ?? ''}\n`,
    maxBytes: 8096,
    utf8Bom: false,
    ...options,
  });
}

describe("RFC 5424's own examples (§6.5)", () => {
  it('example 1: auth.crit from su, a msgid, no structured data, a UTF-8 message with its BOM', async () => {
    const time = Date.parse('2003-10-11T22:14:15.003Z');
    const [withId, without] = await records([
      { level: 60, time, id: 'ID47' },
      { level: 60, time },
    ]);
    const su = builder({
      facility: FACILITIES.auth!,
      hostname: 'mymachine.example.com',
      appName: 'su',
      procId: undefined,
      msgIdField: 'id',
      line: () => "'su root' failed for lonvick on /dev/pts/8",
      utf8Bom: true,
    });
    const msg = `${BOM}'su root' failed for lonvick on /dev/pts/8`;
    expect(su.build(withId!)).toBe(`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${msg}`);
    // A record without the msgid field: MSGID is the NILVALUE.
    expect(su.build(without!)).toBe(`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - - - ${msg}`);
  });

  it('example 2: local4.notice, an IP as hostname, a procid, no BOM (the offset time written in UTC)', async () => {
    // The RFC writes 2003-08-24T05:14:15.000003-07:00; we write UTC with milliseconds.
    const [record] = await records([
      { level: 35, time: Date.parse('2003-08-24T05:14:15.000-07:00'), msg: "%% It's time to make the do-nuts." },
    ]);
    const message = builder({
      facility: FACILITIES.local4!,
      hostname: '192.0.2.1',
      appName: 'myproc',
      procId: '8710',
    }).build(record!);
    expect(message).toBe("<165>1 2003-08-24T12:14:15.000Z 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
  });

  const eventlog = {
    level: 35,
    time: Date.parse('2003-10-11T22:14:15.003Z'),
    id: 'ID47',
    iut: '3',
    eventSource: 'Application',
    eventID: '1011',
    class: 'high',
  };

  it('example 3: structured data from chosen fields, then the message', async () => {
    const [record] = await records([{ ...eventlog, msg: 'An application event log entry...' }]);
    const message = builder({
      facility: FACILITIES.local4!,
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: undefined,
      msgIdField: 'id',
      structuredData: { 'exampleSDID@32473': ['iut', 'eventSource', 'eventID'] },
      utf8Bom: true,
    }).build(record!);
    expect(message).toBe(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
        `[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
    );
  });

  it('example 4: two SD elements and no MSG part at all', async () => {
    const [record] = await records([eventlog]);
    const message = builder({
      facility: FACILITIES.local4!,
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: undefined,
      msgIdField: 'id',
      structuredData: { 'exampleSDID@32473': ['iut', 'eventSource', 'eventID'], 'examplePriority@32473': ['class'] },
      line: () => '',
    }).build(record!);
    expect(message).toBe(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ' +
        '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    );
  });

  it('example 3 of §6.3.5: a PARAM-VALUE with ", \\ and ] escaped', () => {
    expect(sdValue('Some"quoted]text\\here')).toBe('Some\\"quoted\\]text\\\\here');
  });
});

describe('PRI: facility and severity', () => {
  it('maps our levels: fatal→crit (or emerg), error→err, warn→warning, info→info, debug and trace→debug', () => {
    const cases: [string, number, number][] = [
      ['fatal', 60, 2],
      ['error', 50, 3],
      ['warn', 40, 4],
      ['info', 30, 6],
      ['debug', 20, 7],
      ['trace', 10, 7],
    ];
    for (const [label, level, severity] of cases) expect(severityOf(label, level, 'crit'), label).toBe(severity);
    expect(severityOf('fatal', 60, 'emerg')).toBe(0);
    // Custom levels: by a syslog name, else by the level below them.
    expect(severityOf('notice', 35, 'crit')).toBe(5);
    expect(severityOf('alert', 70, 'crit')).toBe(1);
    expect(severityOf('audit', 45, 'crit')).toBe(4);
    expect(severityOf('verbose', 5, 'crit')).toBe(7);
  });

  it('PRI is facility × 8 + severity, from kern.emerg <0> to local7.debug <191>', async () => {
    const [fatal, trace] = await records([
      { level: 60, time: 0 },
      { level: 10, time: 0 },
    ]);
    expect(builder({ facility: 0, fatalSeverity: 'emerg' }).build(fatal!)).toMatch(/^<0>1 /);
    expect(builder({ facility: 23 }).build(trace!)).toMatch(/^<191>1 /);
  });
});

describe('header fields', () => {
  it('replaces characters outside printable ASCII (spaces, controls, non-ASCII) with "_", "-" when empty', () => {
    expect(headerField('my app', 48)).toBe('my_app');
    expect(headerField('café\n😀', 48)).toBe('caf___');
    expect(headerField('', 48)).toBe('-');
    expect(headerField(undefined, 48)).toBe('-');
  });

  it('cuts each field to its RFC length: hostname 255, app-name 48, procid 128, msgid 32', async () => {
    const [record] = await records([{ level: 30, time: 0, name: 'a'.repeat(60), mid: 'm'.repeat(40) }]);
    const message = builder({
      hostname: 'h'.repeat(300),
      appName: undefined,
      procId: 'p'.repeat(200),
      msgIdField: 'mid',
    }).build(record!);
    const [, , host, app, proc, msgid] = message.split(' ');
    expect([host!.length, app!.length, proc!.length, msgid!.length]).toEqual([255, 48, 128, 32]);
  });

  it("app-name defaults to the record's name; msgid comes from a nested field by dotted path", async () => {
    const [record] = await records([{ level: 30, time: 0, msg: 'paid', name: 'billing', req: { route: 'GET_/pay' } }]);
    expect(builder({ appName: undefined, msgIdField: 'req.route' }).build(record!)).toMatch(
      /^<14>1 1970-01-01T00:00:00.000Z web-1 billing 42 GET_\/pay - paid$/,
    );
  });

  it('a time no RFC 3339 year holds is "-" (year 2031 is fine; year 275760 is not)', () => {
    expect(timestamp(Date.parse('2031-01-02T03:04:05.678Z'))).toBe('2031-01-02T03:04:05.678Z');
    // Milliseconds padded, seconds before 1970 counted down (the second's prefix is cached).
    for (const time of [0, 5, 45, 999, 1005, 61_010, -1, -1001, 1_732_780_800_123, 1_732_780_800_007]) {
      expect(timestamp(time), String(time)).toBe(new Date(time).toISOString());
    }
    expect(timestamp(8.64e15)).toBe('-');
    expect(timestamp(Number.NaN)).toBe('-');
    expect(timestamp(-1e14)).toBe('-');
  });
});

describe('structured data', () => {
  it('escapes ", \\ and ] in values; numbers, booleans and objects as JSON; absent fields left out', async () => {
    const [record] = await records([
      { level: 30, time: 0, msg: 'm', a: 'say "hi" [x] \\o/', n: 7, ok: true, obj: { k: ']' }, nothing: null },
    ]);
    const message = builder({
      structuredData: { 'f@32473': ['a', 'n', 'ok', 'obj', 'nothing', 'missing'], 'none@32473': ['missing'] },
    }).build(record!);
    expect(message).toContain(
      '[f@32473 a="say \\"hi\\" [x\\] \\\\o/" n="7" ok="true" obj="{\\"k\\":\\"\\]\\"}" nothing="null"] ',
    );
    expect(message).not.toContain('none@32473');
  });

  it("reads fields as the JSON line holds them: a child's bindings, call-site values, NaN as null", async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    log
      .child({ reqId: 'from-binding', user: 'bound' })
      .info({ user: 'call-site', n: Number.NaN, when: new Date(0) }, 'm');
    await log.flush();
    const [record] = memory.records();
    const message = builder({ structuredData: { 'f@32473': ['reqId', 'user', 'n', 'when'] } }).build(record!);
    expect(message).toContain(
      '[f@32473 reqId="from-binding" user="call-site" n="null" when="1970-01-01T00:00:00.000Z"] m',
    );
  });

  it('param names are SD-NAMEs: = ] " and space replaced, at most 32 characters', () => {
    expect(sdName('a=b c]d"e')).toBe('a_b_c_d_e');
    expect(sdName('x'.repeat(40))).toHaveLength(32);
    expect(sdName('')).toBe('_');
  });

  it('no chosen field present: SD is "-"', async () => {
    const [record] = await records([{ level: 30, time: 0, msg: 'hi' }]);
    expect(builder({ structuredData: { 'f@32473': ['a'] } }).build(record!)).toMatch(/ 42 - - hi$/);
  });
});

describe('framing and truncation', () => {
  it('octet-counting counts UTF-8 bytes, not characters, and keeps newlines', () => {
    expect(frame('é\nx', 'octet-counting')).toBe('4 é\nx');
  });

  it('lf framing ends each message with a newline and escapes the newlines inside it', () => {
    expect(frame('one\ntwo\r\nthree\r', 'lf')).toBe('one\\ntwo\\r\\nthree\\r\n');
    expect(escapeNewlines('plain')).toBe('plain');
  });

  it('truncation cuts at a character boundary, never inside one', () => {
    expect(truncateUtf8('short', 2048)).toBeUndefined();
    expect(truncateUtf8('abcdef', 4)).toBe('abcd');
    // "é" is two bytes, "😀" four: a cut inside either drops the whole character.
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('ab😀', 5)).toBe('ab');
    expect(truncateUtf8('ab😀c', 6)).toBe('ab😀');
  });

  it('the trailing newline of a formatted line is not part of MSG', async () => {
    const [record] = await records([{ level: 30, time: 0, msg: 'line' }]);
    expect(builder({ line: () => 'line\r\n' }).build(record!)).toMatch(/ - - line$/);
  });
});

describe('fields a call site gives under a key the line keeps for the logger (name, pid)', () => {
  it("are read as the line holds them: the logger's own name, not the renamed field", async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, name: 'svc', base: { pid: 7 }, transports: [memory] });
    log.info({ name: 'own', pid: 'forged', reqId: 'r1' }, 'hello');
    await log.flush();
    const [record] = memory.records();
    expect(record!.json()).toContain('"name":"svc","@name":"own","@pid":"forged"');
    const fields = builder({ appName: undefined, msgIdField: 'name', structuredData: { 'x@1': ['pid', 'reqId'] } });
    // The same record, made again from its line (as one that waited in the router's queue is).
    const again = (await records([JSON.parse(record!.json()) as never]))[0]!;
    const built = fields.build(record!);
    expect(built).toBe('<14>1 ' + built.split(' ')[1] + ' web-1 svc 42 svc [x@1 pid="7" reqId="r1"] hello');
    expect(fields.build(again)).toBe(built);
  });
});

describe('fields read when the batch is sent, not at the call (found by attacking the formats)', () => {
  it('a value changed after the call, or a getter read again: MSGID and SD say what the line says', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    const fields = { reqId: 'r-1' } as Record<string, unknown>;
    let reads = 0;
    Object.defineProperty(fields, 'read', { enumerable: true, get: () => `read-${++reads}` });
    log.info(fields, 'hello');
    fields.reqId = 'changed after the call';
    await log.flush();
    const [record] = memory.records();
    expect(record!.json()).toContain('"reqId":"r-1","read":"read-');
    const said = /"read":"(read-\d)"/.exec(record!.json())![1];
    const built = builder({ msgIdField: 'read', structuredData: { 'x@1': ['reqId', 'read'] } }).build(record!);
    expect(built).toContain(` 42 ${said} [x@1 reqId="r-1" read="${said}"] hello`);
  });

  it('a value a hooks.streamWrite masks in the line is masked in MSGID and SD too (it went out whole)', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      base: null,
      hooks: { streamWrite: (line: string) => line.replace(/4111\d{12}/g, '****') },
      transports: [memory],
    });
    log.info({ card: '4111111111111111' }, 'charging');
    await log.flush();
    const [record] = memory.records();
    const built = builder({ msgIdField: 'card', structuredData: { 'x@1': ['card'] } }).build(record!);
    expect(built).not.toContain('4111111111111111');
    expect(built).toContain(' 42 **** [x@1 card="****"] charging');
  });
});

describe('a record made again from the line it waited as (see WaitingRecords)', () => {
  it('has its fields read from its line once: the line is parsed once for app-name, msgid and SD', async () => {
    const log = createLogger({
      exitFlush: false,
      name: 'svc',
      transports: [{ type: 'controlled', mode: 'stall', maxQueue: { maxRecords: 2 } }],
    });
    const target = log.transports[0] as ControlledTransport;
    for (let i = 0; i < 3; i++) log.child({ reqId: `r${i}` }).info({ i, event: 'e', user: { id: i } }, 'hello');
    while (target.held.length > 0) target.release();
    const waited = target.received[2]!;
    const fields = builder({
      appName: undefined,
      msgIdField: 'event',
      structuredData: { 'x@1': ['i', 'reqId', 'user.id'] },
    });
    const parse = vi.spyOn(JSON, 'parse');
    let built: string;
    let parses: number;
    try {
      built = fields.build(waited);
      parses = parse.mock.calls.length;
    } finally {
      parse.mockRestore();
    }
    expect(built).toMatch(/ web-1 svc 42 e \[x@1 i="2" reqId="r2" user.id="2"\] hello$/);
    expect(parses).toBe(1);
  });
});
