import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LogRecord, registerTransport, Transport } from '../../../src/index.js';
import { lastJson, runChild, tempFolder } from '../../transports/http/receiver.js';

/*
 * A hostile or sloppy plugin (a Transport subclass with handle() alone, no giveUpSync), in a
 * real child process: whatever it does and however the process ends, the counts add up at the
 * end, nothing is left pending that could be failed, the dead letter holds exactly the failed
 * records, and nothing is thrown out of the library.
 */
const DIST = new URL('../../../dist/esm/index.js', import.meta.url).pathname;

function dead(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { record: { i?: number; msg: string } }).record.i ?? 'other');
}

interface Summary {
  logged: number;
  delivered: number;
  failed: number;
  dropped: number;
  pending: number;
}

/** A child with the plugin `body` (a class P extending Transport) registered as 'p'. */
function script(body: string, deadLetter: string, rest: string, entry = "{ type: 'p' }"): string {
  return `
import { registerTransport, Transport } from ${JSON.stringify(DIST)};
${body}
const schema = { safeParse: (v) => ({ success: true, data: v }) };
registerTransport('p', { schema, create: () => new P({}) });
const log = createLogger({ transports: [${entry}], router: { deadLetter: ${JSON.stringify(deadLetter)} },
  exitTimeoutMs: 500, diagnostics: () => {} });
process.on('exit', () => {
  const { logged, delivered, failed, dropped, pending } = log.stats();
  writeSync(1, JSON.stringify({ logged, delivered, failed, dropped, pending }) + '\\n');
});
${rest}`;
}

const HANGS = `class P extends Transport { type = 'p'; handle() {} }`;

describe('close({ timeoutMs }) gives up on a plugin that never settles, then the process ends', () => {
  it.each([
    ['unwrapped', "{ type: 'p' }"],
    [
      'in buffered and validating',
      "{ type: 'buffered', target: { type: 'validating', rules: { i: 'integer' }, target: { type: 'p' } } }",
    ],
  ])('%s: abandoned at the close, they fail at the end, dead-lettered, none left pending', async (_name, entry) => {
    const deadLetter = join(tempFolder('attack-close-timeout'), 'dead.ndjson');
    const rest = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');
const closed = await log.close({ timeoutMs: 100 });
writeSync(1, 'closed ' + closed + '\\n');`;
    const result = await runChild(script(HANGS, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 0, failed: 3, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0, 1, 2]);
  });
});

describe('a plugin that fails records it does not hold', () => {
  const rest = `for (let i = 0; i < 2; i++) log.info({ i }, 'm');
await new Promise((resolve) => setTimeout(resolve, 200));`;

  it('a copy of its record ({ ...record }): ignored, not thrown out of the library; the record delivered', async () => {
    const deadLetter = join(tempFolder('attack-fail-copy'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    setTimeout(() => {
      this.settleFailed([{ ...record }], new Error('a copy'));
      this.settleDelivered([record]);
    }, 10);
  }
}`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(result.stderr).not.toContain('TypeError');
    expect(result.code).toBe(0);
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([]);
  });

  it('a record it settled already, while another is out: that other is not failed in its place', async () => {
    const deadLetter = join(tempFolder('attack-fail-twice'), 'dead.ndjson');
    const body = `let first;
class P extends Transport {
  type = 'p';
  handle(record) {
    if (record.fields.i === 0) {
      first = record;
      this.settleDelivered([record]);
      return;
    }
    this.settleFailed([first], new Error('again'));
    setTimeout(() => this.settleDelivered([record]), 10);
  }
}`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 2, failed: 0, dropped: 0, pending: 0 });
    // Record 0 was delivered: it must not be in the dead letter too.
    expect(dead(deadLetter)).toEqual([]);
  });
});

/** A plugin's own wrapper that hands each record on at once (it holds them by name too). */
const PASS = `import { WrapperTransport } from ${JSON.stringify(DIST)};
class Pass extends WrapperTransport {
  type = 'pass';
  handle(record) { this.forward(record); }
  innerDelivered(count) { this.settleDelivered(count); }
  innerFailed(records, reason) { this.settleFailed(records, reason); }
}
registerTransport('pass', {
  schema: { safeParse: (v) => ({ success: true, data: v }) },
  create: (options, ctx) => new Pass(ctx.createTarget(options.target), {}),
});`;

