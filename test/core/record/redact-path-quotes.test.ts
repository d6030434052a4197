import { describe, expect, it } from 'vitest';
import { parseRedactPath } from '../../../src/core/record/redact.js';
import { memoryLogger } from '../../helpers.js';

const names = (path: string) => parseRedactPath(path).map(String);

describe('quoted keys in redaction paths', () => {
  it('a key holding "]", dots or the other quote can be named', () => {
    expect(names('a["x]y"]')).toEqual(['a', 'x]y']);
    expect(names('a[\'say "hi"\'].b')).toEqual(['a', 'say "hi"', 'b']);
    expect(names('["a.b[0]"]')).toEqual(['a.b[0]']);
    expect(names('a[ "k" ]')).toEqual(['a', 'k']);
  });

  it('a backslash keeps the quote it stands before', () => {
    expect(names("a['it\\'s']")).toEqual(['a', "it's"]);
  });

  it('a quote that is not closed, or text between the quote and "]", is an error naming the path', () => {
    expect(() => parseRedactPath('a["x"')).toThrow(/invalid redact path "a\["x"": unclosed "\["/);
    expect(() => parseRedactPath('a["x"y]')).toThrow(/invalid redact path/);
  });

  it('the key with "]" is redacted in a line', async () => {
    const { log, memory } = memoryLogger({ redact: ['headers["x-token]"]'] });
    log.info({ headers: { 'x-token]': 'hunter2', host: 'h' } }, 'm');
    await log.flush();
    expect(memory.objects()[0]).toMatchObject({ headers: { 'x-token]': '[Redacted]', host: 'h' } });
  });
});
