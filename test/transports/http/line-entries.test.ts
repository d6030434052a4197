import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineEntries, LinePicker } from '../../../src/transports/http/presets/line-entries.js';
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