describe('a plugin that settles successes by count and failures by name, out of order', () => {
  // Each record is sent on its own: i % 4 === 1 is refused 20 ms later, the others succeed at
  // once, by count (settleDelivered()), so a success settles before an earlier failure does.
  const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    if (record.fields.i % 4 === 1) setTimeout(() => this.settleFailed([record], new Error('refused')), 20);
    else this.settleDelivered();
  }
}
${PASS}`;
  const rest = `for (let i = 0; i < 12; i++) log.info({ i }, 'm');
const flushed = await log.flush({ timeoutMs: 2000 });
writeSync(1, 'flushed ' + flushed + '\\n');`;

  it.each([
    ['unwrapped', "{ type: 'p' }"],
    [
      'in buffered',
      "{ type: 'buffered', batch: { maxRecords: 4, intervalMs: 5 }, retry: { maxAttempts: 1 }, target: { type: 'p' } }",
    ],
    ["in a plugin's own WrapperTransport", "{ type: 'pass', target: { type: 'p' } }"],
  ])('%s: a flush() settles, the refused ones fail, dead-lettered, the rest delivered', async (_name, entry) => {
    const deadLetter = join(tempFolder('attack-count-out-of-order'), 'dead.ndjson');
    const result = await runChild(script(body, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(result.stdout).toContain('flushed true');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 12, delivered: 9, failed: 3, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([1, 5, 9]);
  });
});

describe('a plugin that parks its oldest by count, reads it back and names it delivered', () => {
  // Records 0 and 1 held; 0 parked by count, read back and delivered by name; 1 never settles.
  const body = `const held = [];
class P extends Transport {
  type = 'p';
  handle(record) {
    held.push(record);
    if (held.length === 2) setTimeout(() => { this.park(1); this.unpark(1); this.settleDelivered([held[0]]); }, 5);
  }
}`;
  it('process.exit(): the one still in flight fails, dead-lettered; none left pending', async () => {
    const deadLetter = join(tempFolder('attack-park-count-named'), 'dead.ndjson');
    const rest = "log.info({ i: 0 }, 'm');\nlog.info({ i: 1 }, 'm');\nsetTimeout(() => process.exit(0), 50);";
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 1, failed: 1, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([1]);
  });
});

describe("a plugin's own WrapperTransport over a plugin that parks a record by name", () => {
  // The inner plugin holds 0 and 1; parks 1 by name, fails 0, reads 1 back and delivers it.
  const body = `const held = [];
class P extends Transport {
  type = 'p';
  handle(record) {
    held.push(record);
    if (held.length === 2) setTimeout(() => {
      this.park([held[1]]);
      this.settleFailed([held[0]], new Error('refused'));
      this.unpark(1);
      this.settleDelivered([held[1]]);
    }, 5);
  }
}
${PASS}`;
  it('the wrapper hears which one was parked: the other fails, dead-lettered, flush() true', async () => {
    const deadLetter = join(tempFolder('attack-wrapper-park-named'), 'dead.ndjson');
    const rest = `log.info({ i: 0 }, 'm');\nlog.info({ i: 1 }, 'm');
const flushed = await log.flush({ timeoutMs: 2000 });
writeSync(1, 'flushed ' + flushed + '\\n');`;
    const result = await runChild(script(body, deadLetter, rest, "{ type: 'pass', target: { type: 'p' } }"), {
      timeoutMs: 10_000,
    });
    expect(result.stdout).toContain('flushed true');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 1, failed: 1, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0]);
  });
});

describe("a plugin's own WrapperTransport over a plugin that names what it delivers, out of order", () => {
  // The inner plugin holds 0, 1 and 2: delivers 2 by name, parks 0 by name; 1 is in flight at the end.
  const body = `const held = [];
