import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, runChild, tempFolder } from '../../transports/http/receiver.js';

/*
 * A plugin's transport built as the docs show (a subclass of Transport with handle() alone,
 * no giveUpSync): what it holds when the process ends, or when a close finds it stuck, fails
 * by name (counted, dead-lettered, reported) rather than staying pending with nothing said.
 */
const DIST = new URL('../../../dist/esm/index.js', import.meta.url).pathname;
const PLUGIN = `
import { registerTransport, Transport } from ${JSON.stringify(DIST)};
const lost = new Set((process.env.LOST ?? '').split(',').filter(Boolean).map(Number));
class Slow extends Transport {
  type = 'slow';
  handle(record) {
    const i = record.fields?.i;
    if (lost.has(i)) return; // a callback the plugin loses
    const named = process.env.NAMED === '1';
    setTimeout(() => this.settleDelivered(named ? [record] : 1), Number(process.env.SEND_MS ?? 50));
  }
}
registerTransport('slow', { schema: { safeParse: (v) => ({ success: true, data: v }) }, create: () => new Slow({}) });
`;

function dead(path: string): number[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { record: { i: number } }).record.i);
}

interface Summary {
  logged: number;
  delivered: number;
  failed: number;
  pending: number;
  events: number;
}

function script(deadLetter: string, end: string, entry = "{ type: 'slow' }"): string {
  return `${PLUGIN}
const log = createLogger({ transports: [${entry}], router: { deadLetter: ${JSON.stringify(deadLetter)} },
  exitTimeoutMs: 1000, diagnostics: () => {} });
let events = 0;
log.on('deliveryFailed', () => { events++; });
process.on('exit', () => {
  const s = log.stats();
  const { logged, delivered, failed, pending } = s;
  writeSync(1, JSON.stringify({ logged, delivered, failed, pending, events }) + '\\n');
});
for (let i = 0; i < 10; i++) log.info({ i }, 'order placed');
${end}`;
}

