import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinePicker } from '../../../src/transports/http/presets/line-entries.js';
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
