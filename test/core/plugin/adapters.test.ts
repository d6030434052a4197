import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, StreamTransport } from '../../../src/index.js';

describe('byte Writable adapter', () => {
  it('writes lines to fs.createWriteStream and closes its descriptor on close()', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-adapter-')), 'out.log');
    const stream = createWriteStream(file);
    const log = createLogger({ exitFlush: false, transports: [stream] });
    expect(log.transports[0]).toBeInstanceOf(StreamTransport);
    for (let i = 0; i < 1000; i++) log.info({ i }, 'line');
    await log.close();
    expect(stream.closed).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[999]!)).toMatchObject({ i: 999 });
    expect(log.stats().targets[0]).toMatchObject({ delivered: 1000, failed: 0 });
  });

  it('reports a stream that errors instead of crashing', async () => {
    const failing = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('ENOSPC: no space left on device'));
      },
    });
    const diagnostics: string[] = [];
    const log = createLogger({ exitFlush: false, diagnostics: (m) => diagnostics.push(m), transports: [failing] });
    log.info('lost?');
    await log.flush();
    expect(log.stats().failed).toBe(1);
    expect(diagnostics.join('\n')).toMatch(/1 record\(s\) failed \(stream#0: ENOSPC/);
  });
  it('a stream two loggers write to is ended by the close of the last of them, not the first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-adapter-')), 'shared.log');
    const stream = createWriteStream(file);
    const first = createLogger({ exitFlush: false, transports: [stream] });
    const second = createLogger({ exitFlush: false, transports: [stream] });
    first.info('from the first');
    await first.close();
    expect(stream.writableEnded).toBe(false);
    second.info('from the second, after the first closed');
    await second.close();
    expect(stream.closed).toBe(true);
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['from the first', 'from the second, after the first closed']);
    expect(second.stats()).toMatchObject({ delivered: 1, failed: 0 });
  });

  it('an object-mode Writable two loggers write to is ended by the close of the last of them', async () => {
    const seen: string[] = [];
    const sink = new Writable({
      objectMode: true,
      write(record: { msg: string }, _enc, cb) {
        seen.push(record.msg);
        cb();
      },
    });
    const first = createLogger({ exitFlush: false, transports: [sink] });
    const second = createLogger({ exitFlush: false, transports: [sink] });
    first.info('one');
    await first.close();
    expect(sink.writableEnded).toBe(false);
    second.info('two');
    await second.close();
    expect(sink.writableEnded).toBe(true);
    expect(seen).toEqual(['one', 'two']);
    expect(second.stats()).toMatchObject({ delivered: 1, failed: 0 });
  });
});
