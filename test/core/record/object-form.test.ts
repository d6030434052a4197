import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readOnlyObject } from '../../../src/core/record/object-form.js';
import { createLogger, MemoryTransport } from '../../../src/index.js';

/*
 * readOnlyObject builds the record's object without parsing its line when the fields are
 * JSON values already; it must be the same object JSON.parse(line) gives, key order included,
 * for every kind of field (what JSON changes or drops must send it to the parse).
 */
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('level', 'time', 'msg', 'message', 'pid', 'hostname', 'name', '__proto__', 'toJSON', 'a', 'b'),
);
const value = fc.anything({
  key,
  values: [fc.string(), fc.double(), fc.constant(undefined), fc.constant(-0), fc.bigInt(), fc.date()],
  withBigInt: true,
  withDate: true,
  withSparseArray: true,
  withNullPrototype: true,
  withMap: true,
  maxDepth: 4,
});
const fields = fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), fc.constant(undefined));

describe('readOnlyObject', () => {
  it('equals JSON.parse of the line, keys in the same order, for any fields, bindings and message key', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { maxKeys: 3 }),
        fields,
        fc.option(fc.string(), { nil: undefined }),
        fc.constantFrom('msg', 'message'),
        fc.constantFrom<'epoch' | 'iso' | false>('epoch', 'iso', false),
        (bindings, callFields, msg, messageKey, timestamp) => {
          const memory = new MemoryTransport();
          const log = createLogger({ exitFlush: false, messageKey, timestamp, transports: [memory] });
          const child = Object.keys(bindings).length > 0 ? log.child(bindings) : log;
          if (callFields === undefined) child.info(msg);
          else child.info(callFields, msg);
          child.info({ same: 'shape' }, 'again');
          child.info({ same: 'shape' }, 'again');
          for (const record of memory.records()) {
            const parsed = JSON.parse(record.json());
            const built = readOnlyObject(record);
            expect(built).toStrictEqual(parsed);
            expect(Object.keys(built)).toEqual(Object.keys(parsed));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a field by the name of a binding: the binding's place, the field's value, as JSON.parse does", () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, transports: [memory] }).child({ a: 1, b: { c: 2 } });
    log.info({ b: 3, a: [4], d: 5 }, 'both');
    log.info({ b: 3, a: [4], d: 5 }, 'both again');
    for (const record of memory.records()) {
      const built = readOnlyObject(record);
      expect(built).toStrictEqual(JSON.parse(record.json()));
      expect(Object.keys(built)).toEqual(['level', 'time', 'pid', 'hostname', 'a', 'b', 'd', 'msg']);
    }
  });

  it('takes JSON-ready fields as they are (no copy), and parses for anything else', () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: null, transports: [memory] });
    const tags = ['a', 'b'];
    log.info({ tags }, 'plain');
    log.info({ when: new Date(0) }, 'a date');
    const [plain, dated] = memory.records();
    expect(readOnlyObject(plain!).tags).toBe(tags);
    expect(readOnlyObject(dated!).when).toBe('1970-01-01T00:00:00.000Z');
  });
});
