import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type MemoryTransport } from '../../../src/index.js';

function logger(options: Parameters<typeof createLogger>[0] = {}) {
  return createLogger({
    exitFlush: false,
    base: null,
    timestamp: false,
    transports: [{ type: 'memory', id: 'mem' }],
    ...(options as object),
  });
}

describe('the parts of pino Logger that pino-http and Fastify type', () => {
  it('child customLevels: a level of the logger is itself, another logs at its number', async () => {
    const log = logger({ levels: { audit: 35 } });
    const child = log.child({ reqId: 'r1' }, { customLevels: { audit: 35, notice: 33 } });
    child.audit('kept');
    child.notice('numbered');
    child.child({}).notice('inherited');
    await log.flush();
    expect(log.transport<MemoryTransport>('mem')!.objects()).toEqual([
      { level: 35, reqId: 'r1', msg: 'kept' },
      { level: 33, reqId: 'r1', msg: 'numbered' },
      { level: 33, reqId: 'r1', msg: 'inherited' },
    ]);
    expect(child.customLevels).toEqual({ audit: 35, notice: 33 });
    expect(log.customLevels).toEqual({ audit: 35 });
    expect(log.useOnlyCustomLevels).toBe(false);
  });

  it('a child without options keeps its parent’s level, prefix and methods; a sibling has no notice', async () => {
    const log = createLogger({
      exitFlush: false,
      base: null,
      timestamp: false,
      transports: [{ type: 'memory', id: 'mem' }],
      levels: { verbose: 25 },
      level: 'verbose',
      msgPrefix: '[app] ',
    });
    const child = log.child({ a: 1 }, { customLevels: { notice: 33 }, level: 'info' });
    const grandchild = child.child({ b: 2 });
    grandchild.notice('n');
    grandchild.verbose('below the child level');
    log.child({ c: 3 }).verbose('v');
    await log.flush();
    expect(log.transport<MemoryTransport>('mem')!.objects()).toEqual([
      { level: 33, a: 1, b: 2, msg: '[app] n' },
      { level: 25, c: 3, msg: '[app] v' },
    ]);
    expect(grandchild.level).toBe('info');
    expect('notice' in log.child({ d: 4 })).toBe(false);
  });

  it('child({ customLevels, level }) may name its own level as the threshold, as pino allows', async () => {
    const diagnostics: string[] = [];
    const log = logger({ diagnostics: (m: string) => diagnostics.push(m) });
    const child = log.child({}, { customLevels: { notice: 33 }, level: 'notice' });
    child.info('below notice');
    child.notice('at notice');
    child.warn('above');
    await log.flush();
    expect(log.transport<MemoryTransport>('mem')!.objects()).toEqual([
      { level: 33, msg: 'at notice' },
      { level: 40, msg: 'above' },
    ]);
    expect(child.isLevelEnabled('info')).toBe(false);
    expect(diagnostics).toEqual([]);
  });

  it('child customLevels that would shadow a member are skipped and diagnosed', () => {
    const diagnostics: string[] = [];
    const log = logger({ diagnostics: (m: string) => diagnostics.push(m) });
    const child = log.child({}, { customLevels: { flush: 35 } as Record<string, number> });
    expect(typeof child.flush).toBe('function');
    expect(child.flush).toBe(log.flush);
    expect(diagnostics).toEqual(['child customLevels: "flush" ignored (a logger member, or not a finite number)']);
  });

  it('log.onChild assigned as pino allows: told of children, inherited by them', () => {
    const log = logger();
    const seen: unknown[] = [];
    const branch = log.child({ branch: 1 });
    branch.onChild = (child) => seen.push(child);
    const a = branch.child({ a: 1 });
    const b = a.child({ b: 1 });
    log.child({ other: 1 });
    expect(seen).toEqual([a, b]);
  });

  it('is an EventEmitter over the events its tree shares', () => {
    const log = logger();
    const child = log.child({});
    const heard: string[] = [];
    const listener = (label: string) => heard.push(label);
    log.addListener('level-change', listener);
    expect(child.listenerCount('level-change')).toBe(1);
    expect(log.eventNames()).toContain('level-change');
    child.level = 'debug';
    log.removeListener('level-change', listener);
    child.level = 'warn';
    expect(heard).toEqual(['debug']);
    log.prependOnceListener('targetHealthy', () => heard.push('once'));
    expect(log.emit('targetHealthy', { target: 'x' })).toBe(true);
    expect(log.emit('targetHealthy', { target: 'x' })).toBe(false);
    expect(heard).toEqual(['debug', 'once']);
    log.on('targetHealthy', () => {}).removeAllListeners('targetHealthy');
    expect(log.listeners('targetHealthy')).toEqual([]);
    const typed: Logger = child;
    expect(typed.getMaxListeners()).toBeGreaterThan(0);
  });
});
