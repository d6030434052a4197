import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's redaction path `*` reaches every top-level key of the line, the message included.

describe('redact: ["*"], as pino', () => {
  it('a path naming every top-level key censors the message too', async () => {
    const { calls, lines } = sideBySide({ redact: ['*'] });
    for (const log of calls) {
      log.info!({ a: 1 }, 'card 4111 1111 1111 1111');
      log.info!('token abc');
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine).toEqual([
      { level: 30, a: '[Redacted]', msg: '[Redacted]' },
      { level: 30, msg: '[Redacted]' },
    ]);
  });
});
