import { describe, expect, it } from 'vitest';
import { runWithStalled } from '../built.js';

describe('a validating transport with a JSON Schema, in loggers made and closed', () => {
  it('leaves no compiled schema behind: the heap stays flat over 3,000 more loggers', () => {
    // Each logger's schema is an object of its own, as a config read again gives.
    const script = `
      const schema = () => ({ type: 'object', required: ['msg'],
        properties: { msg: { type: 'string', pattern: '^[a-z]' }, userId: { enum: ['a', 'b'] } } });
      async function cycle() {
        const log = createLogger({ exitFlush: false, diagnostics: () => {},
          transports: [{ type: 'validating', schema: schema(), target: { type: 'memory' } }] });
        log.info('hello');
        await log.close();
      }
      for (let i = 0; i < 1000; i++) await cycle();
      global.gc(); global.gc(); const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 3000; i++) await cycle();
      global.gc(); global.gc(); const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ growthMiB: (after - before) / 1048576 }));
      process.exit(0);
    `;
    const result = runWithStalled(script, ['--expose-gc']);
    expect(result.stderr).toBe('');
    const { growthMiB } = JSON.parse(result.stdout) as { growthMiB: number };
    // Every compiled schema kept took about 7 KB, 21 MiB here; bounded, 1.2-1.8 (V8 settling).
    expect(growthMiB).toBeLessThan(6);
  }, 120_000);
});
