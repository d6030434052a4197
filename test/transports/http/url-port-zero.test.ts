import { describe, expect, it } from 'vitest';
import { createLogger, HttpTransport } from '../../../src/index.js';
import { configError } from '../../helpers.js';

// Node's http client reads port 0 as "no port" and connects to the scheme's default (80, 443):
// a URL naming port 0 (an unset `${PORT:-0}`, a typo) shipped records to whatever listens there.

describe('a URL naming port 0', () => {
  it('is a ConfigError at the url, for every preset and both schemes', () => {
    for (const preset of ['ndjson', 'otlp', 'elasticsearch', 'clickhouse']) {
      for (const url of ['http://127.0.0.1:0/ingest', 'https://user:s3cret-pass@127.0.0.1:00/x']) {
        const error = configError(() =>
          createLogger({ exitFlush: false, transports: [{ type: 'http', preset, url } as never] }),
        );
        expect(error.path).toBe('transports[0].url');
        expect(error.message).toMatch(/port 0/);
        expect(error.message).not.toContain('s3cret');
      }
    }
  });

  it('from code, is refused by the constructor', () => {
    expect(() => new HttpTransport({ url: 'http://127.0.0.1:0/ingest' })).toThrow(/^http transport: url: .*port 0/);
  });

  it('a port from 1 up is taken as written', () => {
    const log = createLogger({ exitFlush: false, transports: [{ type: 'http', url: 'http://127.0.0.1:1/ingest' }] });
    expect(log.transports).toHaveLength(1);
    return log.close({ timeoutMs: 1000 });
  });
});