class P extends Transport {
  type = 'p';
  handle(record) {
    held.push(record);
    if (held.length === 3) setTimeout(() => { this.settleDelivered([held[2]]); this.park([held[0]]); }, 5);
  }
}
${PASS}`;
  it.each([
    ['directly', "{ type: 'pass', target: { type: 'p' } }"],
    [
      'through buffered',
      "{ type: 'pass', target: { type: 'buffered', batch: { intervalMs: 1 }, target: { type: 'p' } } }",
    ],
  ])('%s: process.exit() fails the one in flight, not the one delivered; the parked one waits', async (_n, entry) => {
    const deadLetter = join(tempFolder('attack-wrapper-named-delivery'), 'dead.ndjson');
    const rest = "for (let i = 0; i < 3; i++) log.info({ i }, 'm');\nsetTimeout(() => process.exit(0), 100);";
    const result = await runChild(script(body, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 1, failed: 1, dropped: 0, pending: 1 });
    expect(dead(deadLetter)).toEqual([1]);
  });
});

describe('a plugin that parks some records on disk of its own and sends the rest', () => {
  // Record 0 goes to its own file (park); the others are sent over a network that is slow (or
  // loses one): those are in memory when the process ends, and fail by name.
  const body = (dir: string) => `import { appendFileSync } from 'node:fs';
const lost = Number(process.env.LOST ?? -1);
class P extends Transport {
  type = 'p';
  handle(record) {
    const i = record.fields.i;
    if (i === 0 || i === 3) {
      appendFileSync(${JSON.stringify(join(dir, 'parked.ndjson'))}, record.json());
      this.park(i === 0 ? 1 : [record]);
      return;
    }
    if (i !== lost) setTimeout(() => this.settleDelivered([record]), Number(process.env.SEND_MS ?? 5000));
  }
}`;

  it.each([
    ['process.exit()', 'process.exit(0);'],
    ['an uncaught exception', "throw new Error('boom');"],
  ])('%s: what it parked stays pending, what it holds in memory fails, dead-lettered', async (_name, end) => {
    const dir = tempFolder('attack-park-mix');
    const deadLetter = join(dir, 'dead.ndjson');
    const rest = `for (let i = 0; i < 5; i++) log.info({ i }, 'm');\n${end}`;
    const result = await runChild(script(body(dir), deadLetter, rest), { timeoutMs: 10_000 });
    const summary = lastJson<Summary>(result.stdout);
    expect(summary).toMatchObject({ delivered: 0, dropped: 0, pending: 2 });
    expect(summary.failed).toBe(summary.logged - 2);
    expect(dead(deadLetter).filter((i) => i !== 'other')).toEqual([1, 2, 4]);
  });

  it('close() with a callback it lost: given up on after exitTimeoutMs, not waited for for ever', async () => {
    const dir = tempFolder('attack-park-close');
    const deadLetter = join(dir, 'dead.ndjson');
    const rest = `for (let i = 0; i < 5; i++) log.info({ i }, 'm');
const closed = await log.close();
writeSync(1, 'closed ' + closed + '\\n');`;
    const result = await runChild(
      `process.env.LOST = '2'; process.env.SEND_MS = '300';\n${script(body(dir), deadLetter, rest)}`,
      {
        timeoutMs: 20_000,
      },
    );
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 5, delivered: 2, failed: 1, dropped: 0, pending: 2 });
    expect(dead(deadLetter)).toEqual([2]);
  });
});

describe('a plugin that parks everything while its backend is down, then reads it back', () => {
  it.each([
    ['settled by count', 'this.settleDelivered(back.length)', 3],
    ['settled by name (records made again from its disk)', 'this.settleDelivered(back)', 3],
    ['parked again (the backend went down again)', 'this.park(back.length)', 0],
  ])('%s: the later ones it holds fail at process.exit(), the others do not', async (_name, settle, delivered) => {
    const deadLetter = join(tempFolder('attack-park-back'), 'dead.ndjson');
    const body = `const disk = [];
let plugin;
class P extends Transport {
  type = 'p';
  handle(record) {
    plugin = this;
    if (record.fields.i < 3) {
      disk.push(record.json());
      this.park(1);
    }
  }
  readBack() {
    const back = disk.splice(0).map((line) => ({ json: () => line, fields: JSON.parse(line) }));
    this.unpark(back.length);
    ${settle};
  }
}`;
    const rest = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');
await new Promise((resolve) => setTimeout(resolve, 20));
plugin.readBack();
for (let i = 3; i < 5; i++) log.info({ i }, 'm');
process.exit(0);`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    const pending = 3 - delivered;
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 5, delivered, failed: 2, dropped: 0, pending });
    expect(dead(deadLetter)).toEqual([3, 4]);
  });
});

