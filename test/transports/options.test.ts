import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleTransport, createLogger, createTextFormatter, MemoryTransport } from '../../src/index.js';
import { Collector } from '../helpers.js';

describe('smaller options', () => {
  it('a transport instance keeps its own level', () => {
    const warnings = new MemoryTransport({ level: 'warn' });
    const everything = new MemoryTransport();
    const log = createLogger({ exitFlush: false, transports: [warnings, everything] });
    log.info('info');
    log.error('error');
    expect(warnings.records().map((r) => r.msg)).toEqual(['error']);
    expect(everything.records().map((r) => r.msg)).toEqual(['info', 'error']);
  });

  it('console stderrLevel from code takes a number as well as a name', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    const log = createLogger({
      exitFlush: false,
      transports: [new ConsoleTransport({ stdout, stderr, stderrLevel: 40 })],
    });
    log.info('out');
    log.warn('err');
    await log.flush();
    expect(stdout.json().map((r) => r.msg)).toEqual(['out']);
    expect(stderr.json().map((r) => r.msg)).toEqual(['err']);
    expect(() => new ConsoleTransport({ stdout, stderr, stderrLevel: 'loud' })).toThrow(/unknown level "loud"/);
  });

  it('console stream "stderr" sends everything to stderr', async () => {
    const stdout = new Collector();
    const stderr = new Collector();
    const log = createLogger({
      exitFlush: false,
      transports: [new ConsoleTransport({ stream: 'stderr', stdout, stderr })],
    });
    log.info('to stderr');
    await log.flush();
    expect(stdout.lines).toEqual([]);
    expect(stderr.json().map((r) => r.msg)).toEqual(['to stderr']);
  });

  it('levelFormat "label" shows in text output and custom levels get their names', () => {
    const memory = new MemoryTransport({ formatter: createTextFormatter() });
    const log = createLogger({ exitFlush: false, levelFormat: 'label', levels: { audit: 35 }, transports: [memory] });
    log.log('audit', 'who did what');
    expect(memory.lines()[0]).toMatch(/^time=\S+ level=audit msg="who did what"\n$/);
    expect(memory.objects()[0]!.level).toBe('audit');
  });

  it('fsync: true still writes, rotates and closes cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-fsync-'));
    const log = createLogger({
      exitFlush: false,
      transports: [{ type: 'file', path: join(dir, 'app.log'), fsync: true, rotate: { size: '1KB' } }],
    });
    for (let i = 0; i < 50; i++) log.info({ i }, 'synced');
    expect(await log.close()).toBe(true);
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(2);
    const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(50);
    expect(log.stats()).toMatchObject({ failed: 0, delivered: 50 });
  });
});