describe("a plugin transport's records at the process's end and at a stuck close", () => {
  it('process.exit() with sends in flight: the ten fail, dead-lettered and told', async () => {
    const dir = tempFolder('plugin-exit');
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await runChild(script(deadLetter, 'process.exit(0);'));
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 10, delivered: 0, failed: 10, pending: 0, events: 10 });
    expect(dead(deadLetter).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('an uncaught exception: the ten and the fatal record of the crash fail, dead-lettered', async () => {
    const dir = tempFolder('plugin-crash');
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await runChild(script(deadLetter, "throw new Error('boom');"));
    expect(result.code).not.toBe(0);
    const summary = lastJson<Summary>(result.stdout);
    expect(summary).toMatchObject({ delivered: 0, pending: 0 });
    expect(summary.failed).toBe(summary.logged);
    expect(summary.logged).toBeGreaterThanOrEqual(11);
    expect(readFileSync(deadLetter, 'utf8').split('\n').filter(Boolean)).toHaveLength(summary.logged);
  });

  it('await close(), a callback the plugin lost: given up after exitTimeoutMs, false, that one failed', async () => {
    const dir = tempFolder('plugin-close');
    const deadLetter = join(dir, 'dead.ndjson');
    const end = `const closed = await log.close(); writeSync(1, 'closed ' + closed + '\\n');`;
    const result = await runChild(`process.env.LOST = '3'; process.env.NAMED = '1';\n${script(deadLetter, end)}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toEqual({ logged: 10, delivered: 9, failed: 1, pending: 0, events: 1 });
    expect(dead(deadLetter)).toEqual([3]);
  });
  it.each([
    ['buffered', "{ type: 'buffered', batch: { maxRecords: 1 }, target: { type: 'slow' } }"],
    ['validating', "{ type: 'validating', rules: { i: 'integer' }, target: { type: 'slow' } }"],
  ])('wrapped in %s, process.exit(): the ten fail, dead-lettered, as unwrapped', async (_name, entry) => {
    const dir = tempFolder('plugin-wrapped-exit');
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await runChild(script(deadLetter, 'setTimeout(() => process.exit(0), 10);', entry));
    expect(lastJson<Summary>(result.stdout)).toMatchObject({ logged: 10, delivered: 0, failed: 10, pending: 0 });
    expect(dead(deadLetter).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('wrapped in buffered, a callback lost: close() is given up on, false, the lost one failed', async () => {
    const dir = tempFolder('plugin-wrapped-close');
    const deadLetter = join(dir, 'dead.ndjson');
    const end = `const closed = await log.close(); writeSync(1, 'closed ' + closed + '\\n');`;
    const entry = "{ type: 'buffered', batch: { maxRecords: 1 }, target: { type: 'slow' } }";
    const lost = `process.env.LOST = '3'; process.env.NAMED = '1';\n`;
    const result = await runChild(lost + script(deadLetter, end, entry));
    expect(result.stdout).toContain('closed false');
    expect(lastJson<Summary>(result.stdout)).toMatchObject({ logged: 10, pending: 0 });
    expect(dead(deadLetter)).toContain(3);
  });
});

describe('a plugin that settles oddly by name', () => {
  it('a record settled by name and then a throw from handle(): delivered once, not failed too', async () => {
    // Three records are still out when the fourth throws: its failure was counted against them.
    const result = await runChild(`
import { registerTransport, Transport } from ${JSON.stringify(DIST)};
class Throws extends Transport {
  type = 'throws';
  handle(record) {
    if (record.fields.i < 3) return void setTimeout(() => this.settleDelivered([record]), 50);
    this.settleDelivered([record]);
    throw new Error('after the settlement');
  }
}
const schema = { safeParse: (v) => ({ success: true, data: v }) };
registerTransport('throws', { schema, create: () => new Throws({}) });
const log = createLogger({ transports: [{ type: 'throws' }], diagnostics: () => {} });
for (let i = 0; i < 4; i++) log.info({ i }, 'm');
await new Promise((resolve) => setTimeout(resolve, 200));
const { logged, delivered, failed, pending } = log.stats();
writeSync(1, JSON.stringify({ logged, delivered, failed, pending }) + '\\n');`);
    expect(lastJson(result.stdout)).toEqual({ logged: 4, delivered: 4, failed: 0, pending: 0 });
  });

  it('records it does not hold, copies and array-likes: ignored and said, never counted delivered', async () => {
    const result = await runChild(`
import { registerTransport, Transport } from ${JSON.stringify(DIST)};
class Odd extends Transport {
  type = 'odd';
  handle(record) {
    const i = record.fields.i;
    if (i === 0) this.settleDelivered([{ ...record }]);
    else if (i === 1) this.settleDelivered({ length: 1, 0: record });
    else this.settleDelivered([record, record]);
  }
}
registerTransport('odd', { schema: { safeParse: (v) => ({ success: true, data: v }) }, create: () => new Odd({}) });
const said = [];
const log = createLogger({ transports: [{ type: 'odd' }], diagnostics: (m) => said.push(m) });
for (let i = 0; i < 3; i++) log.info({ i }, 'm');
await new Promise((resolve) => setImmediate(resolve));
const { logged, delivered, failed, pending } = log.stats();
writeSync(1, JSON.stringify({ logged, delivered, failed, pending, said }) + '\\n');
process.exit(0);`);
    const out = lastJson<Summary & { said: string[] }>(result.stdout);
    expect(out).toMatchObject({ logged: 3, delivered: 1, failed: 0, pending: 2 });
    expect(out.said.join('\n')).toContain('record(s) it does not hold as delivered; ignored');
    expect(out.said.join('\n')).toContain('not a count of records; ignored');
  });
});

describe('a plugin that keeps records on disk of its own (park) and has no giveUpSync', () => {
  it('process.exit(): what it parked stays pending as parked, not failed (the next start sends it)', async () => {
    const dir = tempFolder('plugin-parks');
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await runChild(`
import { appendFileSync } from 'node:fs';
import { registerTransport, Transport } from ${JSON.stringify(DIST)};
class Parks extends Transport {
  type = 'parks';
  handle(record) {
    appendFileSync(${JSON.stringify(join(dir, 'parked.ndjson'))}, record.json());
    this.park(1);
  }
}
const schema = { safeParse: (v) => ({ success: true, data: v }) };
registerTransport('parks', { schema, create: () => new Parks({}) });
const log = createLogger({ transports: [{ type: 'parks' }], router: { deadLetter: ${JSON.stringify(deadLetter)} },
  diagnostics: () => {} });
process.on('exit', () => {
  const { logged, delivered, failed, pending, pendingDetail } = log.stats();
  writeSync(1, JSON.stringify({ logged, delivered, failed, pending, spooled: pendingDetail.spooled }) + '\\n');
});
for (let i = 0; i < 5; i++) log.info({ i }, 'm');
process.exit(0);`);
    expect(lastJson(result.stdout)).toEqual({ logged: 5, delivered: 0, failed: 0, pending: 5, spooled: 5 });
    expect(dead(deadLetter)).toEqual([]);
  });
});