describe('a plugin whose flushSync() throws (it has no giveUpSync)', () => {
  const body = `class P extends Transport {
  type = 'p';
  handle() {}
  flushSync() {
    throw new Error('flushSync threw');
  }
}`;
  const buffered = "{ type: 'buffered', batch: { maxRecords: 1 }, target: { type: 'p' } }";
  const logThree = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');\n`;
  const closes = (args: string) =>
    `${logThree}const closed = await log.close(${args});\nwriteSync(1, 'closed ' + closed + '\\n');`;

  it.each([
    ['unwrapped, process.exit()', "{ type: 'p' }", `${logThree}process.exit(0);`],
    ['in buffered, process.exit()', buffered, `${logThree}process.exit(0);`],
    ['in buffered, close({ timeoutMs })', buffered, closes('{ timeoutMs: 100 }')],
    ['in buffered, close()', buffered, closes('')],
  ])('%s: nothing thrown out of the library, its records fail, dead-lettered', async (_name, entry, rest) => {
    const deadLetter = join(tempFolder('attack-flushsync-throws'), 'dead.ndjson');
    const result = await runChild(script(body, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(result.stderr).not.toContain('flushSync threw');
    expect(result.code).toBe(0);
    if (rest.includes('close(')) expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 0, failed: 3, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0, 1, 2]);
  });
});

describe('a plugin inside buffered that calls process.exit() from its handle()', () => {
  it('the chunk being handed on when it exits: its records fail, dead-lettered, none left pending', async () => {
    // Records 0 and 1 go out as a chunk and are delivered; the next chunk is 2, 3, 4, and the
    // plugin ends the process as it is handed 2 (from a timer: the settlement of 0 and 1).
    const deadLetter = join(tempFolder('attack-exit-in-buffered'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    if (record.fields.i === 2) process.exit(0);
    setTimeout(() => this.settleDelivered([record]), 10);
  }
}`;
    const entry = "{ type: 'buffered', batch: { maxRecords: 2 }, target: { type: 'p' } }";
    const rest = `for (let i = 0; i < 5; i++) log.info({ i }, 'm');`;
    const result = await runChild(script(body, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 5, delivered: 2, failed: 3, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([2, 3, 4]);
  });
});

describe('a plugin whose factory returns one instance each time', () => {
  class Shared extends Transport {
    readonly type = 'shared';
    protected handle(record: LogRecord): void {
      setTimeout(() => this.settleDelivered([record]), 1);
    }
  }

  it('two entries of it in one logger: a ConfigError naming the second, not records pending for good', () => {
    const shared = new Shared();
    const schema = { safeParse: (value: unknown) => ({ success: true as const, data: value }) };
    registerTransport('attack-shared', { schema, create: () => shared } as never);
    const build = () =>
      createLogger({ exitFlush: false, transports: [{ type: 'attack-shared' }, { type: 'attack-shared' }] } as never);
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/transports\[1\].*same transport as transports\[0\]/);
  });
});

describe('a plugin that fails records with a reason whose message cannot be read', () => {
  it.each([
    ['a message getter that throws', "Object.defineProperty(e, 'message', { get() { throw new Error('getter'); } });"],
    ['a Symbol as the message', "e.message = Symbol('s');"],
    ['a message whose toString throws', "e.message = { toString() { throw new Error('toString'); } };"],
    ['a Proxy whose every get throws', "e = new Proxy(e, { get() { throw new Error('proxy'); } });"],
  ])('%s: nothing thrown out of the library, the records failed (not delivered), dead-lettered', async (_n, odd) => {
    const deadLetter = join(tempFolder('attack-odd-reason'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    setTimeout(() => {
      let e = new Error('refused');
      ${odd}
      this.settleFailed([record], e);
    }, 10);
  }
}`;
    const rest = `for (let i = 0; i < 2; i++) log.info({ i }, 'm');
await new Promise((resolve) => setTimeout(resolve, 100));`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 0, failed: 2, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0, 1]);
  });
});

