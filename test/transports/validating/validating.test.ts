import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createLogger,
  MemoryTransport,
  ValidatingTransport,
  type DeliveryFailure,
  type OnInvalid,
} from '../../../src/index.js';

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'streamlog-wrap-')), name);
}

describe('validating transport', () => {
  const schema = { type: 'object', required: ['userId'], properties: { userId: { type: 'number' } } };

  function validatingLogger(onInvalid: OnInvalid, extra: Record<string, unknown> = {}) {
    const deadLetter = tempFile('dead.ndjson');
    const failures: DeliveryFailure[] = [];
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { deadLetter },
      onDeliveryError: (f) => failures.push(f),
      transports: [
        { type: 'validating', schema, onInvalid, target: { type: 'memory', id: 'valid-only' }, ...extra },
        { type: 'memory', id: 'everything' },
      ],
    });
    const [validating, everything] = log.transports as [ValidatingTransport, MemoryTransport];
    const inner = validating.inner as MemoryTransport;
    return { log, validating, inner, everything, failures, deadLetter };
  }

  it('passes valid records on and counts', async () => {
    const { log, validating, inner } = validatingLogger('error');
    const valid: unknown[] = [];
    validating.on('validData', (o: unknown) => valid.push(o));
    log.info({ userId: 1 }, 'ok');
    log.info({ userId: 2 }, 'ok too');
    await log.flush();
    expect(inner.objects().map((o) => o.msg)).toEqual(['ok', 'ok too']);
    expect(valid).toHaveLength(2);
    expect(validating.stats()).toMatchObject({ valid: 2, invalid: 0, total: 2, successRate: 1 });
  });

  it('onInvalid "error": the record fails for this target, with the path', async () => {
    const { log, validating, inner, failures } = validatingLogger('error');
    const invalid: { errors: { path: string }[] }[] = [];
    validating.on('invalidData', (e: { errors: { path: string }[] }) => invalid.push(e));
    log.info({ userId: 'seven' }, 'bad');
    await log.flush();
    expect(inner.records()).toHaveLength(0);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reasons[0]!.error.message).toMatch(/^invalid record: userId: /);
    expect(invalid[0]!.errors[0]!.path).toBe('userId');
    expect(validating.stats()).toMatchObject({ valid: 0, invalid: 1, successRate: 0 });
  });

  it('onInvalid "skip": skipped and counted as dropped, not failed', async () => {
    const { log, validating, inner, failures } = validatingLogger('skip');
    log.info('no userId');
    await log.flush();
    expect(inner.records()).toHaveLength(0);
    expect(failures).toHaveLength(0);
    expect(validating.stats()).toMatchObject({ invalid: 1, delivered: 0, failed: 0, dropped: 1 });
  });

  it('onInvalid "log": counted and reported as one warning record', async () => {
    const { log, everything, inner } = validatingLogger('log');
    log.info({ userId: null }, 'null user');
    await log.flush();
    const warning = everything.objects().find((o) => o.level === 40);
    expect(warning).toMatchObject({
      msg: 'invalid record skipped',
      invalidMsg: 'null user',
      errors: [{ path: 'userId' }],
    });
    expect(inner.objects().map((o) => o.msg)).toEqual(['invalid record skipped']); // internal records pass unchecked
  });

  it('onInvalid "dead-letter": the record goes to the dead-letter file', async () => {
    const { log, deadLetter, failures } = validatingLogger('dead-letter');
    log.info({ userId: 'x' }, 'to the dead letter');
    await log.flush();
    const [line] = readFileSync(deadLetter, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line.record).toEqual({ level: 30, time: line.record.time, userId: 'x', msg: 'to the dead letter' });
    // Its id (by type and position here), as every other dead letter names its target; it said "validating".
    expect(line.reasons[0].target).toBe('validating#0');
    expect(failures).toHaveLength(0);
    expect(log.stats().deadLettered).toBe(1);
  });

  it('onInvalid "dead-letter" without router.deadLetter: a ConfigError, not every invalid record failed', () => {
    // Before: accepted, and each invalid record failed as under "error".
    expect(() =>
      createLogger({
        exitFlush: false,
        transports: [{ type: 'validating', schema, onInvalid: 'dead-letter', target: { type: 'memory' } }],
      }),
    ).toThrow('transports[0].onInvalid: expected router.deadLetter to be set for "dead-letter" (or "error")');
  });

  it('keeps the last 10 errors and accepts rules, zod schemas and predicates', async () => {
    const inner = new MemoryTransport();
    const byRules = createLogger({
      exitFlush: false,
      transports: [
        {
          type: 'validating',
          rules: { userId: 'integer', tags: 'array?' },
          onInvalid: 'skip',
          target: { type: 'memory' },
        },
      ],
    });
    for (let i = 0; i < 15; i++) byRules.info({ userId: i + 0.5 }, `bad ${i}`);
    byRules.info({ userId: 3, tags: ['a'] }, 'good');
    const validating = byRules.transports[0] as ValidatingTransport;
    const stats = validating.stats();
    expect(stats).toMatchObject({ valid: 1, invalid: 15, total: 16 });
    expect((stats.lastErrors as { msg: string; path: string }[]).map((e) => e.msg)).toEqual(
      Array.from({ length: 10 }, (_, i) => `bad ${i + 5}`),
    );
    expect((stats.lastErrors as { path: string }[])[0]!.path).toBe('userId');

    const zodChecked = new ValidatingTransport(inner, {
      check: z.looseObject({ msg: z.string().startsWith('ok') }),
      onInvalid: 'skip',
    });
    const predicate = new ValidatingTransport(new MemoryTransport(), {
      check: (o) => o.level === 50,
      onInvalid: 'skip',
    });
    const log = createLogger({ exitFlush: false, transports: [zodChecked, predicate] });
    log.info('ok fine');
    log.info('not ok');
    log.error('an error');
    expect(inner.records().map((r) => r.msg)).toEqual(['ok fine']);
    expect((predicate.inner as MemoryTransport).records().map((r) => r.msg)).toEqual(['an error']);
  });

  it('rejects a config with both or neither of schema and rules', () => {
    expect(() => createLogger({ transports: [{ type: 'validating', target: { type: 'memory' } }] })).toThrow(
      /^transports\[0\]\.schema: expected exactly one of "schema"/,
    );
    expect(() =>
      createLogger({ transports: [{ type: 'validating', rules: { a: 'strin' }, target: { type: 'memory' } }] }),
    ).toThrow(/^transports\[0\]\.rules\.a: expected one of string/);
  });
});
