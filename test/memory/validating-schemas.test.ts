import { describe, expect, it } from 'vitest';
import { heapGrowthMiB } from './heap-growth.js';

describe('a validating transport with a JSON Schema, in loggers made and closed', () => {
  it('leaves no compiled schema behind: the heap stays flat over 3,000 more loggers', () => {
    // Each logger's schema is an object of its own, as a config read again gives.
    const growthMiB = heapGrowthMiB(
      `
      const schema = () => ({ type: 'object', required: ['msg'],
        properties: { msg: { type: 'string', pattern: '^[a-z]' }, userId: { enum: ['a', 'b'] } } });
      async function step() {
        const log = createLogger({ exitFlush: false, diagnostics: () => {},
          transports: [{ type: 'validating', schema: schema(), target: { type: 'memory' } }] });
        log.info('hello');
        await log.close();
      }`,
      1000,
      3000,
    );
    // Every compiled schema kept took about 7 KB, 21 MiB here; bounded, 1.2-1.8 (V8 settling).
    expect(growthMiB).toBeLessThan(6);
  }, 120_000);
});
