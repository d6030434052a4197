import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, runChild, tempFolder } from '../transports/http/receiver.js';

/*
 * pino.transport() (a ThreadStream, its targets run in a worker thread) handed to
 * createLogger() as `pino(opts, pino.transport(…))` is: its write() calls nothing back. It
 * was taken for a Writable whose callbacks never came, so after the first writes every
 * record waited (20,000 logged, 5,000 written) and all failed at the exit, written or not.
 */
function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

function script(file: string, end: string): string {
  return `
const pino = (await import('pino')).default;
const stream = pino.transport({ target: 'pino/file', options: { destination: ${JSON.stringify(file)} } });
const log = createLogger({ base: null, timestamp: false, transports: [stream] });
for (let i = 0; i < 20000; i++) {
  log.info({ i }, 'one');
  if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
}
${end}`;
}

describe('pino.transport() as a transport', () => {
  it.each([
    ['the script returns', ''],
    ['process.exit()', 'process.exit(0);'],
  ])('%s: every record written once and delivered', async (_name, end) => {
    const file = join(tempFolder('pino-transport-stream'), 'app.log');
    const atExit = `process.on('exit', () => {
  const { logged, delivered, failed, pending } = log.stats();
  writeSync(1, JSON.stringify({ logged, delivered, failed, pending }) + '\\n');
});`;
    const result = await runChild(script(file, atExit + end));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lastJson(result.stdout)).toEqual({ logged: 20000, delivered: 20000, failed: 0, pending: 0 });
    const written = lines(file);
    expect(written).toHaveLength(20000);
    expect(written[19999]).toBe('{"level":30,"i":19999,"msg":"one"}');
  });

  it('flush() and close() resolve true, the lines written by then', async () => {
    const file = join(tempFolder('pino-transport-stream-close'), 'app.log');
    const end = `
const flushed = await log.flush({ timeoutMs: 5000 });
const closed = await log.close({ timeoutMs: 5000 });
const written = readFileSync(${JSON.stringify(file)}, 'utf8').split('\\n').filter(Boolean).length;
writeSync(1, JSON.stringify({ flushed, closed, written, ended: stream.writableEnded }) + '\\n');`;
    const result = await runChild(`import { readFileSync } from 'node:fs';\n${script(file, end)}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Left open, as a pino.destination() is: pino's own exit handler ends it.
    expect(lastJson(result.stdout)).toEqual({ flushed: true, closed: true, written: 20000, ended: false });
  });

  it("the worker's end fails later records, said, not thrown into the caller", async () => {
    const file = join(tempFolder('pino-transport-stream-ended'), 'app.log');
    const end = `
// Its worker is unref'd once ready: a timer keeps the process up until it has ended.
const keep = setInterval(() => {}, 1000);
stream.end();
await new Promise((resolve) => stream.once('close', resolve));
clearInterval(keep);
log.info('after the end');
const { delivered, failed } = log.stats();
writeSync(1, JSON.stringify({ delivered, failed }) + '\\n');`;
    const result = await runChild(script(file, end));
    expect(result.code).toBe(0);
    expect(lastJson(result.stdout)).toEqual({ delivered: 20000, failed: 1 });
    expect(result.stderr).toMatch(
      /1 record\(s\) failed \(thread-stream#0: pino\.transport\(\) stream (was ended|closed)/,
    );
    expect(lines(file)).toHaveLength(20000);
  });
});
