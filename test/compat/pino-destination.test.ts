import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, runChild, tempFolder } from '../transports/http/receiver.js';

/*
 * pino.destination() (a SonicBoom) handed to createLogger(): no Writable, its write() calls
 * nothing back. Each record counts as delivered when SonicBoom takes its line, and its buffer
 * is written at the end, as pino does; before, every record failed after exitTimeoutMs, its
 * line written all the same, and the script's end waited those 10 s.
 */
function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

function script(dir: string, sync: boolean, end: string): string {
  return `
const pino = (await import('pino')).default;
const dest = pino.destination({ dest: ${JSON.stringify(join(dir, 'app.log'))}, sync: ${sync} });
const log = createLogger({ transports: [dest], router: { deadLetter: ${JSON.stringify(join(dir, 'dead.ndjson'))} } });
const other = createLogger({ transports: [dest] });
process.on('exit', () => {
  const s = log.stats();
  const { logged, delivered, failed, pending } = s;
  writeSync(1, JSON.stringify({ logged, delivered, failed, pending }) + '\\n');
});
for (let i = 0; i < 10; i++) log.info({ i }, 'one');
other.info('from the other logger');
${end}`;
}

describe('pino.destination() as a transport', () => {
  it.each([
    ['asynchronous, the script returns', false, ''],
    ['synchronous, process.exit()', true, 'process.exit(0);'],
    // pino's own exit handler throws for a destination not open yet: exit once it is.
    ['asynchronous, process.exit() once open', false, "dest.once('ready', () => process.exit(0));"],
  ])('%s: every line written once, each record delivered, no wait at the end', async (_name, sync, end) => {
    const dir = tempFolder('pino-destination');
    const result = await runChild(script(dir, sync, end));
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(8000);
    expect(lastJson(result.stdout)).toEqual({ logged: 10, delivered: 10, failed: 0, pending: 0 });
    const written = lines(join(dir, 'app.log'));
    expect(written).toHaveLength(11);
    expect(written.filter((line) => line.includes('"msg":"one"'))).toHaveLength(10);
    expect(lines(join(dir, 'dead.ndjson'))).toEqual([]);
  });

  it('asynchronous, process.exit() before it is open: pino throws, every record dead-lettered first', async () => {
    const dir = tempFolder('pino-destination-unopened-exit');
    const result = await runChild(script(dir, false, 'process.exit(0);'));
    // pino's exit handler, added with the destination (before the logger's), throws "not ready yet".
    expect(result.stderr).toContain('not ready yet');
    // Before, that throw ended the process before the logger's own handler ran: nothing written,
    // failed or said, all 11 records lost without a trace (the other logger's one is said with these).
    const dead = lines(join(dir, 'dead.ndjson')).filter((line) => line.includes('"msg":"one"'));
    expect(dead).toHaveLength(10);
    expect(result.stderr).toContain('10 record(s) failed (sonic-boom#0: process exited before the records were sent)');
  });

  it('close() of both loggers that share it: true each, its buffer written, left open for pino', async () => {
    const dir = tempFolder('pino-destination-close');
    const end = `
const first = await log.close();
other.info('after the first close');
const second = await other.close();
writeSync(1, JSON.stringify({ first, second, destroyed: dest.destroyed }) + '\\n');`;
    const result = await runChild(script(dir, false, end));
    expect(result.code).toBe(0);
    const closes = result.stdout.split('\n').find((line) => line.includes('"first"'));
    expect(JSON.parse(closes!)).toEqual({ first: true, second: true, destroyed: false });
    expect(lines(join(dir, 'app.log'))).toHaveLength(12);
  });
  it('a file it cannot open: its records fail, said once, and close() resolves', async () => {
    const dir = tempFolder('pino-destination-missing');
    const missing = join(dir, 'no', 'such', 'app.log');
    const result = await runChild(`
const pino = (await import('pino')).default;
const dest = pino.destination({ dest: ${JSON.stringify(missing)}, sync: false, mkdir: false });
const said = [];
const log = createLogger({ transports: [dest], diagnostics: (m) => said.push(m) });
for (let i = 0; i < 3; i++) log.info({ i }, 'one');
const closed = await log.close();
const { logged, delivered, failed, pending } = log.stats();
const told = said.filter((m) => m.includes('pino.destination() failed')).length;
writeSync(1, JSON.stringify({ closed, logged, delivered, failed, pending, told }) + '\\n');`);
    expect(lastJson(result.stdout)).toEqual({ closed: true, logged: 3, delivered: 0, failed: 3, pending: 0, told: 1 });
  });
});
