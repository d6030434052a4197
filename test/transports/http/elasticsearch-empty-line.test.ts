import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';
import { httpPreset } from '../../../src/transports/http/presets/index.js';

/** The bulk body's documents (every second line, after each action), for lines a streamWrite hook gave. */
function documents(hookLine: string, crlf: boolean): string[] {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, crlf, hooks: { streamWrite: () => hookLine }, transports: [memory] });
  log.info({ x: 1 }, 'hi');
  const body = httpPreset('elasticsearch')!({ line: (r) => r.json() }).body(memory.records()) as string;
  return body.split(/\r?\n/).filter((_, i) => i % 2 === 1);
}

describe('elasticsearch: a document with no members of its own', () => {
  it.each([
    ['{}', true],
    ['{ }', false],
    ['{  }', true],
    ['{\t}', false],
  ])('%j (crlf %s) still gets a @timestamp and stays one valid JSON object', (hookLine, crlf) => {
    const [document] = documents(hookLine, crlf);
    expect(() => JSON.parse(document!), document).not.toThrow();
    expect(Object.keys(JSON.parse(document!) as object)).toEqual(['@timestamp']);
  });
});
