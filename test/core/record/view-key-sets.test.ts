import { describe, expect, it } from 'vitest';
import { sharedView, sharedViewKeys } from '../../../src/core/record/object-form.js';
import { createLogger, type Formatter, type LogRecord } from '../../../src/index.js';
import { EagerTransport } from '../../helpers.js';

/*
 * The record's view during its call is built by code made per key set (head keys, field keys,
 * message). A child logger made per request has the keys of the one before: it must take the
 * same builder (one key set, so formatters keep what they learnt per key set), never compile
 * its own, while each view still holds its own record's values.
 */
interface Seen {
  view: Record<string, unknown>;
  keySet: object | undefined;
  line: string;
}

function watchingLogger(options: { messageKey?: string } = {}) {
  const seen: Seen[] = [];
  const formatter: Formatter = {
    name: 'watch',
    format(record: LogRecord): string {
      seen.push({ view: { ...sharedView(record) }, keySet: sharedViewKeys(record), line: record.json() });
      return record.json();
    },
  };
  const log = createLogger({
    exitFlush: false,
    ...options,
    transports: [{ transport: new EagerTransport({ formatter }) }],
  });
  return { log, seen };
}

describe('views of records from children made per request', () => {
  it('share one key set across children with the same keys, each view with its own values', () => {
    const { log, seen } = watchingLogger();
    for (let i = 0; i < 5; i++) {
      const child = log.child({ reqId: `r${i}` });
      child.info({ a: 1 }, 'start');
      child.info({ a: 1, status: 200 + i }, 'done');
    }
    expect(seen).toHaveLength(10);
    for (const { view, line } of seen) expect(view).toEqual(JSON.parse(line));
    const starts = new Set(seen.filter((_, i) => i % 2 === 0).map((s) => s.keySet));
    const dones = new Set(seen.filter((_, i) => i % 2 === 1).map((s) => s.keySet));
    expect(starts.size).toBe(1);
    expect(dones.size).toBe(1);
    expect([...starts][0]).toBeDefined();
    expect([...starts][0]).not.toBe([...dones][0]);
    expect(seen[6]!.view.reqId).toBe('r3');
    expect(seen[7]!.view.status).toBe(203);
  });

  it('keep key sets apart where the head keys, their order or the message key differ', () => {
    const { log, seen } = watchingLogger();
    log.child({ a: 1, b: 2 }).info({ x: 1 }, 'm');
    log.child({ b: 2, a: 1 }).info({ x: 1 }, 'm');
    log.child({ a: 1, b: 2 }).info({ x: 1 });
    const other = watchingLogger({ messageKey: 'message' });
    other.log.child({ a: 1, b: 2 }).info({ x: 1 }, 'm');
    const all = [...seen, ...other.seen];
    for (const { view, line } of all) expect(view).toEqual(JSON.parse(line));
    expect(new Set(all.map((s) => s.keySet)).size).toBe(4);
    expect(Object.keys(all[1]!.view)).toEqual(Object.keys(JSON.parse(all[1]!.line)));
    expect(other.seen[0]!.view.message).toBe('m');
  });

  it('children without bindings of their own, or with their own redaction, show their own records', () => {
    const { log, seen } = watchingLogger();
    const parent = log.child({ user: 'ann' });
    parent.info({ token: 't1' }, 'm');
    parent.child({}).info({ token: 't2' }, 'm');
    parent.child({}, { redact: ['token'] }).info({ token: 't3' }, 'm');
    parent.setBindings({ user: 'bob' });
    parent.info({ token: 't4' }, 'm');
    expect(seen.map((s) => [s.view.user, s.view.token])).toEqual([
      ['ann', 't1'],
      ['ann', 't2'],
      ['ann', '[Redacted]'],
      ['bob', 't4'],
    ]);
    for (const { view, line } of seen) expect(view).toEqual(JSON.parse(line));
  });

  it('a logger with more shapes of fields than are kept still shows each record as its line holds it', () => {
    const { log, seen } = watchingLogger();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) log.info({ [`k${i}`]: i, round }, 'm');
    }
    expect(seen).toHaveLength(80);
    for (const { view, line } of seen) expect(view).toEqual(JSON.parse(line));
    // The first shapes are kept, and the second round finds them again.
    expect(seen[40]!.keySet).toBeDefined();
    expect(seen[40]!.keySet).toBe(seen[0]!.keySet);
  });
});
