import fc from 'fast-check';

/** Text that JSON has to escape, and some that only looks like structure. */
export const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({
    unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '\n', '\u0000', '\u2028', '\ud800', 'a'),
  }),
);

export const json = fc.jsonValue({ maxDepth: 3 });