describe("a plugin's error or diagnostic events that cannot be printed", () => {
  const getter = "Object.defineProperty(e, 'message', { get() { throw new Error('getter'); } });";
  it.each([
    ["emit('error', null)", "this.emit('error', null);", "{ type: 'p' }"],
    [
      "emit('error', null), in buffered",
      "this.emit('error', null);",
      "{ type: 'buffered', batch: { maxRecords: 1 }, target: { type: 'p' } }",
    ],
    ["emit('error', e), e's message a getter that throws", `${getter} this.emit('error', e);`, "{ type: 'p' }"],
    [
      'report(Symbol()), in buffered',
      "this.report(Symbol('d'));",
      "{ type: 'buffered', batch: { maxRecords: 1 }, target: { type: 'p' } }",
    ],
  ])('%s: said, nothing thrown out of the library; its records fail at the end', async (_name, odd, entry) => {
    const deadLetter = join(tempFolder('attack-odd-events'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle() {
    setTimeout(() => {
      const e = new Error('x');
      ${odd}
    }, 10);
  }
}`;
    const rest = `for (let i = 0; i < 2; i++) log.info({ i }, 'm');
await new Promise((resolve) => setTimeout(resolve, 100));
process.exit(0);`;
    const result = await runChild(script(body, deadLetter, rest, entry), { timeoutMs: 10_000 });
    expect(result.stderr).toBe('');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 2, delivered: 0, failed: 2, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0, 1]);
  });
});

describe("a plugin's own WrapperTransport that holds records before it forwards them (no giveUpSync)", () => {
  // Forwards each record to a file after 3 s (DELAY), and loses record 1.
  const body = `import { WrapperTransport } from ${JSON.stringify(DIST)};
class Delay extends WrapperTransport {
  type = 'delay';
  handle(record) {
    if (record.fields.i !== 1) setTimeout(() => this.forward(record), Number(process.env.DELAY ?? 3000));
  }
  innerDelivered(count) {
    this.settleDelivered(count);
  }
  innerFailed(records, reason) {
    this.settleFailed(records, reason);
  }
}
registerTransport('delay', {
  schema: { safeParse: (v) => ({ success: true, data: v }) },
  create: (options, ctx) => new Delay(ctx.createTarget(options.target), {}),
});
class P extends Transport { type = 'p'; handle() {} }`;
  const entry = (dir: string) =>
    `{ type: 'delay', target: { type: 'file', path: ${JSON.stringify(join(dir, 'out.log'))} } }`;
  const logThree = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');\n`;

  it('process.exit(): what it holds fails, dead-lettered', async () => {
    const dir = tempFolder('attack-user-wrapper-exit');
    const deadLetter = join(dir, 'dead.ndjson');
    const rest = `${logThree}setTimeout(() => process.exit(0), 20);`;
    const result = await runChild(script(body, deadLetter, rest, entry(dir)), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 0, failed: 3, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([0, 1, 2]);
  });

  it('close() with the record it lost: given up on, false; the others delivered', async () => {
    const dir = tempFolder('attack-user-wrapper-close');
    const deadLetter = join(dir, 'dead.ndjson');
    const rest = `${logThree}const closed = await log.close();\nwriteSync(1, 'closed ' + closed + '\\n');`;
    const child = `process.env.DELAY = '300';\n${script(body, deadLetter, rest, entry(dir))}`;
    const result = await runChild(child, { timeoutMs: 20_000 });
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 2, failed: 1, dropped: 0, pending: 0 });
    expect(dead(deadLetter)).toEqual([1]);
  });
});

describe('a plugin that parks more than it holds in memory', () => {
  it('park(1) for a record it settled already: delivered stays delivered, not pending as spooled', async () => {
    const deadLetter = join(tempFolder('attack-park-settled'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    this.settleDelivered([record]);
    this.park(1);
  }
}`;
    const rest = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');\nprocess.exit(0);`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 3, failed: 0, dropped: 0, pending: 0 });
  });

  it('park(100) with one record: close() does not take the ones it holds after as parked', async () => {
    const deadLetter = join(tempFolder('attack-park-over'), 'dead.ndjson');
    const body = `class P extends Transport {
  type = 'p';
  handle(record) {
    if (record.fields.i === 0) this.park(100);
  }
}`;
    const rest = `for (let i = 0; i < 3; i++) log.info({ i }, 'm');
const closed = await log.close();
writeSync(1, 'closed ' + closed + '\\n');`;
    const result = await runChild(script(body, deadLetter, rest), { timeoutMs: 10_000 });
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 3, delivered: 0, failed: 2, dropped: 0, pending: 1 });
    expect(dead(deadLetter)).toEqual([1, 2]);
  });
});
