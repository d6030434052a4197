import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineEntries, pickEntries } from '../../../src/transports/http/presets/line-entries.js';
import { json, text } from './json-arbitraries.js';

function entriesOf(line: string): [unknown, unknown][] {
  const reader = new LineEntries().read(line);
  const out: [unknown, unknown][] = [];
  while (reader.next()) out.push([JSON.parse(reader.key), JSON.parse(reader.value)]);
  return out;
}

describe('reading a JSON line entry by entry, without parsing it', () => {
  it('gives each top-level key and raw value, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(fc.dictionary(text, json, { maxKeys: 8 }), (object) => {
        const line = `${JSON.stringify(object)}\n`;
        expect(entriesOf(line)).toEqual(Object.entries(JSON.parse(line)));
      }),
      { numRuns: 500 },
    );
  });

  it('picks the wanted keys, the last of a repeated one, as JSON.parse reads them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', '"q"'), json), { maxLength: 8 }), (pairs) => {
        // Written by hand so that keys repeat, as a line can repeat them.
        const line = `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}\n`;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const picked = pickEntries(line, new Set(['"a"', '"\\"q\\""']));
        const expected = ['a', '"q"'].filter((key) => Object.hasOwn(parsed, key)).map((key) => [key, parsed[key]]);
        expect([...picked].map(([key, raw]) => [JSON.parse(key), JSON.parse(raw)]).sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });
});
