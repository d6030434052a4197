import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../../src/index.js';

/** The lines a logger redacting `paths` writes for `input` given to its log.stream(). */
async function ingested(paths: string[], input: string, maxLineBytes?: number): Promise<string[]> {
  const memory = new MemoryTransport();
  const log = createLogger({ exitFlush: false, redact: paths, transports: [memory] });
  const stream = log.stream({ maxLineBytes });
  stream.end(input);
  await new Promise((resolve) => stream.on('finish', resolve));
  return memory.lines();
}

describe('log.stream(): a key the paths name, spelled with JSON escapes, in a line that is not JSON', () => {
  it('is censored as JSON.parse would have read it (a trailing comma)', async () => {
    const lines = await ingested(['password'], '{"pass\\u0077ord":"hunter2","x":1,}\n{"pass\\u0077ord":"hunter3"}\n');
    expect(lines.join('')).not.toContain('hunter');
    expect(lines[0]).toContain('[Redacted]');
  });

  it('is censored in a line cut at maxLineBytes, hex digits in either case', async () => {
    const pad = 'z'.repeat(200);
    const input =
      `{"a":{"tok\\u0065n":"hunter4"},"pad":"${pad}"}\n` + `{"a":{"tok\\u0065\\u006E":"hunter5"},"p":"${pad}"}\n`;
    const lines = await ingested(['a.token'], input, 64);
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain('hunter');
  });

  it('a key that only looks alike (another character escaped) is left as it is', async () => {
    const [line] = await ingested(['password'], '{"pass\\u0078ord":"kept","x":1,}\n');
    expect(line).toContain('kept');
  });
});
