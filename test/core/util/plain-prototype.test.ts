import { spawnSync } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasObjectPrototype, hasPlainPrototype } from '../../../src/core/util/plain-prototype.js';
import { DIST_CJS, DIST_ESM, requireBuild, ROOT } from '../../built.js';

/*
 * The prototype checks read the `__proto__` accessor first and ask Object.getPrototypeOf
 * only when it does not say Object.prototype. Their answers must be getPrototypeOf's for
 * every object data can make, and a process where Node removed the accessor
 * (`--disable-proto=delete`) or made it throw (`=throw`) must write the same lines.
 */

/** Objects whose prototype the accessor could misreport, each made as data or ordinary code would. */
function edgeObjects(): Record<string, object> {
  const overNull = Object.create(Object.create(null)) as Record<string, unknown>;
  overNull.a = 1;
  class Point {
    x = 1;
  }
  return {
    literal: { a: 1 },
    array: [1, 2],
    nullPrototype: Object.assign(Object.create(null) as object, { a: 1 }),
    overNullPrototype: overNull,
    overPlainObject: Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }),
    classInstance: new Point(),
    map: new Map([[1, 2]]),
    date: new Date(0),
    parsedProtoKey: JSON.parse('{"__proto__":{"a":1},"b":2}') as object,
    parsedNullProtoKey: JSON.parse('{"__proto__":null}') as object,
    parsedArrayProtoKey: JSON.parse('{"__proto__":[1,2]}') as object,
    ownProtoKeyAMap: Object.defineProperty({ a: 1 }, '__proto__', { value: new Map(), enumerable: true }),
    otherRealm: runInNewContext('({ a: { b: 1 } })') as object,
  };
}

function reference(value: object): { object: boolean; plain: boolean } {
  const proto = Object.getPrototypeOf(value);
  return { object: proto === Object.prototype, plain: proto === Object.prototype || proto === null };
}

describe('prototype checks', () => {
  it("give Object.getPrototypeOf's answer for objects the accessor could misreport", () => {
    for (const [name, value] of Object.entries(edgeObjects())) {
      expect({ name, object: hasObjectPrototype(value), plain: hasPlainPrototype(value) }).toEqual({
        name,
        ...reference(value),
      });
    }
    // The cases that matter most, spelled out.
    const edges = edgeObjects();
    expect(hasPlainPrototype(edges.overNullPrototype!)).toBe(false);
    expect(hasPlainPrototype(edges.parsedNullProtoKey!)).toBe(true);
    expect(hasPlainPrototype(edges.otherRealm!)).toBe(false);
    expect(hasObjectPrototype(edges.nullPrototype!)).toBe(false);
  });

  it("give Object.getPrototypeOf's answer for any value, null prototypes and '__proto__' keys included", () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__proto__'));
    fc.assert(
      fc.property(
        fc.anything({ key, withNullPrototype: true, withMap: true, withDate: true, maxDepth: 3 }),
        (value) => {
          const visit = (node: unknown): void => {
            if (typeof node !== 'object' || node === null) return;
            expect({ object: hasObjectPrototype(node), plain: hasPlainPrototype(node) }).toEqual(reference(node));
            if (node instanceof Map) return;
            for (const child of Object.values(node)) visit(child);
          };
          visit(value);
        },
      ),
    );
  });

  it('write the same lines and record objects where Node removed the accessor or made it throw', () => {
    requireBuild();
    const script = `
      import { createRequire } from 'node:module';
      import { runInNewContext } from 'node:vm';
      const req = createRequire(import.meta.url);
      const { createLogger, MemoryTransport } = await import(${JSON.stringify(DIST_ESM)});
      const { readOnlyObject } = req(${JSON.stringify(DIST_CJS.replace(/index\.js$/, 'core/record/object-form.js'))});
      const overNull = Object.create(Object.create(null));
      overNull.a = 1;
      const protoWithToJSON = Object.create(null);
      protoWithToJSON.toJSON = () => 'from the prototype';
      class Point { x = 1; }
      const values = {
        nested: { a: { b: [1, { c: 2 }] } },
        nullPrototype: Object.assign(Object.create(null), { a: 1, n: Object.assign(Object.create(null), { b: 2 }) }),
        overNullPrototype: overNull,
        overNullWithToJSON: Object.assign(Object.create(protoWithToJSON), { a: 1 }),
        classInstance: new Point(),
        collections: { m: new Map([[1, 2]]), s: new Set([1]), d: new Date(0), e: new Error('boom') },
        parsedProtoKey: JSON.parse('{"__proto__":{"a":1},"b":2}'),
        parsedNested: JSON.parse('{"x":{"__proto__":[1,2]},"y":{"__proto__":null}}'),
        ownProtoKeyAMap: Object.defineProperty({ a: 1 }, '__proto__', { value: new Map([[1, 2]]), enumerable: true }),
        otherRealm: runInNewContext('({ a: { b: 1 }, list: [1, 2] })'),
        proxy: new Proxy({ a: { b: 1 } }, {}),
      };
      const memory = new MemoryTransport();
      const log = createLogger({ exitFlush: false, diagnostics: false, base: null, timestamp: false, transports: [memory] });
      for (const [name, value] of Object.entries(values)) {
        log.info({ v: value }, name);
        log.info(value, name + ' as the fields');
      }
      await log.close();
      for (const record of memory.records()) {
        process.stdout.write(record.json().trimEnd() + '\\n' + JSON.stringify(readOnlyObject(record)) + '\\n');
      }
    `;
    const run = (flags: string[]): string => {
      const result = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout;
    };
    const usual = run([]);
    // 11 values, each logged twice, each record as a line and as an object.
    expect(usual.split('\n').filter(Boolean)).toHaveLength(44);
    expect(usual).toContain('"msg":"overNullWithToJSON"');
    expect(run(['--disable-proto=delete'])).toBe(usual);
    expect(run(['--disable-proto=throw'])).toBe(usual);
  });
});
