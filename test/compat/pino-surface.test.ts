import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport, stdSerializers } from '../../src/index.js';
import { DIST_ESM, requireBuild } from '../built.js';

function memoryLogger(options: Record<string, unknown> = {}) {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, base: null, timestamp: false, ...options, transports: [memory] });
  return { log, memory };
}

describe("pino's logger surface", () => {
  it('levels, levelVal, bindings(), setBindings(), silent(), msgPrefix, flush(cb)', async () => {
    const { log, memory } = memoryLogger({ name: 'api', base: {}, levels: { audit: 35 }, msgPrefix: '[api] ' });
    expect(log.levels.values).toMatchObject({ info: 30, audit: 35, fatal: 60 });
    expect(log.levels.labels[35]).toBe('audit');
    expect(log.levelVal).toBe(30);
    const child = log.child({ reqId: 'r1' }, { msgPrefix: '[req] ' });
    expect(child.bindings()).toEqual({ name: 'api', reqId: 'r1' });
    child.setBindings({ user: 7 });
    expect(child.bindings()).toEqual({ name: 'api', reqId: 'r1', user: 7 });
    child.info('hello');
    log.silent('never');
    const flushed = await new Promise<boolean>((resolve) => {
      void log.flush(() => resolve(true));
    });
    expect(flushed).toBe(true);
    expect(memory.objects()).toEqual([{ level: 30, name: 'api', reqId: 'r1', user: 7, msg: '[api] [req] hello' }]);
  });

  it('serializers apply to fields and bindings, once per value; child serializers add to the parent’s', async () => {
    let calls = 0;
    const { log, memory } = memoryLogger({
      serializers: {
        user: (u: { id: number; password: string }) => {
          calls++;
          return { id: u.id };
        },
      },
    });
    const child = log.child(
      { user: { id: 1, password: 'x' } },
      { serializers: { order: (o: { id: number; card: string }) => ({ id: o.id }) } },
    );
    child.info({ order: { id: 9, card: '4111' } }, 'bought');
    child.info('again');
    await log.flush();
    expect(memory.objects()).toEqual([
      { level: 30, user: { id: 1 }, order: { id: 9 }, msg: 'bought' },
      { level: 30, user: { id: 1 }, msg: 'again' },
    ]);
    expect(calls).toBe(1); // the binding was serialised once, at child()
  });

  it('standard serializers by name from config; a child can have its own redaction', async () => {
    const { log, memory } = memoryLogger({ serializers: ['err'] });
    log.error({ err: new Error('boom') }, 'failed');
    const quiet = log.child({}, { redact: ['card'] });
    quiet.info({ card: '4111' }, 'paid');
    await log.flush();
    const [failed, paid] = memory.objects();
    expect(failed!.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(paid).toMatchObject({ card: '[Redacted]' });
    expect(typeof stdSerializers.req).toBe('function');
  });

  it('values are captured at the log call: a later mutation is never seen', async () => {
    const { log, memory } = memoryLogger();
    const order = { state: 'new' };
    log.info(order, 'created');
    order.state = 'paid';
    await log.flush();
    expect(memory.objects()[0]).toMatchObject({ state: 'new' });
  });

  it('a logger, a transport or a stream inside a logged value is a short description', async () => {
    const { log, memory } = memoryLogger();
    const child = log.child({ reqId: 'r1' });
    log.info({ ctx: { log: child, transport: memory, stream: new PassThrough() } }, 'framework context');
    await log.flush();
    const line = memory.lines()[0]!;
    expect(line.length).toBeLessThan(300);
    expect(JSON.parse(line).ctx).toEqual({
      log: { type: 'Logger', level: 'info', bindings: { reqId: 'r1' } },
      transport: { type: 'Transport', transport: 'memory', id: 'memory#0' },
      stream: { type: 'PassThrough', stream: true },
    });
  });
});

describe('console order across stdout and stderr', () => {
  it('with stderrLevel, lines keep call order when both streams go to one pipe', () => {
    requireBuild();
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const transports = [{ type: 'console', stderrLevel: 'error' }];
      const log = createLogger({ base: null, timestamp: false, transports });
      for (let i = 0; i < 5; i++) { log.info({ i }, 'out'); log.error({ i }, 'err'); }
    `;
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-order-')), 'order.mjs');
    writeFileSync(file, script);
    // Both descriptors are one pipe, as under a process manager that merges them.
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${file}" 2>&1`], { encoding: 'utf8' });
    const order = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; msg: string })
      .map((o) => `${o.msg}${o.i}`);
    expect(order).toEqual(['out0', 'err0', 'out1', 'err1', 'out2', 'err2', 'out3', 'err3', 'out4', 'err4']);
  });
});
