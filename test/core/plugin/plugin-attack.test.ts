import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
