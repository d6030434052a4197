import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinePicker, TopLevelKeys } from '../../../src/transports/http/presets/line-entries.js';
import { json } from './json-arbitraries.js';

describe('reading wanted entries of a JSON line, without parsing it', () => {
  it('picks the wanted keys, the last of a repeated one, as JSON.parse reads them', () => {
    const wanted = ['a', '"q"', 'a\\'];
    const picker = new LinePicker(wanted.map((key) => JSON.stringify(key)));
    // Keys that repeat, that start like a wanted one, that end in an escape: as a line can have them.
    const key = fc.constantFrom('a', 'ab', 'b', '"q"', '"q', 'a\\', 'a\\"');
    fc.assert(
      fc.property(fc.array(fc.tuple(key, json), { maxLength: 8 }), (pairs) => {
        const line = `{${pairs.map(([k, value]) => `${JSON.stringify(k)}:${JSON.stringify(value)}`).join(',')}}\n`;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const picked = picker.pick(line).map((raw) => (raw === undefined ? undefined : JSON.parse(raw)));
        expect(picked).toEqual(wanted.map((k) => (Object.hasOwn(parsed, k) ? parsed[k] : undefined)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a line with each top-level key once', () => {
  it('reads as JSON.parse reads the line, keys in first-seen order, none repeated; reserved keys renamed', () => {
    const keys = new TopLevelKeys(new Set(['"_id"']));
    const key = fc.constantFrom('a', 'b', '_id', '@_id', '"q', 'a\\', '_id\\"');
    fc.assert(
      fc.property(fc.array(fc.tuple(key, json), { maxLength: 8 }), (pairs) => {
        const line = `{${pairs.map(([k, value]) => `${JSON.stringify(k)}:${JSON.stringify(value)}`).join(',')}}\n`;
        const out = keys.rewrite(line);
        expect(out.endsWith('}\n')).toBe(true);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const expected: [string, unknown][] = [];
        for (const k of new Set(pairs.map(([k]) => k))) expected.push([k, parsed[k]]);
        // _id becomes @_id, or @@_id when the line has an @_id of its own.
        const renamed = expected.map(([k, v]): [string, unknown] =>
          k === '_id' ? [Object.hasOwn(parsed, '@_id') ? '@@_id' : '@_id', v] : [k, v],
        );
        // Entries as written: JSON.parse alone would hide a key written twice.
        const written = JSON.parse(`[${out.slice(1, -2).length > 0 ? pairsOf(out) : ''}]`) as [string, unknown][];
        expect(written).toEqual(renamed);
        expect(keys.has('"a"')).toBe(Object.hasOwn(parsed, 'a'));
      }),
      { numRuns: 500 },
    );
  });

  it('a line without repeats or reserved keys is the same string', () => {
    const keys = new TopLevelKeys(new Set(['"_id"']));
    const line = '{"level":30,"a":{"_id":1,"a":2},"b":"_id","msg":"x"}\n';
    expect(keys.rewrite(line)).toBe(line);
    expect(keys.rewrite('{}\n')).toBe('{}\n');
  });

  it('a line of many keys (past the in-place comparison): the same string, or each key once', () => {
    const keys = new TopLevelKeys(new Set(['"_id"']));
    const many = Array.from({ length: 200 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(keys.rewrite(`{${many}}\n`)).toBe(`{${many}}\n`);
    expect(keys.has('"k199"')).toBe(true);
    const repeated = keys.rewrite(`{${many},"k3":"last","_id":1}\n`);
    expect(Object.keys(JSON.parse(repeated))).toHaveLength(201);
    expect(JSON.parse(repeated)).toMatchObject({ k3: 'last', '@_id': 1, k199: 199 });
    expect(repeated.match(/"k3":/g)).toHaveLength(1);
  });
});

/** The top-level entries of a line as `["key",value]` pairs, in order, repeats kept. */
function pairsOf(line: string): string {
  const entries: string[] = [];
  let depth = 0;
  let start = 1;
  let inString = false;
  for (let at = 1; at < line.length - 2; at++) {
    const c = line[at];
    if (inString) {
      if (c === '\\') at++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      entries.push(line.slice(start, at));
      start = at + 1;
    }
  }
  entries.push(line.slice(start, line.length - 2));
  return entries.map((entry) => pairOf(entry)).join(',');
}

function pairOf(entry: string): string {
  // The key is a JSON string: its end is the first unescaped quote after the opening one.
  let at = 1;
  while (entry[at] !== '"') at += entry[at] === '\\' ? 2 : 1;
  return `[${entry.slice(0, at + 1)},${entry.slice(at + 2)}]`;
}
